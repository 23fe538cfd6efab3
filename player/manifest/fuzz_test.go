package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// addFileSeeds adds every file matching pattern as a fuzz seed.
func addFileSeeds(f *testing.F, pattern string) {
	files, _ := filepath.Glob(pattern)
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
}

// checkFuzzErr fails unless err is nil or a located *ParseError.
func checkFuzzErr(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %T %v; want *ParseError", err, err)
	}
	_ = err.Error()
}

func FuzzHLS(f *testing.F) {
	addFileSeeds(f, "testdata/hls/*.m3u8")
	for _, c := range badManifests {
		if c.input != "" && c.input[0] == '#' {
			f.Add([]byte(c.input))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseHLS(data, "https://origin.example/t1/x.m3u8?a=b")
		checkFuzzErr(t, err)
		if err == nil {
			checkUsable(t, p)
		}
		m, err := ParseHLSMedia(data, "dir/x.m3u8")
		checkFuzzErr(t, err)
		if err == nil {
			var r Rendition
			r.ApplyMedia(m)
			if len(r.Segments) != len(m.Segments) {
				t.Fatalf("ApplyMedia copied %d of %d segments", len(r.Segments), len(m.Segments))
			}
		}
	})
}

func FuzzDASH(f *testing.F) {
	addFileSeeds(f, "testdata/dash/*.mpd")
	for _, c := range badManifests {
		if c.input != "" && c.input[0] == '<' {
			f.Add([]byte(c.input))
		}
	}
	now := time.Date(2026, 1, 2, 0, 1, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseDASH(data, "https://origin.example/t1/x.mpd", WithNow(now))
		checkFuzzErr(t, err)
		if err != nil {
			return
		}
		checkUsable(t, p)
		for _, per := range p.Periods {
			for _, s := range per.Sets {
				for i := range s.Renditions {
					_ = s.Renditions[i].SegmentsAt(now.Add(time.Hour))
				}
			}
		}
	})
}

func segmentSeeds(f *testing.F) {
	f.Add(makeInit(f))
	f.Add(makeMedia(f, 1, 0, 0, 2, 3))
	f.Add(makeSidx(f, 0, []uint32{100, 200}, []uint32{1000, 1000}))
}

func FuzzSidx(f *testing.F) {
	segmentSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		segs, err := ParseSidx(data, "v.mp4", ByteRange{Offset: 100, Length: int64(len(data))})
		checkFuzzErr(t, err)
		for _, s := range segs {
			if s.Range == nil || s.Range.Offset < 100 {
				t.Fatalf("segment range %+v before the index", s.Range)
			}
		}
	})
}

func FuzzInit(f *testing.F) {
	segmentSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := ParseInit(data)
		checkFuzzErr(t, err)
	})
}

func FuzzMediaSegment(f *testing.F) {
	segmentSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := ParseMediaSegment(data)
		checkFuzzErr(t, err)
	})
}
