package player

import (
	"fmt"
	"testing"
	"time"

	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/player/transport"
)

// liveStream is an HLS live stream: 2s segments, a 6-segment window, and
// at core time 0 segment 10 is the newest.
type liveStream struct {
	seg      time.Duration
	window   int
	ended    time.Duration // the stream ends (EXT-X-ENDLIST) at this time; 0 never
	holdBack time.Duration // EXT-X-SERVER-CONTROL HOLD-BACK; 0 none
}

func (l liveStream) presentation() *manifest.Presentation {
	p := &manifest.Presentation{Format: manifest.FormatHLS, URI: "http://a.test/master.m3u8"}
	set := manifest.AdaptationSet{Type: manifest.Video}
	for i, b := range []int{500_000, 1_500_000} {
		set.Renditions = append(set.Renditions, manifest.Rendition{ID: fmt.Sprint(i), Type: manifest.Video, Bandwidth: b,
			PlaylistURI: fmt.Sprintf("http://a.test/v%d.m3u8", i)})
	}
	p.Periods = []manifest.Period{{Sets: []manifest.AdaptationSet{set}}}
	return p
}

func (l liveStream) playlist(uri string, now time.Duration) *manifest.MediaPlaylist {
	newest := 10 + int(now/l.seg)
	endList := false
	if l.ended > 0 && now >= l.ended {
		newest, endList = 10+int(l.ended/l.seg), true
	}
	first := max(1, newest-l.window+1)
	m := &manifest.MediaPlaylist{URI: uri, TargetDuration: l.seg, MediaSequence: uint64(first), EndList: endList}
	if l.holdBack > 0 {
		m.ServerControl = &manifest.ServerControl{HoldBack: l.holdBack}
	}
	for n := first; n <= newest; n++ {
		m.Segments = append(m.Segments, manifest.Segment{Number: uint64(n), URI: fmt.Sprintf("%s/%d.ts", uri, n),
			Start: time.Duration(n-first) * l.seg, Duration: l.seg})
	}
	return m
}

func newLiveSim(t *testing.T, l liveStream) *sim {
	s := newSim(t, CoreConfig{}, 10e6)
	s.body = func(a Action) Outcome {
		if a.Kind != transport.KindManifest || a.Track != TrackVideo {
			t.Fatalf("unexpected request %v", a)
		}
		return Outcome{Status: 200, Media: l.playlist(a.URL, s.now)}
	}
	s.c.LoadPresentation(0, l.presentation())
	return s
}

// latency is how far the playhead is behind the live edge of the current list.
func latency(c *Core, now time.Duration) time.Duration {
	t := &c.tracks[c.abrTrack]
	l := &t.levels[t.ladder[t.rung]]
	return c.liveEdge(l) - c.Position(now)
}

func TestCoreLiveEdgeAndRefresh(t *testing.T) {
	l := liveStream{seg: 2 * time.Second, window: 6}
	s := newLiveSim(t, l)
	s.run(90 * time.Second)
	if !s.c.live {
		t.Fatal("core does not see the stream as live")
	}
	q := s.c.QoE(s.now)
	if q.Stalls != 0 || !q.Started {
		t.Errorf("stalls %d started %v; want 0 and true\n%s", q.Stalls, q.Started, s.log())
	}
	if lat := latency(s.c, s.now); lat < 2*time.Second || lat > 12*time.Second {
		t.Errorf("latency = %v; want about 3 target durations", lat)
	}
	refreshes := 0
	for _, a := range s.fetch {
		if a.Kind == transport.KindManifest {
			refreshes++
		}
	}
	if refreshes < 30 || refreshes > 100 {
		t.Errorf("playlist loads in 90s = %d; want one per 1-2s", refreshes)
	}
	if q.PlayTime < 80*time.Second {
		t.Errorf("play time = %v; want about 90s", q.PlayTime)
	}
}

