package virtual

import (
	"context"
	"github.com/abrkit/abrkit/simulator/policy"
	"testing"
	"time"
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

// Cancelling the context stops a run promptly and keeps what was
// measured so far.
func TestRunContextInterrupted(t *testing.T) {
	s := load(t, "../../scenarios/quickstart.yaml")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var atCancel time.Duration
	res, err := RunContext(ctx, s, Options{Progress: func(p policy.Progress) {
		now := p.Now
		if now >= 30*time.Second && atCancel == 0 {
			atCancel = now
			cancel()
		}
	}})
	if err != nil {
		t.Fatalf("RunContext = %v; want partial results", err)
	}
	if res.Aborted != Interrupted {
		t.Errorf("Aborted = %q; want %q", res.Aborted, Interrupted)
	}
	if res.SimSeconds > (atCancel + time.Second).Seconds() {
		t.Errorf("ran to %.1fs of simulated time after a cancel at %v; want a prompt stop", res.SimSeconds, atCancel)
	}
	if len(res.Records) == 0 || len(res.Records) == s.Viewers.Count && res.SimSeconds > 200 {
		t.Errorf("%d records; want the sessions measured so far", len(res.Records))
	}
}

// Progress moves while sessions play, before any has finished.
func TestProgressMoves(t *testing.T) {
	s := parse(t, `
viewers: {count: 20, arrival: {process: instant}}
session: {watch_time: 2m}
regions: [{name: eu}]
networks: [{name: n, bandwidth: 10Mbps, rtt: 20ms}]
`)
	var early []policy.Progress
	_, err := Run(s, Options{Progress: func(p policy.Progress) {
		if p.Finished == 0 {
			early = append(early, p)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(early) < 2 {
		t.Fatalf("%d progress reports before the first session ended; want several", len(early))
	}
	last := early[len(early)-1]
	if last.Started != 20 || last.InFlight != 20 || last.Now <= early[0].Now || last.Fraction() <= early[0].Fraction() {
		t.Errorf("progress before any finished: first %+v, last %+v; want 20 in flight and a growing fraction", early[0], last)
	}
}

// Players' telemetry beacons are load on the control plane's intake
// (api.events), which SLOs can name; they never reach an edge.
func TestBeaconsLoadTheIntake(t *testing.T) {
	s := parse(t, `
viewers: {count: 20, arrival: {process: instant}}
session: {watch_time: 70s}
regions: [{name: eu}]
networks: [{name: n, bandwidth: 10Mbps, rtt: 20ms}]
slos: ["api.events.latency.p99 < 1s", "api.events.errors.rate < 1%"]
`)
	res, err := Run(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// start, two periodic (30 s, 60 s) and the end; posts still in
	// flight when the last session ends are not answered
	if n := res.Classes["api.events"].Count; n <= 3*20 || n > 4*20 {
		t.Errorf("api.events requests = %d; want start, periodic and end beacons (61..80)", n)
	}
	if sum := res.Summarize(); !sum.Passed {
		t.Errorf("SLOs on api.events: %+v", sum.SLOs)
	}
}
