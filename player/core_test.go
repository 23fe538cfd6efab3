package player

import (
	"github.com/abrkit/abrkit/abr"
	"testing"
	"time"
)

var ladder = []int{300_000, 800_000, 1_500_000, 3_000_000}

func TestCoreStartupAndSteadyState(t *testing.T) {
	p := content(30, 2*time.Second, ladder...)
	s := newSim(t, CoreConfig{}, 10e6)
	s.c.LoadPresentation(0, p)
	s.run(10 * time.Minute)
	q := s.c.QoE(s.now)
	if s.c.State() != StateEnded {
		t.Fatalf("state = %v; want ended\n%s", s.c.State(), s.log())
	}
	if !q.Started || q.StartupTime <= 0 || q.StartupTime > 2*time.Second {
		t.Errorf("startup = %v (started %v); want within (0, 2s]", q.StartupTime, q.Started)
	}
	if q.Stalls != 0 {
		t.Errorf("stalls = %d; want 0\n%s", q.Stalls, s.log())
	}
	if q.Segments != 60 {
		t.Errorf("segments = %d; want 60 (30 video + 30 audio)", q.Segments)
	}
	lv := s.levels()
	if lv[0] != 800_000 {
		t.Errorf("start level = %d; want 800000 (the highest under the assumed 1 Mbit/s start bandwidth)", lv[0])
	}
	if got := lv[len(lv)-1]; got != 3_000_000 {
		t.Errorf("last level = %d; want 3000000 on a 10 Mbit/s link (levels %v)", got, lv)
	}
	if q.PlayTime != 60*time.Second {
		t.Errorf("play time = %v; want 60s", q.PlayTime)
	}
	if q.AvgBitrate < 2_000_000 {
		t.Errorf("avg bitrate = %.0f; want > 2 Mbit/s", q.AvgBitrate)
	}
	if s.count(EventFirstFrame) != 1 || s.count(EventEnded) != 1 {
		t.Errorf("first frame %d, ended %d events; want 1 each", s.count(EventFirstFrame), s.count(EventEnded))
	}
}

func TestCoreBandwidthDropAndRecovery(t *testing.T) {
	p := content(150, 2*time.Second, ladder...)
	s := newSim(t, CoreConfig{ABR: abr.NewThroughput()}, 0) // the rule this test pins
	s.bw = func(now time.Duration) float64 {
		switch {
		case now < 60*time.Second:
			return 8e6
		case now < 150*time.Second:
			return 1.2e6
		}
		return 8e6
	}
	s.c.LoadPresentation(0, p)
	s.run(60 * time.Second)
	if got := s.c.Bitrate(); got != 3_000_000 {
		t.Fatalf("bitrate at 60s = %d; want 3000000\n%s", got, s.log())
	}
	s.run(150 * time.Second)
	q := s.c.QoE(s.now)
	if q.Stalls != 0 {
		t.Errorf("stalls after the drop = %d; want 0 (switch down before the buffer empties)\n%s", q.Stalls, s.log())
	}
	if got := s.c.Bitrate(); got > 800_000 {
		t.Errorf("bitrate at 150s = %d; want <= 800000 on a 1.2 Mbit/s link", got)
	}
	s.run(200 * time.Second)
	if got := s.c.Bitrate(); got < 1_500_000 {
		t.Errorf("bitrate 50s after recovery = %d; want >= 1500000\n%s", got, s.log())
	}
	if q := s.c.QoE(s.now); q.SwitchesDown == 0 || q.SwitchesUp == 0 {
		t.Errorf("switches up/down = %d/%d; want both > 0", q.SwitchesUp, q.SwitchesDown)
	}
	var firstDown, firstUpAfter time.Duration
	for _, e := range s.events {
		if e.Kind != EventRenditionSwitch {
			continue
		}
		if e.Position%(2*time.Second) != 0 {
			t.Errorf("switch at position %v; want a segment boundary", e.Position)
		}
		if e.Bitrate < e.FromBitrate && firstDown == 0 && e.At >= 60*time.Second {
			firstDown = e.At
		}
		if e.Bitrate > e.FromBitrate && firstUpAfter == 0 && e.At >= 150*time.Second {
			firstUpAfter = e.At
		}
	}
	if firstDown == 0 || firstDown > 90*time.Second {
		t.Errorf("first switch down shown at %v; want within 30s of the drop at 60s", firstDown)
	}
	if firstUpAfter == 0 || firstUpAfter > 180*time.Second {
		t.Errorf("first switch up shown at %v; want within 30s of the recovery at 150s", firstUpAfter)
	}
}

