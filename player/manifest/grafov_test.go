package manifest

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/grafov/m3u8"
)

// TestAgainstGrafov cross-checks the HLS scanner with grafov/m3u8's typed
// decoders on every conformance playlist: same variants (bandwidth, URI)
// for masters; same segment URIs, durations and sequence for media
// playlists.
func TestAgainstGrafov(t *testing.T) {
	valid, _ := conformanceFiles(t)
	n := 0
	for _, f := range valid {
		if filepath.Ext(f) != ".m3u8" {
			continue
		}
		n++
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			const base = "https://cdn.example/t/x.m3u8"
			if hlsKind(string(data)) == kindMaster {
				p, err := ParseHLS(data, base)
				if err != nil {
					t.Fatal(err)
				}
				g := m3u8.NewMasterPlaylist()
				if err := g.DecodeFrom(bytes.NewReader(data), false); err != nil {
					t.Fatal(err)
				}
				var ours []Rendition
				for _, s := range p.Periods[0].Sets {
					if s.ID == "variants" {
						ours = s.Renditions
					}
				}
				var theirs []*m3u8.Variant
				for _, v := range g.Variants {
					if !v.Iframe {
						theirs = append(theirs, v)
					}
				}
				if len(ours) != len(theirs) {
					t.Fatalf("variants: ours %d, grafov %d", len(ours), len(theirs))
				}
				for i, v := range theirs {
					u, _ := Resolve(base, v.URI)
					if ours[i].Bandwidth != int(v.Bandwidth) || ours[i].PlaylistURI != u {
						t.Errorf("variant %d: ours %d %s, grafov %d %s", i, ours[i].Bandwidth, ours[i].PlaylistURI, v.Bandwidth, u)
					}
				}
				return
			}
			m, err := ParseHLSMedia(data, base)
			if err != nil {
				t.Fatal(err)
			}
			g, err := m3u8.NewMediaPlaylist(0, 1024)
			if err != nil {
				t.Fatal(err)
			}
			if err := decodeGrafovMedia(g, data); err != nil {
				t.Skipf("grafov cannot decode it: %v", err)
			}
			if int(g.Count()) != len(m.Segments) {
				t.Fatalf("segments: ours %d, grafov %d", len(m.Segments), g.Count())
			}
			if g.SeqNo != m.MediaSequence {
				t.Errorf("media sequence: ours %d, grafov %d", m.MediaSequence, g.SeqNo)
			}
			for i, s := range g.GetAllSegments() {
				u, _ := Resolve(base, s.URI)
				d := time.Duration(math.Round(s.Duration * 1e9))
				if m.Segments[i].URI != u || m.Segments[i].Duration != d || m.Segments[i].Discontinuity != s.Discontinuity {
					t.Errorf("segment %d: ours %s %v disc %v, grafov %s %v disc %v", i, m.Segments[i].URI, m.Segments[i].Duration, m.Segments[i].Discontinuity, u, d, s.Discontinuity)
				}
			}
		})
	}
	if n == 0 {
		t.Skip("no HLS playlists")
	}
}

// decodeGrafovMedia turns a grafov panic into an error.
func decodeGrafovMedia(g *m3u8.MediaPlaylist, data []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errPanic{r}
		}
	}()
	return g.DecodeFrom(bytes.NewReader(data), false)
}

type errPanic struct{ v any }

func (e errPanic) Error() string { return "panic" }
