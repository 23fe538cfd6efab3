package player

import (
	"testing"
	"time"

	"github.com/abrkit/abrkit/player/transport"
)

func TestCoreStartupProbing(t *testing.T) {
	cases := []struct {
		name       string
		probes     int
		rtt        time.Duration
		failA      bool
		wantProbes int
		wantServer string
		mediaFrom  time.Duration // no media request before
	}{
		{"off by default", 0, 20 * time.Millisecond, true, 0, "a", 0},
		{"rank 1 fails its probe", 2, 20 * time.Millisecond, true, 2, "b", 20 * time.Millisecond},
		{"rank 1 answers", 2, 20 * time.Millisecond, false, 2, "a", 20 * time.Millisecond},
		{"no answer by the timeout", 2, 3 * time.Second, false, 2, "a", 2 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newSim(t, CoreConfig{Edges: twoEdges, ProbeEdges: tc.probes}, 10e6)
			s.rtt = tc.rtt
			if tc.failA {
				s.fail = func(a Action, now time.Duration) bool { return a.Server == "a" && now < 5*time.Second }
			}
			s.c.LoadPresentation(0, content(20, 2*time.Second, ladder...))
			s.run(30 * time.Second)
			probes := 0
			for _, a := range s.fetch {
				switch {
				case a.Kind == transport.KindProbe:
					probes++
					if a.at != 0 {
						t.Errorf("probe at %v; want at load", a.at)
					}
				case a.Kind == transport.KindMedia && a.at < tc.mediaFrom:
					t.Errorf("media request at %v, before probing ended (%v)", a.at, tc.mediaFrom)
				}
			}
			if probes != tc.wantProbes {
				t.Errorf("probes = %d; want %d", probes, tc.wantProbes)
			}
			if got := s.c.Server(); got != tc.wantServer {
				t.Errorf("server = %q; want %q\n%s", got, tc.wantServer, s.log())
			}
			if tc.probes > 0 && s.c.QoE(s.now).ServerChanges != 0 {
				t.Errorf("server changes = %d; want 0 (the probe's choice is the start)", s.c.QoE(s.now).ServerChanges)
			}
		})
	}
}
