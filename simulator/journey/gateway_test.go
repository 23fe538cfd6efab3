package journey_test

import (
	"context"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/simulator/backend/control"
	"github.com/abrkit/abrkit/simulator/backend/edge"
	"github.com/abrkit/abrkit/simulator/backend/faults"
	"github.com/abrkit/abrkit/simulator/backend/origin"
	"github.com/abrkit/abrkit/simulator/backend/topology"
	"github.com/abrkit/abrkit/simulator/journey"
)

// TestDefaultJourneyAgainstGateway walks the default journey against the
// reference gateway: every step's route answers, heartbeats reach the
// pipeline. Think times pass 20,000 times faster than wall time; the
// services' modelled times are not slept.
func TestDefaultJourneyAgainstGateway(t *testing.T) {
	topo := topology.Default()
	topo.ControlPlane.RateLimit.PerSecond = -1 // viewers think for microseconds here
	var titles []origin.TitleInfo
	for _, id := range []string{"t1", "t2", "t3", "t10", "t20"} {
		titles = append(titles, origin.TitleInfo{ID: id, HLS: "/master.m3u8", Duration: time.Hour})
	}
	// The gateway's clock stands still, so the edges reported once stay
	// healthy however slowly the test runs (-race).
	gw, err := control.New(control.Config{Topology: topo, Titles: titles, Faults: faults.NewController(), Clock: clock.NewFake(time.Now()),
		Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if err := gw.Start(); err != nil {
		t.Fatal(err)
	}
	defer gw.Close(context.Background())
	for _, e := range topo.Edges() { // a healthy edge per region, so play answers
		gw.Steering.Report(edgeReport(e.ID, e.Region))
	}
	j := journey.Default()
	res, err := journey.Run(context.Background(), j, journey.Options{Target: gw.URL(), Viewers: 40, Sessions: 2, Duration: 24 * time.Hour,
		Clock: clock.NewScaled(20_000), Seed: 7, Window: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range res.Steps {
		if st.Requests == 0 || st.Failures != 0 || st.Skipped != 0 {
			t.Errorf("%s: %d requests, %d failed, %d skipped", st.Step, st.Requests, st.Failures, st.Skipped)
		}
	}
	sum := res.Summary(nil)
	for _, st := range sum.Steps {
		var n int64
		for _, w := range st.Windows {
			n += w.Requests
		}
		if n != st.Requests || len(st.Windows) < 2 {
			t.Errorf("%s: %d requests in %d windows, %d in all", st.Step, n, len(st.Windows), st.Requests)
		}
	}
	if len(res.Errors()) > 0 {
		t.Errorf("errors: %v", res.Errors())
	}
	// A run its duration cuts (a slow -race run) leaves up to one request
	// per viewer answered by the gateway but not counted by the runner.
	if hb, got := res.Step("heartbeat").Requests, gw.Catalog.Pipeline.Stats().Accepted; got < hb || got > hb+40 {
		t.Errorf("%d heartbeats sent, %d reached the pipeline", hb, got)
	}
	vs, err := res.Judge(j.SLOs)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if !v.HasData {
			t.Errorf("SLO %s has no data", v.Expr)
		}
	}
}

func edgeReport(id, region string) edge.Report {
	return edge.Report{ID: id, Region: region, URL: "http://127.0.0.1:1", Healthy: true, MaxConnections: 100}
}
