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
