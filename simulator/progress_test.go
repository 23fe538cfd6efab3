package simulator

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/simulator/policy"
)

func TestBar(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	tests := []struct {
		name  string
		tty   bool
		wall  time.Duration // since the bar was made
		p     policy.Progress
		wants []string
	}{
		{"nothing finished yet", false, 10 * time.Second,
			policy.Progress{Now: 3 * time.Minute, Horizon: 9 * time.Minute, Started: 300, InFlight: 300, Total: 300},
			[]string{"progress  33%", "t=3m0s", "300 started, 300 in flight, 0/300 finished", "ETA 20s"}},
		{"terminal", true, 30 * time.Second,
			policy.Progress{Now: time.Minute, Horizon: 2 * time.Minute, Started: 10, InFlight: 4, Finished: 6, Total: 10},
			[]string{"\r[###", "60%", "6/10 finished", "ETA 20s"}},
		{"done", false, time.Minute,
			policy.Progress{Now: time.Minute, Horizon: time.Minute, Started: 5, Finished: 5, Total: 5},
			[]string{"100%", "ETA 0s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			br := newBar(&b, tt.tty, clock)
			now = now.Add(tt.wall)
			br.update(tt.p)
			for _, w := range tt.wants {
				if !strings.Contains(b.String(), w) {
					t.Errorf("bar.update(%+v) = %q; want it to contain %q", tt.p, b.String(), w)
				}
			}
		})
	}
}
