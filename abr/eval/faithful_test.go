package eval

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/abrkit/abrkit/abr/trace"
)

// loadPensieve loads the shared Pensieve training traces and video, or
// skips the test when they are absent.
func loadPensieve(tb testing.TB) ([]*trace.Trace, *trace.Video) {
	tb.Helper()
	dir := filepath.Join(sharedTraces, "pensieve")
	if _, err := os.Stat(filepath.Join(dir, "train")); err != nil {
		tb.Skipf("shared traces absent (%v): skipping", err)
	}
	trs, err := trace.LoadDir(filepath.Join(dir, "train"), trace.FormatPensieve)
	if err != nil {
		tb.Fatal(err)
	}
	v, err := trace.LoadPensieveVideo(filepath.Join(dir, "video"), nil, 0)
	if err != nil {
		tb.Fatal(err)
	}
	return trs, v
}

func subsetQoE(rep *Report) map[string]map[string]float64 {
	out := map[string]map[string]float64{}
	for _, s := range rep.Subsets {
		out[s.Name] = map[string]float64{}
		for _, r := range s.Results {
			out[s.Name][r.Algo] = r.MeanQoE
		}
	}
	return out
}

// TestPensieveFaithful checks the README's reference figures: BB and
// robustMPC on the training traces, FCC and Norway separately.
func TestPensieveFaithful(t *testing.T) {
	trs, v := loadPensieve(t)
	if len(trs) != 127 {
		t.Fatalf("loaded %d traces; want 127", len(trs))
	}
	rep, err := Evaluate(Pensieve(), trs, v, []string{"bb", "robustmpc"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := subsetQoE(rep)
	want := map[string]map[string]float64{
		"fcc":    {"bb": 5.82, "robustmpc": 19.22},
		"norway": {"bb": 24.24, "robustmpc": 29.06},
	}
	for sub, algos := range want {
		for algo, w := range algos {
			// The README prints two decimals: match them exactly.
			if g := got[sub][algo]; math.Abs(g-w) > 0.005 {
				t.Errorf("%s on %s = %.4f; want %.2f", algo, sub, g, w)
			}
		}
	}
	if rep.Subsets[0].Traces != 59 || rep.Subsets[1].Traces != 68 {
		t.Errorf("subset sizes %d, %d; want 59, 68", rep.Subsets[0].Traces, rep.Subsets[1].Traces)
	}
}

// TestAutoStrength checks auto against every other online algorithm on
// both training subsets, and by at least 10% against robustMPC.
func TestAutoStrength(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the full-set comparison")
	}
	trs, v := loadPensieve(t)
	algos := []string{"auto", "bb", "bola", "dynamic", "mpc", "robustmpc", "throughput"}
	rep, err := Evaluate(Pensieve(), trs, v, algos, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := subsetQoE(rep)
	for sub, q := range got {
		for _, a := range algos[1:] {
			if q["auto"] <= q[a] {
				t.Errorf("%s: auto %.2f <= %s %.2f", sub, q["auto"], a, q[a])
			}
		}
		if q["auto"] < 1.1*q["robustmpc"] {
			t.Errorf("%s: auto %.2f < 1.1 x robustmpc %.2f", sub, q["auto"], q["robustmpc"])
		}
		t.Logf("%s: auto %.2f, robustmpc %.2f (x%.2f)", sub, q["auto"], q["robustmpc"], q["auto"]/q["robustmpc"])
	}
}

// TestAutoWinsShippedSubsets plays the trace subsets shipped in
// testdata/traces under each data set's own rules: auto has the highest
// mean QoE of the online algorithms (on the 4G logs, where the link
// mostly carries the top level, within 0.5% of the best), and under
// Sabre's rules switches no more than 1.5x Sabre's BOLA.
func TestAutoWinsShippedSubsets(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the cross-dataset comparison")
	}
	root := filepath.Join("..", "..", "testdata", "traces")
	pensieveVideo, err := trace.LoadPensieveVideo(filepath.Join(root, "videos", "pensieve"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	sabreVideo, err := trace.LoadSabreVideo(filepath.Join(root, "videos", "bbb.json"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		cfg    Config
		dir    string
		video  *trace.Video
		algos  []string // auto first
		slack  map[string]float64
		robust float64 // minimum auto / robustmpc
	}{
		{Pensieve(), "pensieve", pensieveVideo, []string{"auto", "bb", "bola", "dynamic", "throughput", "mpc", "robustmpc"}, nil, 1.1},
		{Sabre(), "sabre", sabreVideo, []string{"auto", "bb", "bola", "bolae", "dynamic", "dynamicdash", "throughput", "mpc", "robustmpc"},
			map[string]float64{"4Glogs": 0.005}, 1},
	}
	for _, c := range cases {
		trs, err := trace.LoadTree(filepath.Join(root, c.dir), TraceFormat(c.cfg.Name))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Evaluate(c.cfg, trs, c.video, c.algos, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range rep.Subsets {
			byAlgo := map[string]Result{}
			for _, r := range s.Results {
				byAlgo[r.Algo] = r
			}
			auto := byAlgo["auto"]
			for _, a := range c.algos[1:] {
				if q := byAlgo[a].MeanQoE; auto.MeanQoE < q-c.slack[s.Name]*q {
					t.Errorf("%s/%s: auto %.2f < %s %.2f", c.dir, s.Name, auto.MeanQoE, a, q)
				}
			}
			if r := byAlgo["robustmpc"].MeanQoE; auto.MeanQoE < c.robust*r {
				t.Errorf("%s/%s: auto %.2f < %.2f x robustmpc %.2f", c.dir, s.Name, auto.MeanQoE, c.robust, r)
			}
			if b := byAlgo["bola"].MeanSwitches; c.cfg.Name == "sabre" && auto.MeanSwitches > 1.5*b {
				t.Errorf("%s/%s: auto switches %.2f > 1.5 x bola's %.2f", c.dir, s.Name, auto.MeanSwitches, b)
			}
			t.Logf("%s/%s (%d traces): auto %.2f, robustmpc %.2f", c.dir, s.Name, s.Traces, auto.MeanQoE, byAlgo["robustmpc"].MeanQoE)
		}
	}
}
