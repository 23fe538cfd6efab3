package player

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/internal/lltest"
	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/player/transport"
)

// llSim plays an LL-HLS channel (2 s segments, 0.5 s parts) that started
// a minute before core time 0; the sim's server holds blocking playlist
// reloads and preload-hinted parts until they are complete.
func llSim(t *testing.T, cfg CoreConfig, skip time.Duration) (*sim, *lltest.Channel) {
	return llSimLadder(t, cfg, skip, []int{500_000, 1_500_000})
}

// llSimLadder is llSim with the channel's ladder (bits/s, ascending).
func llSimLadder(t *testing.T, cfg CoreConfig, skip time.Duration, ladder []int) (*sim, *lltest.Channel) {
	ch := &lltest.Channel{Start: wall.Add(-time.Minute), Seg: 2 * time.Second, Part: 500 * time.Millisecond,
		Window: 6, Bitrates: ladder, SkipUntil: skip}
	cfg.Epoch = wall
	s := newSim(t, cfg, 20e6)
	s.rtt = 10 * time.Millisecond
	s.hold = func(a Action) time.Duration {
		u, err := url.Parse(a.URL)
		if err != nil {
			t.Fatal(err)
		}
		if at := ch.Ready(u); !at.IsZero() {
			return at.Sub(wall)
		}
		return 0
	}
	s.body = func(a Action) Outcome {
		u, err := url.Parse(a.URL)
		if err != nil {
			t.Fatal(err)
		}
		vs, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/v"), "/")
		v, err := strconv.Atoi(vs)
		if err != nil {
			t.Fatalf("request %s", a.URL)
		}
		return Outcome{Status: 200, Body: []byte(ch.Playlist(v, wall.Add(s.now), u.Query().Get("_HLS_skip") == "YES"))}
	}
	p, err := manifest.Parse([]byte(ch.Master()), "http://ll.test/master.m3u8")
	if err != nil {
		t.Fatal(err)
	}
	s.c.LoadPresentation(0, p)
	return s, ch
}

func TestCoreLowLatencyHLS(t *testing.T) {
	s, _ := llSim(t, CoreConfig{}, 12*time.Second)
	s.run(60 * time.Second)
	q := s.c.QoE(s.now)
	if !q.Started || q.Stalls > 0 || q.FatalError != "" {
		t.Fatalf("started %v stalls %d error %q\n%s", q.Started, q.Stalls, q.FatalError, s.log())
	}
	// PART-HOLD-BACK is 1.5 s; parts are whole when listed
	if q.LiveLatencySeconds < 1.4 || q.LiveLatencySeconds > 2.2 || q.LiveLatencyP95Seconds > 2.5 {
		t.Errorf("latency mean %vs p95 %vs; want about PART-HOLD-BACK (1.5-2.2s)", q.LiveLatencySeconds, q.LiveLatencyP95Seconds)
	}
	var parts, hinted, blocking, delta, plain int
	for _, a := range s.fetch {
		u, _ := url.Parse(a.URL)
		switch {
		case a.Kind == transport.KindMedia && strings.Count(u.Path, ".") == 2:
			parts++
		case a.Kind == transport.KindManifest && u.Query().Get("_HLS_msn") != "":
			blocking++
			if u.Query().Get("_HLS_skip") == "YES" {
				delta++
			}
		case a.Kind == transport.KindManifest:
			plain++
		}
		if a.Kind == transport.KindMedia && s.hold(a.Action) > a.at {
			hinted++ // asked for before it was complete: a preload hint
		}
	}
	if parts < 100 {
		t.Errorf("parts loaded = %d in 60s; want the edge followed part by part (about 120)", parts)
	}
	if hinted < 50 {
		t.Errorf("parts requested from preload hints = %d; want most", hinted)
	}
	if blocking < 100 || delta < 100 || plain > 3 {
		t.Errorf("playlists: %d blocking (%d delta), %d plain; want one blocking delta reload per part", blocking, delta, plain)
	}
	if n := s.fetched(transport.KindInit, ""); n > 2 {
		t.Errorf("init fetched %d times; want once per rendition", n)
	}
	if r := s.c.Rate(); r < minRate || r > maxRate {
		t.Errorf("rate %v outside [%v, %v]", r, minRate, maxRate)
	}
}

func TestCoreLowLatencyOff(t *testing.T) {
	s, _ := llSim(t, CoreConfig{NoLowLatency: true}, 0)
	s.run(40 * time.Second)
	q := s.c.QoE(s.now)
	if !q.Started || q.Stalls > 0 {
		t.Fatalf("started %v stalls %d\n%s", q.Started, q.Stalls, s.log())
	}
	if s.fetched(transport.KindManifest, "_HLS_msn") > 0 {
		t.Error("blocking reloads without low-latency mode")
	}
	// HOLD-BACK is 6 s
	if q.LiveLatencySeconds < 5 || q.LiveLatencySeconds > 9 {
		t.Errorf("latency %vs; want about HOLD-BACK (6s)", q.LiveLatencySeconds)
	}
}

