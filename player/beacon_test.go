package player

import (
	"fmt"
	"testing"
	"time"
)

// beaconLog renders beacons as "kind@seconds" for comparison.
func beaconLog(bs []issued) string {
	s := ""
	for _, b := range bs {
		s += fmt.Sprintf("%s@%.0f ", b.Beacon, b.at.Seconds())
	}
	return s
}

func TestCoreBeacons(t *testing.T) {
	cases := []struct {
		name     string
		interval time.Duration
		segs     int
		fail     bool
		run      time.Duration
		end      bool // call End after run
		want     string
	}{
		{"title ends", 0, 30, false, 5 * time.Minute, false, "start@0 beacon@30 beacon@60 end@60 "},
		{"viewer leaves", 10 * time.Second, 100, false, 25 * time.Second, true, "start@0 beacon@10 beacon@20 end@25 "},
		{"fatal error", 0, 100, true, 5 * time.Minute, true, "error@4 "},
		{"off", -1, 30, false, 5 * time.Minute, true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newSim(t, CoreConfig{BeaconInterval: tc.interval}, 10e6)
			if tc.fail {
				s.fail = func(Action, time.Duration) bool { return true }
			}
			s.c.LoadPresentation(0, content(tc.segs, 2*time.Second, ladder...))
			s.run(tc.run)
			if tc.end {
				for _, a := range s.c.End(s.now, nil) {
					s.start(a)
				}
				if again := s.c.End(s.now+time.Second, nil); len(again) != 0 {
					t.Errorf("second End = %v; want nothing", again)
				}
				if acts, wake := s.c.Poll(s.now+time.Minute, nil); len(acts) != 0 || wake != Never {
					t.Errorf("Poll after End = %v, %v; want nothing, Never", acts, wake)
				}
			}
			if got := beaconLog(s.beacon); got != tc.want {
				t.Errorf("beacons = %q; want %q", got, tc.want)
			}
		})
	}
}

func TestCoreEndCancelsAndFreezes(t *testing.T) {
	s := newSim(t, CoreConfig{}, 2e6)
	s.c.LoadPresentation(0, content(100, 2*time.Second, ladder...))
	s.run(20 * time.Second)
	if len(s.fl) == 0 {
		t.Fatal("no fetch in flight at 20s; the test needs one")
	}
	acts := s.c.End(s.now, nil)
	cancels := 0
	for _, a := range acts {
		if a.Op == OpCancel {
			cancels++
		}
	}
	if cancels != len(s.fl) {
		t.Errorf("End cancelled %d fetches; want the %d in flight", cancels, len(s.fl))
	}
	q1 := s.c.QoE(s.now)
	q2 := s.c.QoE(s.now + time.Hour)
	if q1.PlayTime != q2.PlayTime || q1.StallTime != q2.StallTime || s.c.Position(s.now+time.Hour) != s.c.Position(s.now) {
		t.Errorf("QoE moved after End: %v/%v -> %v/%v", q1.PlayTime, q1.StallTime, q2.PlayTime, q2.StallTime)
	}
}
