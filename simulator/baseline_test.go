package simulator

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/abrkit/abrkit/simulator/scenario"
)

// qoeFigures are the figures of a virtual run the speed work must keep.
type qoeFigures struct {
	Sessions      int             `json:"sessions"`
	Failed        int             `json:"failed"`
	StartupP50    float64         `json:"startup_p50_s"`
	StartupP95    float64         `json:"startup_p95_s"`
	RebufferMean  float64         `json:"rebuffer_mean"`
	BitrateMean   float64         `json:"bitrate_mean_bps"`
	CacheHitRatio float64         `json:"cache_hit_ratio"`
	Verdicts      map[string]bool `json:"verdicts"`
}

// Tolerances of the baseline comparison: relative for times and bitrate,
// absolute for ratios; verdicts and failures must not change.
const (
	tolStartup  = 0.05
	tolBitrate  = 0.03
	tolRebuffer = 0.001
	tolCacheHit = 0.02
)

// TestVirtualBaseline runs quickstart (all 1,000 viewers) and
// edge-failure (800 of its viewers) in virtual time and compares their
// verdicts and QoE with testdata/virtual-baseline.json, recorded before
// the engine's speed work; -update records the current figures.
func TestVirtualBaseline(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two scenarios")
	}
	runs := []struct {
		file    string
		viewers int
	}{{"quickstart", 0}, {"edge-failure", 800}}
	path := filepath.Join("testdata", "virtual-baseline.json")
	want := map[string]qoeFigures{}
	if !*update {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]qoeFigures{}
	for _, r := range runs {
		s, err := scenario.Load(filepath.Join("..", "scenarios", r.file+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		res, sum, err := Run(s, Config{Mode: "virtual", Viewers: r.viewers, Clock: func() time.Time { return time.Unix(0, 0) }})
		if err != nil && sum == nil {
			t.Fatalf("%s: %v", r.file, err)
		}
		f := qoeFigures{Sessions: sum.Sessions.Total, Failed: sum.Sessions.Failed, StartupP50: sum.StartupS.P50, StartupP95: sum.StartupS.P95,
			RebufferMean: sum.RebufferRatio.Mean, BitrateMean: sum.BitrateBps.Mean, CacheHitRatio: sum.CacheHitRatio, Verdicts: map[string]bool{}}
		for _, v := range res.Verdicts() {
			f.Verdicts[v.Expr] = v.Held
		}
		got[r.file] = f
		w, ok := want[r.file]
		if *update {
			continue
		}
		if !ok {
			t.Fatalf("%s: not in %s", r.file, path)
		}
		if f.Sessions != w.Sessions || f.Failed != w.Failed {
			t.Errorf("%s: %d sessions, %d failed; baseline %d, %d", r.file, f.Sessions, f.Failed, w.Sessions, w.Failed)
		}
		for expr, held := range w.Verdicts {
			if f.Verdicts[expr] != held {
				t.Errorf("%s: %s held=%v; baseline %v", r.file, expr, f.Verdicts[expr], held)
			}
		}
		for _, c := range []struct {
			name           string
			got, want, tol float64
			rel            bool
		}{
			{"startup p50", f.StartupP50, w.StartupP50, tolStartup, true},
			{"startup p95", f.StartupP95, w.StartupP95, tolStartup, true},
			{"bitrate mean", f.BitrateMean, w.BitrateMean, tolBitrate, true},
			{"rebuffer mean", f.RebufferMean, w.RebufferMean, tolRebuffer, false},
			{"cache-hit ratio", f.CacheHitRatio, w.CacheHitRatio, tolCacheHit, false},
		} {
			lim := c.tol
			if c.rel {
				lim *= math.Abs(c.want)
			}
			if math.Abs(c.got-c.want) > lim {
				t.Errorf("%s: %s %.6g; baseline %.6g (tolerance %g%s)", r.file, c.name, c.got, c.want, c.tol, map[bool]string{true: " relative", false: ""}[c.rel])
			}
		}
	}
	if *update {
		b, err := json.MarshalIndent(got, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
