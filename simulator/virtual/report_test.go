package virtual

import (
	"testing"
)

// Steering ranks an edge whose viewers starve (their CMCD says bs) lower
// for new viewers, as the real steering does; with CMCD off it cannot
// know, so the control run keeps sending viewers there. The edge answers
// 4s late but has spare egress, so load alone does not rank it down.
func TestCMCDStarvationSteersAway(t *testing.T) {
	run := func(cmcd string) (slowReqs, allReqs int64, starved, sessions int64) {
		s := parse(t, `
cmcd: `+cmcd+`
viewers: {count: 150, arrival: {process: poisson, rate: 2/s}}
session: {watch_time: 90s}
regions: [{name: eu}]
networks: [{name: n, bandwidth: 20Mbps, rtt: 20ms}]
faults: [{at: 0s, for: 30m, target: "edge:eu-1", kind: slow, latency: 4s}]
`)
		res, err := Run(s, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range res.Edges {
			allReqs += e.Requests
			starved += e.CMCDStarved
			sessions += e.CMCDSessions
			if e.Name == "eu-1" {
				slowReqs = e.Requests
			}
		}
		return
	}
	onSlow, onAll, starved, sessions := run("query")
	offSlow, offAll, offStarved, offSessions := run("off")
	t.Logf("eu-1 requests: cmcd %d/%d (starved %d, sessions %d), off %d/%d", onSlow, onAll, starved, sessions, offSlow, offAll)
	if starved == 0 || sessions == 0 {
		t.Fatalf("with CMCD the edges counted %d starved requests and %d sessions; want both > 0", starved, sessions)
	}
	if offStarved != 0 || offSessions != 0 {
		t.Errorf("with cmcd off the edges counted %d starved, %d sessions; want 0", offStarved, offSessions)
	}
	on, off := float64(onSlow)/float64(onAll), float64(offSlow)/float64(offAll)
	if on >= off*0.7 {
		t.Errorf("share of requests on the starving edge: %.3f with CMCD, %.3f without; want clearly lower with CMCD", on, off)
	}
}
