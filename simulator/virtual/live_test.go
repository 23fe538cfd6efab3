package virtual

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/simulator/results"
)

// liveEvent is a small live event: everyone joins the default topology's
// live channel within 30s, on links that hold its top rung; eu-1 is
// lost at the peak.
const liveEvent = `
name: live-event-small
viewers: {count: 400, arrival: {process: poisson, rate: 15/s}}
regions: [{name: eu, weight: 1}]
session: {watch_time: 60s}
content: {live_channels: 1, live_share: 100%, format: dash}
networks: [{name: n, bandwidth: 8Mbps, rtt: 20ms}]
faults:
  - {at: 40s, target: "edge:eu-1", kind: down, for: 30s}
slos:
  - live_latency.p95 < 10s
  - origin.requests_per_object <= 1
`

func TestLiveEvent(t *testing.T) {
	for _, collapse := range []bool{true, false} {
		s := parse(t, liveEvent)
		s.Topology.LiveEdges.Collapse = &collapse
		res, err := Run(s, Options{})
		if err != nil {
			t.Fatal(err)
		}
		sum := res.Summarize()
		l := sum.Live
		if l == nil {
			t.Fatalf("collapse %v: no live summary", collapse)
		}
		var text strings.Builder
		_ = sum.WriteText(&text)
		t.Logf("collapse %v:\n%s", collapse, text.String())
		if l.Sessions != sum.Sessions.Started || l.Sessions < 390 {
			t.Errorf("live sessions %d of %d started; want all, at least 390", l.Sessions, sum.Sessions.Started)
		}
		// the channel advertises 3 segments of delay (6s) for plain DASH
		if l.LatencyS.P50 < 2 || l.LatencyS.P95 > 10 {
			t.Errorf("live latency p50 %.2fs p95 %.2fs; want 2-10s", l.LatencyS.P50, l.LatencyS.P95)
		}
		if l.RebufferRatio.Mean > 0.01 {
			t.Errorf("live rebuffer ratio %.4f; want under 1%% on links that hold the top rung", l.RebufferRatio.Mean)
		}
		rpo, _ := res.Value("origin.requests_per_object", "")
		if collapse && rpo != 1 {
			t.Errorf("origin requests per object %v with collapsing; want 1", rpo)
		}
		if !collapse && rpo <= 1.2 {
			t.Errorf("origin requests per object %v without collapsing; want well above 1 at a join storm", rpo)
		}
		if collapse != sum.Passed {
			t.Errorf("passed %v; want the SLOs held only with collapsing\n%s", sum.Passed, text.String())
		}
		if sum.Failover.Sessions == 0 {
			t.Errorf("no session changed server after eu-1 was lost")
		}
		if !strings.Contains(text.String(), "fault      edge:eu-1 down from 40s to 1m10s") {
			t.Errorf("the summary does not show the fault:\n%s", text.String())
		}
	}
}

func TestLiveShareMixesVODAndLive(t *testing.T) {
	s := parse(t, `
viewers: {count: 200, arrival: {process: poisson, rate: 10/s}}
session: {watch_time: 30s}
content: {live_channels: 1, live_share: 25%}
networks: [{name: n, bandwidth: 8Mbps}]
`)
	res, err := Run(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	live := 0
	for _, r := range res.Records {
		if r.Live != (r.Title == "live") {
			t.Fatalf("record %+v: live flag and title disagree", r)
		}
		if r.Live {
			live++
		}
	}
	if share := float64(live) / float64(len(res.Records)); math.Abs(share-0.25) > 0.08 {
		t.Errorf("live share %.2f; want about 0.25", share)
	}
	var lat []float64
	for _, r := range res.Records {
		if r.Live && r.Started {
			lat = append(lat, results.SessionMetric(&r, "live_latency"))
		}
	}
	if v, ok := res.Value("live_latency", "p50"); !ok || v <= 0 || len(lat) == 0 {
		t.Errorf("live_latency p50 %v %v; want a value from %d live sessions", v, ok, len(lat))
	}
	_ = time.Second
}

func BenchmarkLiveEvent(b *testing.B) {
	for b.Loop() {
		s := parse(b, liveEvent)
		if _, err := Run(s, Options{Viewers: 2000}); err != nil {
			b.Fatal(err)
		}
	}
}
