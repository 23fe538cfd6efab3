package manifest

import (
	"errors"
	"fmt"
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
	f.Add([]byte("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-PART-INF:PART-TARGET=0.5\n#EXTINF:2,\n1.m4s\n" +
		"#EXT-X-PART:DURATION=0.5,URI=\"2.0.m4s\"\n#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"2.1.m4s\"\n" +
		"#EXT-X-RENDITION-REPORT:URI=\"../v1/x.m3u8\",LAST-MSN=2,LAST-PART=0\n"))
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

// TestFuzzCorpus writes the seed corpora under testdata/fuzz with -update:
// the golden inputs, the bad-input table and the fMP4 fixtures.
func TestFuzzCorpus(t *testing.T) {
	seeds := map[string][][]byte{}
	for _, pat := range []struct{ target, glob string }{{"FuzzHLS", "testdata/hls/*"}, {"FuzzDASH", "testdata/dash/*"}} {
		files, _ := filepath.Glob(pat.glob)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			seeds[pat.target] = append(seeds[pat.target], b)
		}
	}
	for _, c := range badManifests {
		if c.input[0] == '<' {
			seeds["FuzzDASH"] = append(seeds["FuzzDASH"], []byte(c.input))
		} else {
			seeds["FuzzHLS"] = append(seeds["FuzzHLS"], []byte(c.input))
		}
	}
	init := makeInit(t)
	media := makeMedia(t, 1, 0, 0, 2, 3)
	sidx := makeSidx(t, 0, []uint32{100, 200}, []uint32{1000, 1000})
	for _, tgt := range []string{"FuzzSidx", "FuzzInit", "FuzzMediaSegment"} {
		seeds[tgt] = [][]byte{init, media, sidx, init[:len(init)/2], media[:len(media)/2], sidx[:len(sidx)-3]}
	}
	for tgt, list := range seeds {
		dir := filepath.Join("testdata", "fuzz", tgt)
		for i, b := range list {
			name := filepath.Join(dir, fmt.Sprintf("seed%02d", i))
			content := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
			if *update {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			got, err := os.ReadFile(name)
			if err != nil || string(got) != content {
				t.Errorf("%s is missing or stale (run go test -run TestFuzzCorpus -update)", name)
			}
		}
	}
}
