package virtual

import (
	"errors"
	"reflect"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/abrkit/abrkit/simulator/policy"
	"github.com/abrkit/abrkit/simulator/results"
	"github.com/abrkit/abrkit/simulator/scenario"
)

func load(t testing.TB, path string) *scenario.Scenario {
	t.Helper()
	s, err := scenario.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func parse(t testing.TB, y string) *scenario.Scenario {
	t.Helper()
	s, err := scenario.Parse([]byte(y), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDeterministic(t *testing.T) {
	s := load(t, "../../scenarios/edge-failure.yaml")
	opt := Options{Viewers: 60, WatchTime: 2 * time.Minute}
	a, err := Run(s, opt)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Run(s, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.Records, b.Records) {
		t.Fatalf("two runs with the same seed gave different records")
	}
	if a.Events != b.Events || !reflect.DeepEqual(a.Timeline, b.Timeline) || !reflect.DeepEqual(a.Edges, b.Edges) {
		t.Errorf("two runs with the same seed differ: events %d vs %d", a.Events, b.Events)
	}
	for name, c := range a.Classes {
		if !c.Latency.Equals(b.Classes[name].Latency) {
			t.Errorf("class %s histograms differ", name)
		}
	}
	seed := uint64(99)
	opt.Seed = &seed
	c, err := Run(s, opt)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(a.Records, c.Records) {
		t.Errorf("a different seed gave identical records")
	}
}

func TestEdgeDownFailover(t *testing.T) {
	s := parse(t, `
viewers: {count: 60, arrival: {process: instant}}
session: {watch_time: 2m}
regions: [{name: eu}]
networks: [{name: n, bandwidth: 10Mbps, rtt: 20ms}]
faults: [{at: 30s, for: 1m, target: "region:eu", kind: down}]
slos: ["play_failures.rate < 1%"]
`)
	res, err := Run(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	moved, failed := 0, 0
	for _, r := range res.Records {
		if r.ServerChanges > 0 {
			moved++
		}
		if r.Failed {
			failed++
		}
	}
	if moved < 50 || failed > 0 {
		t.Errorf("region eu down: %d of 60 sessions changed server, %d failed; want >= 50 moved, 0 failed", moved, failed)
	}
	if res.Classes["segment"].Errors == 0 {
		t.Errorf("no segment errors recorded while a region was down")
	}
	// traffic moved to other regions
	var other float64
	for _, e := range res.Edges {
		if e.Region != "eu" {
			other += e.Bytes
		}
	}
	if other == 0 {
		t.Errorf("no bytes served outside eu during the outage")
	}
}

func TestServiceBrownout(t *testing.T) {
	s := parse(t, `
viewers: {count: 100, arrival: {process: constant, rate: 10/s}}
session: {watch_time: 20s, abandon_startup_after: 0}
backend:
  embedded:
    services: [{name: play, workers: 4, service_time: 10ms, timeout: 1s}]
faults: [{at: 2s, for: 8s, target: "service:play", kind: errors, error_rate: 100%}]
`)
	res, err := Run(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	play := res.Classes["api.play"]
	if play.Errors == 0 || play.Count <= 100 {
		t.Errorf("api.play: %d calls, %d errors; want retries and errors during the fault", play.Count, play.Errors)
	}
	if v, _ := res.Value("play_failures.rate", ""); v == 0 {
		t.Errorf("play_failures.rate = 0; want sessions failing after retries ran out")
	}
}

func TestQueueing(t *testing.T) {
	// 200 viewers at once on one worker with 10ms service: the last waits
	// about 2s; a queue limit of 50 sheds the rest with 503.
	s := parse(t, `
viewers: {count: 200}
session: {watch_time: 10s, login: false}
backend: {embedded: {services: [{name: play, workers: 1, service_time: 10ms, timeout: 10s}]}}
`)
	res, err := Run(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p99, _ := res.Value("api.play.latency", "max"); p99 < 1.9 || p99 > 2.2 {
		t.Errorf("api.play.latency.max = %.3fs; want about 2s of queueing", p99)
	}
	s.Backend.Embedded.Services[0].QueueLimit = 50
	res, err = Run(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if e := res.Classes["api.play"].Errors; e < 100 {
		t.Errorf("api.play errors with queue_limit 50 = %d; want >= 100 shed", e)
	}
}

func TestRequestsSink(t *testing.T) {
	s := load(t, "../../scenarios/quickstart.yaml")
	n := 0
	var first vegeta.Result
	stop := errors.New("stop")
	_, err := Run(s, Options{Viewers: 20, Requests: func(r *vegeta.Result) error {
		if n == 0 {
			first = *r
		}
		n++
		if n == 500 {
			return stop
		}
		return nil
	}})
	if !errors.Is(err, stop) {
		t.Fatalf("Run with a failing sink = %v; want the sink's error", err)
	}
	if first.Code != 200 || first.URL == "" || first.Timestamp.Year() != 2000 || first.Latency <= 0 {
		t.Errorf("first result = %+v; want a 200 with URL, latency and a timestamp from the epoch", first)
	}
}

func TestShards(t *testing.T) {
	s := load(t, "../../scenarios/quickstart.yaml")
	whole, err := Run(s, Options{Viewers: 60, WatchTime: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var merged *results.Results
	for i := 0; i < 3; i++ {
		r, err := Run(s, Options{Viewers: 60, WatchTime: 30 * time.Second, Shard: i, Shards: 3})
		if err != nil {
			t.Fatal(err)
		}
		if merged == nil {
			merged = r
			continue
		}
		if err := merged.Merge(r); err != nil {
			t.Fatal(err)
		}
	}
	if len(merged.Records) != len(whole.Records) {
		t.Fatalf("merged shards: %d records; want %d", len(merged.Records), len(whole.Records))
	}
	for i := range whole.Records {
		w, m := whole.Records[i], merged.Records[i]
		if w.Viewer != m.Viewer || w.Title != m.Title || w.Network != m.Network || w.ArriveS != m.ArriveS {
			t.Fatalf("record %d: shard run %+v; whole run %+v (viewer attributes must not depend on sharding)", i, m, w)
		}
	}
	wv, mv := whole.Summarize(), merged.Summarize()
	if wv.Passed != mv.Passed {
		t.Errorf("verdict whole %v; merged %v", wv.Passed, mv.Passed)
	}
	_ = time.Second
}

func TestAbortOnBreach(t *testing.T) {
	s := parse(t, `
viewers: {count: 200, arrival: {process: constant, rate: 2/s}}
session: {watch_time: 5s}
slos: [{expr: "startup_time.max < 1ms", abort: true}, "availability > 0%"]
`)
	res, err := Run(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Aborted != "startup_time.max < 1ms" || res.SimSeconds > 60 || len(res.Records) == 0 || len(res.Records) >= 200 {
		t.Errorf("aborted %q at %.0fs with %d records; want the abort SLO within a minute, only arrived sessions recorded", res.Aborted, res.SimSeconds, len(res.Records))
	}
	if sum := res.Summarize(); sum.Passed {
		t.Errorf("Summarize().Passed = true for an aborted run")
	}
}

func TestBufferGoalAndLive(t *testing.T) {
	s := parse(t, `
viewers: {count: 3}
session: {watch_time: 90s, max_buffer: 10s}
networks: [{name: n, bandwidth: 50Mbps}]
`)
	res, err := Run(s, Options{SampleViewers: 3})
	if err != nil {
		t.Fatal(err)
	}
	top := 0.0
	for _, sm := range res.Samples {
		for _, p := range sm.Points {
			top = max(top, p.Buffer)
		}
	}
	if top == 0 || top > 10+4.5 {
		t.Errorf("max buffer seen %.1fs with max_buffer 10s; want at most one segment above the goal", top)
	}
	s = parse(t, "viewers: {count: 3}\ncontent: {live_channels: 2, live_share: 10%}\n")
	if _, err := Run(s, Options{}); !errors.Is(err, policy.ErrLiveContent) {
		t.Errorf("Run(2 live channels, the default topology has 1) = %v; want ErrLiveContent", err)
	}
}
