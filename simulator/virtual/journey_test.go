package virtual

import (
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/simulator/results"
	"github.com/abrkit/abrkit/simulator/scenario"
)

const journeyScenario = `
name: journeys
seed: 3
viewers: {count: 200, arrival: {process: constant, rate: 10/s}}
session: {watch_time: 2m}
journey: default
backend: {embedded: {topology: default}}
slos:
  - api.home.latency.p99 < 300ms
  - api.home.availability > 99.9%
  - api.heartbeat.availability > 99%
`

func TestJourneyVirtual(t *testing.T) {
	s := parse(t, journeyScenario)
	res, err := Run(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"app_start", "home", "row_page", "search", "details", "heartbeat"} {
		c := res.Classes["api."+step]
		if c == nil || c.Count == 0 {
			t.Errorf("step %s: no requests recorded", step)
		}
		if len(res.Steps[step]) == 0 {
			t.Errorf("step %s: no timeline", step)
		}
	}
	if c := res.Classes["api.play_"]; c != nil {
		t.Errorf("unexpected class api.play_")
	}
	var started, browsed int
	for _, r := range res.Records {
		if r.Started {
			started++
		}
		if r.Browsed {
			browsed++
		}
		if r.Started && r.Browsed {
			t.Fatalf("viewer %d both played and left without playing", r.Viewer)
		}
	}
	// The default journey plays after about a third of the details read;
	// some viewers leave from every browse step.
	if started == 0 || browsed == 0 || started+browsed != len(res.Records) {
		t.Errorf("%d sessions: %d played, %d browsed only", len(res.Records), started, browsed)
	}
	if n := res.Classes["api.play"].Count; n != int64(started) {
		t.Errorf("api.play count %d, want one per played session (%d)", n, started)
	}
	// Two minutes of play at one heartbeat every 30s.
	if hb, want := res.Classes["api.heartbeat"].Count, int64(4*started); hb < want*8/10 || hb > want {
		t.Errorf("heartbeats %d, want about %d", hb, want)
	}
	b := res.Browse
	if b == nil || b.DatastoreReads == 0 || b.CacheHits == 0 || b.HeartbeatsAccepted != res.Classes["api.heartbeat"].Count {
		t.Errorf("browse stats %+v", b)
	}
	sum := res.Summarize()
	for _, v := range sum.SLOs {
		if !v.HasData || !v.Held {
			t.Errorf("SLO %s: observed %s (data %v)", v.Expr, v.ObservedText, v.HasData)
		}
	}
}

func TestJourneyDeterministic(t *testing.T) {
	s := parse(t, journeyScenario)
	a, err := Run(s, Options{Viewers: 60})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Run(s, Options{Viewers: 60})
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range a.Classes {
		if !c.Latency.Equals(b.Classes[name].Latency) || c.Count != b.Classes[name].Count {
			t.Errorf("class %s differs between two runs with one seed", name)
		}
	}
	if *a.Browse != *b.Browse {
		t.Errorf("browse stats differ: %+v vs %+v", a.Browse, b.Browse)
	}
}

func TestJourneyRejectsForeignRoutes(t *testing.T) {
	y := strings.Replace(journeyScenario, "journey: default", `journey:
  steps:
    start: {request: {url: "{{base}}/api/catalog"}}`, 1)
	s := parse(t, y)
	if _, err := New(s, Options{}); err == nil || !strings.Contains(err.Error(), "/api/catalog") {
		t.Fatalf("New = %v, want an error naming the route virtual mode does not model", err)
	}
}

// stepWindow returns a step's requests, failures and mean latency from..to.
func stepWindow(r *results.Results, step string, from, to time.Duration) (n, failed int64, mean time.Duration) {
	var all results.StepBucket
	for i, b := range r.Steps[step] {
		at := time.Duration(float64(i) * r.BucketS * float64(time.Second))
		if at < from || at >= to {
			continue
		}
		all.Requests += b.Requests
		all.Errors += b.Errors
		all.SumUs += b.SumUs
		if all.Bins == nil && b.Bins != nil {
			all.Bins = make([]uint32, len(b.Bins))
		}
		for k, c := range b.Bins {
			all.Bins[k] += c
		}
	}
	return all.Requests, all.Errors, all.Mean()
}

