package packager_test

import (
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/simulator/backend/packager"
)

const base = "http://origin.test/t1/"

// TestRoundTrip parses what the packager wrote with the player's manifest
// package and checks renditions, bandwidths, segment counts, durations and
// URIs against the catalog, and the boxes with the player's fMP4 reader.
func TestRoundTrip(t *testing.T) {
	for _, ti := range []packager.Title{
		{ID: "t1", Duration: 30 * time.Second, SegmentDuration: 4 * time.Second, LadderKbps: []int{3000, 400, 1200}, Seed: 5},
		{ID: "t1", Duration: 10 * time.Second, SegmentDuration: 2 * time.Second, LadderKbps: []int{800, 300},
			FrameRate: 29.97, NoAudio: true, Sidx: true},
	} {
		p, err := packager.Build(ti)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]packager.Rendition{}
		for _, r := range p.Renditions() {
			byID[r.ID] = r
		}
		t.Run("hls", func(t *testing.T) { roundTripHLS(t, p, byID) })
		t.Run("dash", func(t *testing.T) { roundTripDASH(t, p, byID) })
		t.Run("mp4", func(t *testing.T) { roundTripMP4(t, p) })
	}
}

func open(t *testing.T, p *packager.Package, path string) []byte {
	t.Helper()
	b, err := p.Open(path)
	if err != nil {
		t.Fatalf("Open(%q) = %v", path, err)
	}
	return b
}

// path turns a resolved URI back into a package path.
func path(t *testing.T, p *packager.Package, uri string) string {
	t.Helper()
	rel, ok := strings.CutPrefix(uri, base)
	if !ok {
		t.Fatalf("URI %q is not under %s", uri, base)
	}
	if _, ok := p.Size(rel); !ok {
		t.Fatalf("URI %q names no file of the package", uri)
	}
	return rel
}

func roundTripHLS(t *testing.T, p *packager.Package, byID map[string]packager.Rendition) {
	pres, err := manifest.ParseHLS(open(t, p, packager.MasterPlaylist), base+packager.MasterPlaylist)
	if err != nil {
		t.Fatalf("ParseHLS(master) = %v", err)
	}
	audio, hasAudio := byID["a128"]
	var videos []manifest.Rendition
	for _, set := range pres.Periods[0].Sets {
		for _, r := range set.Renditions {
			if r.Type == manifest.Video {
				videos = append(videos, r)
			}
		}
	}
	ladder := p.Title().LadderKbps
	if len(videos) != len(ladder) {
		t.Fatalf("HLS master has %d video renditions; want %d", len(videos), len(ladder))
	}
	for _, v := range videos {
		rel := path(t, p, v.PlaylistURI)
		want := byID[strings.Split(rel, "/")[0]]
		peak, avg := want.PeakBandwidth, want.AverageBandwidth
		if hasAudio {
			peak += audio.PeakBandwidth
			avg += audio.AverageBandwidth
			if v.AudioGroup == "" {
				t.Errorf("%s: no AUDIO group", rel)
			}
		}
		if int64(v.Bandwidth) != peak || int64(v.AverageBandwidth) != avg {
			t.Errorf("%s: BANDWIDTH %d AVERAGE-BANDWIDTH %d; want %d %d", rel, v.Bandwidth, v.AverageBandwidth, peak, avg)
		}
		// Nominal rung within the measured average (boxes and variation aside).
		if kbps := float64(want.AverageBandwidth) / 1000; kbps < float64(want.Kbps)*0.98 || kbps > float64(want.Kbps)*1.02 {
			t.Errorf("%s: average %.0f kbps; catalog says %d", rel, kbps, want.Kbps)
		}
		if v.Width != want.Width || v.Height != want.Height || v.FrameRate == 0 {
			t.Errorf("%s: %dx%d@%v; want %dx%d", rel, v.Width, v.Height, v.FrameRate, want.Width, want.Height)
		}
		media, err := manifest.ParseHLSMedia(open(t, p, rel), v.PlaylistURI)
		if err != nil {
			t.Fatalf("ParseHLSMedia(%s) = %v", rel, err)
		}
		checkSegments(t, p, rel, media.Segments, media.Init)
		if !media.EndList || !media.IndependentSegments {
			t.Errorf("%s: ENDLIST %v INDEPENDENT-SEGMENTS %v; want both", rel, media.EndList, media.IndependentSegments)
		}
	}
}