func TestCoreSeek(t *testing.T) {
	p := content(60, 2*time.Second, ladder...)
	tests := []struct {
		name     string
		to       time.Duration
		inBuffer bool
	}{
		{"forward outside", 90 * time.Second, false},
		{"forward inside", 25 * time.Second, true},
		{"back inside back buffer", 15 * time.Second, true},
		{"back outside", 2 * time.Second, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSim(t, CoreConfig{}, 10e6)
			s.c.LoadPresentation(0, p)
			s.run(20 * time.Second)
			before := len(s.fetch)
			s.c.Seek(s.now, tc.to)
			s.run(s.now + 5*time.Second)
			if _, ok := s.first(EventSeekDone); !ok {
				t.Fatalf("no seek_done event\n%s", s.log())
			}
			pos := s.c.Position(s.now)
			if pos < tc.to || pos > tc.to+5*time.Second {
				t.Errorf("position 5s after seek to %v = %v", tc.to, pos)
			}
			refetched := false
			for _, a := range s.fetch[before:] {
				if a.Start <= tc.to && tc.to < a.Start+a.Duration {
					refetched = true
				}
			}
			if refetched == tc.inBuffer {
				t.Errorf("segment at %v fetched again = %v; want %v", tc.to, refetched, !tc.inBuffer)
			}
			if q := s.c.QoE(s.now); q.Stalls != 0 || q.Seeks != 1 {
				t.Errorf("stalls %d seeks %d; want 0 and 1", q.Stalls, q.Seeks)
			}
		})
	}
}

func TestCorePauseResume(t *testing.T) {
	p := content(30, 2*time.Second, ladder...)
	s := newSim(t, CoreConfig{}, 10e6)
	s.c.LoadPresentation(0, p)
	s.run(10 * time.Second)
	s.c.Pause(s.now)
	pos := s.c.Position(s.now)
	s.run(20 * time.Second)
	if s.c.State() != StatePaused || s.c.Position(s.now) != pos {
		t.Fatalf("paused: state %v position %v; want paused at %v", s.c.State(), s.c.Position(s.now), pos)
	}
	s.c.Play(s.now)
	s.run(2 * time.Minute)
	if s.c.State() != StateEnded {
		t.Errorf("state = %v; want ended", s.c.State())
	}
}

func TestCoreMaxBitrate(t *testing.T) {
	p := content(20, 2*time.Second, ladder...)
	s := newSim(t, CoreConfig{MaxBitrate: 1_000_000}, 20e6)
	s.c.LoadPresentation(0, p)
	s.run(time.Minute)
	for _, b := range s.levels() {
		if b > 1_000_000 {
			t.Fatalf("fetched %d with a 1 Mbit/s cap", b)
		}
	}
}

func TestCoreDuration(t *testing.T) {
	tests := []struct {
		name     string
		declared time.Duration
		want     time.Duration
	}{
		{"declared by the manifest", 45 * time.Second, 45 * time.Second},
		{"from the loaded segments (HLS)", 0, 40 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := content(20, 2*time.Second, ladder...)
			p.Duration = tt.declared
			s := newSim(t, CoreConfig{}, 10e6)
			if got := s.c.Duration(); got != 0 {
				t.Errorf("Duration() before load = %v; want 0", got)
			}
			s.c.LoadPresentation(0, p)
			s.run(5 * time.Second)
			if got := s.c.Duration(); got != tt.want {
				t.Errorf("Duration() = %v; want %v", got, tt.want)
			}
		})
	}
}
