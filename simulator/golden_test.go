package simulator

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/abrkit/abrkit/simulator/results"
	"github.com/abrkit/abrkit/simulator/slo"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (run with -update if the change is intended):\n%s", name, path, got)
	}
}

func TestGoldenK8sJob(t *testing.T) {
	spec := K8sSpec{Scenario: "scenarios/flash-crowd.yaml", Name: "flash-crowd", Shards: 8,
		Args: []string{"--mode=virtual", "--seed=7", "--viewers=100000", "--watch-time=10m0s"}}
	y, err := K8sJob(spec)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "TestGoldenK8sJob", y)
	m, err := K8sMergeJob(spec)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "TestGoldenK8sMergeJob", m)
	if _, err := K8sJob(K8sSpec{Scenario: "x.yaml"}); !errors.Is(err, ErrBadShard) {
		t.Errorf("K8sJob(0 shards) = %v; want ErrBadShard", err)
	}
}

func TestGoldenSummary(t *testing.T) {
	// Synthetic results: the text must not depend on the player core,
	// which other packages own and change.
	r := results.New(5 * time.Second)
	r.Scenario, r.Mode, r.Seed, r.Shards, r.ShardCount = "golden", "virtual", 7, []int{0, 1}, 2
	r.SimSeconds, r.WallSeconds, r.Events, r.CPUSeconds = 120, 2, 5000, 1.5
	r.Edges = []results.EdgeStat{{Name: "eu-1", Region: "eu", Capacity: 1e9, Hits: 30, Misses: 10}}
	for i := 0; i < 40; i++ {
		r.Records = append(r.Records, results.Record{Viewer: i, Started: i != 3, StartupS: 0.2 + float64(i%10)/10,
			PlayS: 60, RebufferRatio: float64(i%4) / 400, AvgBitrate: 2e6 + float64(i)*1e5, Failed: i == 3, Cohort: []string{"a", "b"}[i%2],
			ServerChanges: i % 5 / 3, Stalls: i % 7 / 6}) // 16 sessions change server once; 2 of them (13, 34) also stall
		r.Classes[results.ClassSegment].Add(time.Duration(100+i*10)*time.Millisecond, i == 5)
		r.Classes[results.ClassPlay].Add(time.Duration(20+i)*time.Millisecond, false)
	}
	r.ControlCohort = "a"
	for _, e := range []string{"startup_time.p95 < 1s", "play_failures.rate < 1%", "api.play.latency.p99 < 300ms"} {
		o, err := slo.Parse(e)
		if err != nil {
			t.Fatal(err)
		}
		r.Objectives = append(r.Objectives, o)
	}
	var b bytes.Buffer
	if err := r.Summarize().WriteText(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "TestGoldenSummary", b.Bytes())
}