func roundTripDASH(t *testing.T, p *packager.Package, byID map[string]packager.Rendition) {
	pres, err := manifest.ParseDASH(open(t, p, packager.DASHManifest), base+packager.DASHManifest)
	if err != nil {
		t.Fatalf("ParseDASH = %v", err)
	}
	if pres.Live || pres.Duration != p.Duration() {
		t.Errorf("MPD live %v duration %v; want VOD %v", pres.Live, pres.Duration, p.Duration())
	}
	n := 0
	for _, set := range pres.Periods[0].Sets {
		for _, r := range set.Renditions {
			n++
			want, ok := byID[r.ID]
			if !ok {
				t.Fatalf("MPD representation %q unknown", r.ID)
			}
			if int64(r.Bandwidth) != int64(want.Kbps)*1000 {
				t.Errorf("%s: @bandwidth %d; want %d", r.ID, r.Bandwidth, want.Kbps*1000)
			}
			if r.Codecs != want.Codecs && set.Codecs != want.Codecs {
				t.Errorf("%s: codecs %q; want %q", r.ID, r.Codecs, want.Codecs)
			}
			checkSegments(t, p, r.ID, r.Segments, r.Init)
		}
	}
	if n != len(byID) {
		t.Errorf("MPD has %d representations; want %d", n, len(byID))
	}
}

// checkSegments checks count, total duration and that every URI names a
// file of the package.
func checkSegments(t *testing.T, p *packager.Package, name string, segs []manifest.Segment, init *manifest.InitSegment) {
	t.Helper()
	if len(segs) != p.SegmentCount() {
		t.Fatalf("%s: %d segments; want %d", name, len(segs), p.SegmentCount())
	}
	var total time.Duration
	for _, s := range segs {
		total += s.Duration
		path(t, p, s.URI)
	}
	// Audio segments follow AAC frames: within one frame of the video.
	if d := total - p.Duration(); d < -25*time.Millisecond || d > 25*time.Millisecond {
		t.Errorf("%s: segments last %v; want %v", name, total, p.Duration())
	}
	if init == nil || !strings.HasSuffix(path(t, p, init.URI), packager.InitSegment) {
		t.Errorf("%s: init segment %+v", name, init)
	}
}

func roundTripMP4(t *testing.T, p *packager.Package) {
	for _, r := range p.Renditions() {
		init, err := manifest.ParseInit(open(t, p, r.ID+"/"+packager.InitSegment))
		if err != nil {
			t.Fatalf("%s: ParseInit = %v", r.ID, err)
		}
		if len(init.Tracks) != 1 || !strings.EqualFold(init.Tracks[0].Codec, r.Codecs) || init.Tracks[0].Timescale != r.Timescale {
			t.Errorf("%s: init tracks %+v; want one %s track at %d", r.ID, init.Tracks, r.Codecs, r.Timescale)
		}
		var next uint64
		for k := range r.SegmentSizes {
			seg, err := manifest.ParseMediaSegmentWithInit(open(t, p, r.ID+"/"+packager.SegmentName(k+1)), init)
			if err != nil {
				t.Fatalf("%s seg %d: ParseMediaSegment = %v", r.ID, k+1, err)
			}
			tr := seg.Tracks[0]
			if tr.BaseDecodeTime != next || tr.Duration != r.SegmentTicks[k] || !tr.StartsWithKey {
				t.Errorf("%s seg %d: tfdt %d duration %d key %v; want %d %d true", r.ID, k+1, tr.BaseDecodeTime, tr.Duration, tr.StartsWithKey, next, r.SegmentTicks[k])
			}
			next += tr.Duration
		}
	}
}