func TestCoreTargetLatencyCatchUp(t *testing.T) {
	// start 6 s behind (LiveDelay) with a 2 s target: the rate brings
	// the latency down within 0.95-1.05x, without a jump
	s, _ := llSim(t, CoreConfig{LiveDelay: 6 * time.Second}, 0)
	s.run(time.Second)
	start := latencyLL(s)
	s.c.cfg.TargetLatency = 2 * time.Second
	s.c.cfg.LiveDelay = 0 // the start used it; the target holds from here
	rates := map[bool]int{}
	for s.now < 3*time.Minute {
		s.run(s.now + time.Second)
		r := s.c.Rate()
		if r < minRate || r > maxRate {
			t.Fatalf("rate %v outside [%v, %v]", r, minRate, maxRate)
		}
		rates[r > 1]++
	}
	end := latencyLL(s)
	if q := s.c.QoE(s.now); q.Stalls > 0 || q.Seeks > 0 {
		t.Errorf("stalls %d seeks %d; want a smooth catch-up", q.Stalls, q.Seeks)
	}
	if start < 5*time.Second || end > 2500*time.Millisecond || rates[true] == 0 {
		t.Errorf("latency %v -> %v (faster for %ds); want about 6s down to about 2s", start, end, rates[true])
	}
}

// latencyLL is the live latency at the playhead now (wall clock minus
// program date-time).
func latencyLL(s *sim) time.Duration {
	lat, _ := s.c.latencyAt(s.now, s.c.Position(s.now))
	return lat
}

func TestCoreLowLatencySwitchUsesRenditionReport(t *testing.T) {
	s, _ := llSim(t, CoreConfig{}, 0)
	s.run(20 * time.Second)
	s.c.SetLevel(1) // the viewer picks the high rung: a switch mid-stream
	s.run(40 * time.Second)
	if q := s.c.QoE(s.now); !q.Started || q.FatalError != "" || q.Switches == 0 {
		t.Fatalf("started %v switches %d error %q; want a switch up\n%s", q.Started, q.Switches, q.FatalError, s.log())
	}
	var first *issued
	for i, a := range s.fetch {
		if a.Kind == transport.KindManifest && strings.Contains(a.URL, "/v1/") {
			first = &s.fetch[i]
			break
		}
	}
	if first == nil {
		t.Fatal("the high rung's playlist was never loaded")
	}
	u, _ := url.Parse(first.URL)
	msn, err1 := strconv.Atoi(u.Query().Get("_HLS_msn"))
	part, err2 := strconv.Atoi(u.Query().Get("_HLS_part"))
	if err1 != nil || err2 != nil {
		t.Fatalf("first request for the high rung %q; want a blocking request from v0's rendition report", first.URL)
	}
	// the report names the newest part at the time of the switch
	at := wall.Add(first.at)
	if edge := at.Sub(wall.Add(-time.Minute)); time.Duration(msn)*2*time.Second+time.Duration(part+1)*500*time.Millisecond > edge+500*time.Millisecond {
		t.Errorf("report-based request msn %d part %d at %v after the start; want a part that exists", msn, part, edge)
	}
}

func TestCoreLiveDVRSeek(t *testing.T) {
	s, _ := llSim(t, CoreConfig{}, 0)
	latency := func() time.Duration {
		l, ok := s.c.latencyAt(s.now, s.c.Position(s.now))
		if !ok {
			t.Fatal("no latency")
		}
		return l
	}
	s.run(10 * time.Second)
	if l := latency(); l > 3*time.Second {
		t.Fatalf("latency %v at the live edge; want about 2s", l)
	}
	start, end, ok := s.c.SeekRange()
	// the window holds 6 segments (12s); the edge is PART-HOLD-BACK/2 ahead of the playhead at most
	if !ok || end-start < 8*time.Second || end < s.c.Position(s.now) {
		t.Fatalf("SeekRange = %v..%v %v at position %v; want the DVR window", start, end, ok, s.c.Position(s.now))
	}
	s.c.Seek(s.now, start+time.Second) // back into the window
	s.run(25 * time.Second)
	if l := latency(); l < 8*time.Second {
		t.Errorf("latency %v 15s after seeking back; want the time shift kept (no catch-up)", l)
	}
	if r := s.c.Rate(); r != 1 {
		t.Errorf("rate %v while time-shifted; want 1", r)
	}
	s.c.Seek(s.now, 0) // before the window: clamped to its start
	s.run(26 * time.Second)
	if st, _, _ := s.c.SeekRange(); s.c.Position(s.now) < st-time.Second {
		t.Errorf("position %v before the window start %v", s.c.Position(s.now), st)
	}
	s.c.SeekToLive(s.now)
	s.run(35 * time.Second)
	if l := latency(); l > 3*time.Second {
		t.Errorf("latency %v after SeekToLive; want about 2s", l)
	}
	if q := s.c.QoE(s.now); q.FatalError != "" || q.Seeks != 3 {
		t.Errorf("error %q seeks %d; want none and 3", q.FatalError, q.Seeks)
	}
}
