package virtual

import (
	"testing"
)

// A link that collapses while segments download makes the player abandon
// them in virtual time, as the real-time player does.
func TestLinkCollapseAbandons(t *testing.T) {
	tests := []struct {
		name   string
		faults string
		want   bool
	}{
		{"steady link", "[]", false},
		{"capacity collapse", `[{at: 30s, for: 30s, target: "region:eu", kind: slow, latency: 1ms, capacity: 1%}]`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := parse(t, `
viewers: {count: 20, arrival: {process: instant}}
session: {watch_time: 90s}
regions: [{name: eu}]
networks: [{name: n, bandwidth: 20Mbps, rtt: 20ms}]
faults: `+tt.faults+`
slos: ["play_failures.rate < 100%"]
`)
			res, err := Run(s, Options{})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, r := range res.Records {
				n += r.SegmentsAbandoned
			}
			if got := n > 0; got != tt.want {
				t.Errorf("segments abandoned = %d; want abandonments %v", n, tt.want)
			}
			if sum := res.Summarize(); sum.SegmentsAbandoned != n {
				t.Errorf("summary segments_abandoned = %d; want %d", sum.SegmentsAbandoned, n)
			}
		})
	}
}
