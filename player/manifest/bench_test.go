package manifest

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/Eyevinn/dash-mpd/mpd"
	"github.com/grafov/m3u8"
)

// vodPlaylist builds a VOD media playlist of n segments.
func vodPlaylist(n int) []byte {
	var b strings.Builder
	b.WriteString("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MAP:URI=\"init.mp4\"\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "#EXTINF:%d.%03d,\nseg-%05d.m4s\n", 3+i%2, i%1000, i)
	}
	b.WriteString("#EXT-X-ENDLIST\n")
	return []byte(b.String())
}

// timelineMPD builds a static MPD whose SegmentTimeline has n S entries
// (alternating durations, so no entry can be folded into a repeat).
func timelineMPD(n int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" profiles="urn:mpeg:dash:profile:isoff-live:2011" mediaPresentationDuration="PT9H" minBufferTime="PT2S">
<Period><AdaptationSet contentType="video" mimeType="video/mp4">
<SegmentTemplate timescale="90000" initialization="$RepresentationID$/init.mp4" media="$RepresentationID$/$Time$.m4s"><SegmentTimeline>
`)
	var t uint64
	for i := 0; i < n; i++ {
		d := 180000 + uint64(i%2)*3003
		if i == 0 {
			fmt.Fprintf(&b, "<S t=\"0\" d=\"%d\"/>\n", d)
		} else {
			fmt.Fprintf(&b, "<S d=\"%d\"/>\n", d)
		}
		t += d
	}
	b.WriteString(`</SegmentTimeline></SegmentTemplate>
<Representation id="v1" bandwidth="3000000" width="1280" height="720" codecs="avc1.64001f"/>
</AdaptationSet></Period></MPD>
`)
	return []byte(b.String())
}

// BenchmarkHLSMedia10k compares ParseHLSMedia (scan and model) with
// grafov/m3u8's own decode of the same 10,000-segment VOD playlist.
func BenchmarkHLSMedia10k(b *testing.B) {
	data := vodPlaylist(10000)
	b.Run("abrkit", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			m, err := ParseHLSMedia(data, "https://cdn.example/t1/v/720/index.m3u8")
			if err != nil || len(m.Segments) != 10000 {
				b.Fatal(err)
			}
		}
	})
	b.Run("grafov", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			p, err := m3u8.NewMediaPlaylist(0, 1024)
			if err != nil {
				b.Fatal(err)
			}
			if err := p.DecodeFrom(bytes.NewReader(data), false); err != nil || p.Count() != 10000 {
				b.Fatal(err, p.Count())
			}
		}
	})
}

// BenchmarkDASHTimeline10k compares ParseDASH (decode and model) with
// dash-mpd's own decode of the same 10,000-entry SegmentTimeline MPD.
func BenchmarkDASHTimeline10k(b *testing.B) {
	data := timelineMPD(10000)
	b.Run("abrkit", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			p, err := ParseDASH(data, "https://cdn.example/t1/manifest.mpd")
			if err != nil || len(p.Periods[0].Sets[0].Renditions[0].Segments) != 10000 {
				b.Fatal(err)
			}
		}
	})
	b.Run("dash-mpd", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			m, err := mpd.MPDFromBytes(data)
			if err != nil || len(m.Periods[0].AdaptationSets[0].SegmentTemplate.SegmentTimeline.S) != 10000 {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSegmentsAt measures the per-viewer cost of a live window from a
// shared dynamic template (no allocation for timelines).
func BenchmarkSegmentsAt(b *testing.B) {
	p, err := ParseDASH(mustRead(b, "testdata/dash/dynamic_number.mpd"), "https://o.example/live.mpd")
	if err != nil {
		b.Fatal(err)
	}
	r := &p.Periods[0].Sets[0].Renditions[0]
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if len(r.SegmentsAt(goldenNow)) == 0 {
			b.Fatal("empty window")
		}
	}
}

// BenchmarkApplyMedia is the per-player cost of filling a rendition copy.
func BenchmarkApplyMedia(b *testing.B) {
	m, err := ParseHLSMedia(vodPlaylist(10000), "https://cdn.example/v.m3u8")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := Rendition{ID: "v0"}
		r.ApplyMedia(m)
	}
}

// BenchmarkRatio interleaves our parse and the library's own decode of the
// same input in every iteration and reports the ratio of their times
// (x-lib: 1.0 means no cost on top of the library), which stays
// meaningful on a loaded machine where separate runs drift.
func BenchmarkRatio(b *testing.B) {
	hls := vodPlaylist(10000)
	dash := timelineMPD(10000)
	cases := []struct {
		name       string
		ours, libs func() error
	}{
		{"HLSMedia10k", func() error {
			_, err := ParseHLSMedia(hls, "https://cdn.example/t1/v/720/index.m3u8")
			return err
		}, func() error {
			p, err := m3u8.NewMediaPlaylist(0, 1024)
			if err != nil {
				return err
			}
			return p.DecodeFrom(bytes.NewReader(hls), false)
		}},
		{"DASHTimeline10k", func() error {
			_, err := ParseDASH(dash, "https://cdn.example/t1/manifest.mpd")
			return err
		}, func() error {
			_, err := mpd.MPDFromBytes(dash)
			return err
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var ours, libs time.Duration
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				if err := c.ours(); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if err := c.libs(); err != nil {
					b.Fatal(err)
				}
				ours += t1.Sub(t0)
				libs += time.Since(t1)
			}
			b.ReportMetric(float64(ours.Nanoseconds())/float64(b.N), "ours-ns/op")
			b.ReportMetric(float64(libs.Nanoseconds())/float64(b.N), "lib-ns/op")
			b.ReportMetric(float64(ours)/float64(libs), "x-lib")
		})
	}
}