func TestCoreLiveStartDelay(t *testing.T) {
	tests := []struct {
		name     string
		holdBack time.Duration
		cfg      time.Duration
		want     time.Duration // behind the edge of the first list (20s)
	}{
		{"three target durations", 0, 0, 6 * time.Second},
		{"HOLD-BACK", 4 * time.Second, 0, 4 * time.Second},
		{"configured", 4 * time.Second, 10 * time.Second, 10 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := liveStream{seg: 2 * time.Second, window: 10, holdBack: tc.holdBack}
			s := newSim(t, CoreConfig{LiveDelay: tc.cfg}, 10e6)
			s.body = func(a Action) Outcome { return Outcome{Status: 200, Media: l.playlist(a.URL, s.now)} }
			s.c.LoadPresentation(0, l.presentation())
			s.run(5 * time.Second)
			e, ok := s.first(EventFirstFrame)
			// the first list holds segments 1-10: 20s, edge at 20s
			if !ok || e.Position != 20*time.Second-tc.want {
				t.Errorf("first frame at position %v (found %v); want %v", e.Position, ok, 20*time.Second-tc.want)
			}
		})
	}
}

func TestCoreLiveCatchUpAfterPause(t *testing.T) {
	l := liveStream{seg: 2 * time.Second, window: 6}
	s := newLiveSim(t, l)
	s.run(20 * time.Second)
	s.c.Pause(s.now)
	s.run(60 * time.Second) // the window moved 20 segments on
	s.c.Play(s.now)
	s.run(90 * time.Second)
	if s.c.State() != StatePlaying {
		t.Fatalf("state = %v; want playing\n%s", s.c.State(), s.log())
	}
	if lat := latency(s.c, s.now); lat > 15*time.Second {
		t.Errorf("latency after resuming = %v; want caught up (< 15s)\n%s", lat, s.log())
	}
}

func TestCoreLiveEndList(t *testing.T) {
	l := liveStream{seg: 2 * time.Second, window: 6, ended: 30 * time.Second}
	s := newLiveSim(t, l)
	s.run(3 * time.Minute)
	if s.c.State() != StateEnded {
		t.Fatalf("state = %v; want ended after EXT-X-ENDLIST\n%s", s.c.State(), s.log())
	}
}

// dashLive is a dynamic MPD whose segment window moves with the time: at
// core time now the newest 2s segment ends at 60s + now on the period timeline.
func dashLive(now time.Duration) *manifest.Presentation {
	p := &manifest.Presentation{Format: manifest.FormatDASH, URI: "http://a.test/live.mpd", Live: true,
		MinUpdatePeriod: 2 * time.Second, SuggestedDelay: 6 * time.Second}
	newest := int((60*time.Second + now) / (2 * time.Second))
	set := manifest.AdaptationSet{ID: "v", Type: manifest.Video}
	for i, b := range []int{500_000, 1_500_000} {
		r := manifest.Rendition{ID: fmt.Sprint(i), Type: manifest.Video, Bandwidth: b, Loaded: true, TargetDuration: 2 * time.Second}
		for n := newest - 9; n < newest; n++ {
			r.Segments = append(r.Segments, manifest.Segment{Number: uint64(n), URI: fmt.Sprintf("http://a.test/%d/%d.m4s", i, n),
				Start: time.Duration(n) * 2 * time.Second, Duration: 2 * time.Second})
		}
		set.Renditions = append(set.Renditions, r)
	}
	p.Periods = []manifest.Period{{ID: "p0", Sets: []manifest.AdaptationSet{set}}}
	return p
}

func TestCoreDASHLiveRefresh(t *testing.T) {
	s := newSim(t, CoreConfig{}, 10e6)
	mpds := 0
	s.body = func(a Action) Outcome {
		if a.Kind != transport.KindManifest || a.Track != TrackNone {
			t.Fatalf("unexpected request %v", a)
		}
		mpds++
		return Outcome{Status: 200, Presentation: dashLive(s.now)}
	}
	s.c.LoadPresentation(0, dashLive(0))
	if pos := s.c.Position(0); pos != 54*time.Second {
		t.Errorf("start position = %v; want the live edge 60s minus the suggested 6s", pos)
	}
	s.run(60 * time.Second)
	q := s.c.QoE(s.now)
	if q.Stalls != 0 || q.PlayTime < 55*time.Second {
		t.Errorf("stalls %d play %v; want 0 and about 60s\n%s", q.Stalls, q.PlayTime, s.log())
	}
	if mpds < 20 {
		t.Errorf("MPD refreshes = %d; want one per minimumUpdatePeriod (2s)", mpds)
	}
	if lat := 60*time.Second + s.now - s.c.Position(s.now); lat > 10*time.Second {
		t.Errorf("latency = %v; want about 6s", lat)
	}
}
