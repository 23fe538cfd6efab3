package results

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/simulator/slo"
)

func sample(seed int, shard int) *Results {
	r := New(5 * time.Second)
	r.Scenario, r.Seed, r.Shards, r.ShardCount = "x", 1, []int{shard}, 2
	r.Edges = []EdgeStat{{Name: "e1", Capacity: 1e9}}
	for i := 0; i < 50; i++ {
		v := seed*1000 + i
		r.Records = append(r.Records, Record{Viewer: v, Started: i%10 != 0, StartupS: float64(i%7) / 10, RebufferRatio: float64(i%3) / 100, Failed: i%25 == 0})
		r.Classes[ClassSegment].Add(time.Duration(v)*time.Millisecond, i%20 == 0)
		r.Bucket(time.Duration(i)*time.Second).Requests++
	}
	r.Edges[0].Hits, r.Edges[0].Misses = int64(seed), 10
	return r
}

func TestMergeExact(t *testing.T) {
	a, b := sample(1, 0), sample(2, 1)
	whole := New(5 * time.Second)
	for _, x := range []*Results{sample(1, 0), sample(2, 1)} {
		whole.Records = append(whole.Records, x.Records...)
		whole.Classes[ClassSegment].Latency.Merge(x.Classes[ClassSegment].Latency)
	}
	if err := a.Merge(b); err != nil {
		t.Fatal(err)
	}
	if !a.Classes[ClassSegment].Latency.Equals(whole.Classes[ClassSegment].Latency) {
		t.Errorf("merged histogram differs from the histogram of all values")
	}
	if a.Classes[ClassSegment].Count != 100 || a.Classes[ClassSegment].Errors != 6 {
		t.Errorf("merged class = %d requests, %d errors; want 100, 6", a.Classes[ClassSegment].Count, a.Classes[ClassSegment].Errors)
	}
	if len(a.Records) != 100 || a.Timeline[0].Requests != 10 || a.Edges[0].Misses != 20 || !reflect.DeepEqual(a.Shards, []int{0, 1}) {
		t.Errorf("merge: %d records, bucket0 %d requests, misses %d, shards %v", len(a.Records), a.Timeline[0].Requests, a.Edges[0].Misses, a.Shards)
	}
	if err := a.Merge(sample(3, 1)); !errors.Is(err, ErrMismatch) {
		t.Errorf("merging shard 1 twice = %v; want ErrMismatch", err)
	}
	c := sample(3, 5)
	c.Scenario = "y"
	if err := a.Merge(c); !errors.Is(err, ErrMismatch) {
		t.Errorf("merging another scenario = %v; want ErrMismatch", err)
	}
}

// roundTrip writes r to a temporary folder and reads it back.
func roundTrip(t *testing.T, r *Results) *Results {
	t.Helper()
	dir := t.TempDir()
	if err := r.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	back, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return back
}

func TestRoundTrip(t *testing.T) {
	r := sample(1, 0)
	back := roundTrip(t, r)
	if !reflect.DeepEqual(back.Records, r.Records) || !back.Classes[ClassSegment].Latency.Equals(r.Classes[ClassSegment].Latency) {
		t.Errorf("ReadDir(WriteDir(r)) differs from r")
	}
	if _, err := ReadDir(t.TempDir()); err == nil {
		t.Errorf("ReadDir(empty) = nil error")
	}
}

// The SLO table printed after a trip through disk (report merge) reads
// like the one simulate prints: units kept, not raw base-unit numbers.
func TestRoundTripKeepsSLOUnits(t *testing.T) {
	r := sample(1, 0)
	for _, e := range []string{"startup_time.p95 < 2s", "play_failures.rate < 50%", "rebuffer_ratio.mean < 1%"} {
		o, err := slo.Parse(e)
		if err != nil {
			t.Fatal(err)
		}
		r.Objectives = append(r.Objectives, o)
	}
	want, got := r.Summarize(), roundTrip(t, r).Summarize()
	for i := range want.SLOs {
		if got.SLOs[i].ObservedText != want.SLOs[i].ObservedText {
			t.Errorf("after ReadDir, %s observed = %q; want %q", want.SLOs[i].Expr, got.SLOs[i].ObservedText, want.SLOs[i].ObservedText)
		}
	}
	if txt := want.SLOs[0].ObservedText; !strings.HasSuffix(txt, "ms") {
		t.Errorf("startup_time.p95 observed = %q; want milliseconds", txt)
	}
}

func TestValue(t *testing.T) {
	r := sample(1, 0)
	tests := []struct {
		metric, stat string
		want         float64
	}{
		{"play_failures.rate", "", 2.0 / 50},
		{"startup_time", "max", 0.6},
		{"startup_time", "p50", 0.3},
		{"segment.errors.rate", "", 3.0 / 50},
		{"cache_hit_ratio", "", 1.0 / 11},
		{"availability", "", 1 - 3.0/50},
	}
	for _, tt := range tests {
		got, ok := r.Value(tt.metric, tt.stat)
		if !ok || math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("Value(%s, %s) = %g, %v; want %g", tt.metric, tt.stat, got, ok, tt.want)
		}
	}
	if _, ok := r.Value("api.play.latency", "p99"); ok {
		t.Errorf("Value(api.play.latency) ok with no calls")
	}
	if got, _ := r.Value("segment.latency", "max"); math.Abs(got-1.049) > 0.002 {
		t.Errorf("Value(segment.latency.max) = %g; want about 1.049s", got)
	}
}

func TestStat(t *testing.T) {
	vs := []float64{5, 1, 4, 2, 3}
	for stat, want := range map[string]float64{"mean": 3, "min": 1, "max": 5, "p50": 3, "p80": 4, "p81": 5, "p100": 5} {
		if got, _ := Stat(append([]float64(nil), vs...), stat); got != want {
			t.Errorf("Stat(%v, %s) = %g; want %g", vs, stat, got, want)
		}
	}
}

func TestCohorts(t *testing.T) {
	r := New(time.Second)
	r.ControlCohort = "a"
	for i := 0; i < 200; i++ {
		c, st := "a", 1.0
		if i%2 == 1 {
			c, st = "b", 2.0
		}
		r.Records = append(r.Records, Record{Viewer: i, Cohort: c, Started: true, StartupS: st + float64(i%5)/10})
	}
	d := r.CohortDiffs()
	if len(d) != 1 || d[0].Cohort != "b" || d[0].Metrics[0].Metric != "startup_time" {
		t.Fatalf("CohortDiffs = %+v", d)
	}
	m := d[0].Metrics[0]
	if math.Abs(m.Diff-1) > 0.05 || m.CILow > m.Diff || m.CIHigh < m.Diff || m.CILow < 0.8 {
		t.Errorf("startup diff = %g [%g, %g]; want about 1 with a tight interval", m.Diff, m.CILow, m.CIHigh)
	}
}
