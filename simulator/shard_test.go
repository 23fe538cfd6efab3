package simulator

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/abrkit/abrkit/simulator/results"
	"github.com/abrkit/abrkit/simulator/scenario"
)

// Shards own whole regions, so merging them gives what one process
// gives for the same seed: cache-hit ratio, start-up p95 and rebuffer
// within 2%.
func TestShardsAgreeWithOneProcess(t *testing.T) {
	s, err := scenario.Load("../scenarios/quickstart.yaml")
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return time.Unix(0, 0) }
	const viewers = 600
	run := func(shard, shards int, out string) *results.Summary {
		t.Helper()
		_, sum, err := Run(s, Config{Viewers: viewers, WatchTime: 90 * time.Second, Shard: shard, Shards: shards, Out: out, Clock: clock})
		if err != nil {
			t.Fatalf("shard %d/%d: %v", shard, shards, err)
		}
		return sum
	}
	one := run(0, 1, "")
	for _, n := range []int{2, 3} {
		t.Run(fmt.Sprintf("%d shards", n), func(t *testing.T) {
			var dirs []string
			for k := 0; k < n; k++ {
				d := filepath.Join(t.TempDir(), fmt.Sprint(k))
				run(k, n, d)
				dirs = append(dirs, d)
			}
			m, err := Merge(dirs)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Finish(m, "")
			if err != nil {
				t.Fatal(err)
			}
			if got.Sessions.Total != viewers {
				t.Fatalf("merged %d sessions; want %d", got.Sessions.Total, viewers)
			}
			for _, c := range []struct {
				name       string
				one, shard float64
			}{
				{"cache_hit_ratio", one.CacheHitRatio, got.CacheHitRatio},
				{"startup_s.p95", one.StartupS.P95, got.StartupS.P95},
				{"rebuffer_ratio.mean", one.RebufferRatio.Mean, got.RebufferRatio.Mean},
			} {
				if !within(c.shard, c.one, 0.02, 1e-4) {
					t.Errorf("%s: %d shards merged %.5f, one process %.5f; want within 2%%", c.name, n, c.shard, c.one)
				}
			}
			for i, e := range m.Edges {
				if w := s.Topology.Edges()[i].Capacity; e.Capacity != float64(w) {
					t.Errorf("edge %s capacity %v after merge; want %v", e.Name, e.Capacity, w)
				}
			}
		})
	}
}

// within: |got-want| <= rel*|want|, or <= abs for values near zero.
func within(got, want, rel, abs float64) bool {
	d := math.Abs(got - want)
	return d <= abs || d <= rel*math.Abs(want)
}