// TestCacheNodeLoss runs scenarios/cache-node-loss.yaml with and without
// its fault: killing cache-0 raises datastore reads and home latency,
// fallbacks keep home available above its SLO, and play start-up is
// unaffected.
func TestCacheNodeLoss(t *testing.T) {
	if testing.Short() {
		t.Skip("a 7,000-viewer run")
	}
	s := load(t, "../../scenarios/cache-node-loss.yaml")
	opt := Options{Viewers: 7000, WatchTime: 30 * time.Second}
	fault, err := Run(s, opt)
	if err != nil {
		t.Fatal(err)
	}
	calm := *s
	calm.Faults = []scenario.Fault{}
	base, err := Run(&calm, opt)
	if err != nil {
		t.Fatal(err)
	}
	from, to := 4*time.Minute, 5*time.Minute
	if fault.Browse.DatastoreReads <= base.Browse.DatastoreReads {
		t.Errorf("datastore reads %d with cache-0 lost, %d without: want more", fault.Browse.DatastoreReads, base.Browse.DatastoreReads)
	}
	nf, _, mf := stepWindow(fault, "home", from, to)
	nb, _, mb := stepWindow(base, "home", from, to)
	t.Logf("home 4m-5m: %d loads mean %v with the node lost, %d loads mean %v without; datastore reads %d vs %d",
		nf, mf, nb, mb, fault.Browse.DatastoreReads, base.Browse.DatastoreReads)
	if nf == 0 || mf <= mb {
		t.Errorf("home mean latency after the loss %v, without it %v: want higher", mf, mb)
	}
	sum := fault.Summarize()
	for _, v := range sum.SLOs {
		if v.Metric == "api.home.availability" && (!v.HasData || !v.Held) {
			t.Errorf("%s: observed %s", v.Expr, v.ObservedText)
		}
	}
	sf, _ := fault.Value("startup_time", "p95")
	sb, _ := base.Value("startup_time", "p95")
	if d := sf/sb - 1; d > 0.05 || d < -0.05 {
		t.Errorf("start-up p95 %.3fs with the loss, %.3fs without: want within 5%%", sf, sb)
	}
}

// TestJourneyRelease runs the journey with a release at 10 s: the virtual
// driver's catalog lists the new rows and titles from then on (details
// and row pages of them answer), and their cold cache costs datastore
// reads a run without the release does not make.
func TestJourneyRelease(t *testing.T) {
	calm := parse(t, journeyScenario)
	s := parse(t, strings.Replace(journeyScenario, "topology: default}", "topology: default, release: {at: 10s, rows: 4, titles: 5}}", 1))
	if r := s.Topology.Catalog.Release; r == nil || r.Rows != 4 {
		t.Fatalf("release not parsed: %+v", r)
	}
	opt := Options{Viewers: 120}
	with, err := Run(s, opt)
	if err != nil {
		t.Fatal(err)
	}
	without, err := Run(calm, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("datastore reads %d with the release, %d without", with.Browse.DatastoreReads, without.Browse.DatastoreReads)
	if with.Browse.DatastoreReads <= without.Browse.DatastoreReads {
		t.Errorf("datastore reads %d with the release, %d without: want more", with.Browse.DatastoreReads, without.Browse.DatastoreReads)
	}
	for _, step := range []string{"home", "row_page", "details"} {
		if c := with.Classes["api."+step]; c.Count == 0 || c.Errors != 0 {
			t.Errorf("step %s: %d requests, %d failed; want all answered", step, c.Count, c.Errors)
		}
	}
}
