package eval

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/abrkit/abrkit/abr/sabre"
	"github.com/abrkit/abrkit/abr/trace"
)

// sabreSample is the traces the comparison with sabre.py uses: every 4G
// log, every tenth trace of hd_fs and sd_fs (the first, the eleventh, ...).
func sabreSample(tb testing.TB, root string) []*trace.Trace {
	tb.Helper()
	var out []*trace.Trace
	for _, set := range []struct {
		name   string
		stride int
	}{{"4Glogs", 1}, {"hd_fs", 10}, {"sd_fs", 10}} {
		trs, err := trace.LoadDir(filepath.Join(root, set.name), trace.FormatSabre)
		if err != nil {
			tb.Fatal(err)
		}
		for i := 0; i < len(trs); i += set.stride {
			trs[i].Name = set.name + "/" + trs[i].Name
			out = append(out, trs[i])
		}
	}
	return out
}

// sabreGolden is the golden file: Sabre's metrics, means per set and
// algorithm, as sabre.py prints them.
type sabreGolden map[string]map[string]sabre.Metrics

// runSabrePy runs the reference simulator on the sample (about a minute).
func runSabrePy(t *testing.T, root string, trs []*trace.Trace) sabreGolden {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skipf("python3 absent (%v): cannot regenerate the sabre.py figures", err)
	}
	args := []string{"testdata/sabre_batch.py", filepath.Join(root, "reference", "sabre.py"),
		filepath.Join(root, "bbb.json"), "bola,bolae,dynamic,dynamicdash,throughput"}
	for _, tr := range trs {
		args = append(args, filepath.Join(root, tr.Name))
	}
	out, err := exec.Command(py, args...).Output()
	if err != nil {
		t.Fatalf("sabre.py: %v", err)
	}
	sums, counts := sabreGolden{}, map[string]map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var rec struct {
			Trace, Algo string
			sabre.Metrics
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		set := filepath.Base(filepath.Dir(rec.Trace))
		if sums[set] == nil {
			sums[set], counts[set] = map[string]sabre.Metrics{}, map[string]float64{}
		}
		m := sums[set][rec.Algo]
		addMetrics(&m, rec.Metrics, 1)
		sums[set][rec.Algo] = m
		counts[set][rec.Algo]++
	}
	for set, algos := range sums {
		for a, m := range algos {
			var mean sabre.Metrics
			addMetrics(&mean, m, 1/counts[set][a])
			algos[a] = mean
		}
	}
	return sums
}

func addMetrics(dst *sabre.Metrics, m sabre.Metrics, w float64) {
	dst.TimeAveragePlayedBitrate += w * m.TimeAveragePlayedBitrate
	dst.TotalRebuffer += w * m.TotalRebuffer
	dst.RebufferRatio += w * m.RebufferRatio
	dst.TimeAverageBitrateChange += w * m.TimeAverageBitrateChange
	dst.TimeAverageScore += w * m.TimeAverageScore
}

// TestSabreFaithful compares the sabre preset with sabre.py on Sabre's
// 4G, hd_fs and sd_fs sets: every metric of every algorithm within 1%
// (rebuffering within 1% or 10 ms). -update reruns sabre.py.
func TestSabreFaithful(t *testing.T) {
	root := filepath.Join(sharedTraces, "sabre")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("shared traces absent (%v): skipping", err)
	}
	trs := sabreSample(t, root)
	golden := filepath.Join("testdata", t.Name()+".golden")
	if *update {
		b, err := json.MarshalIndent(runSabrePy(t, root, trs), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	var want sabreGolden
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	v, err := trace.LoadSabreVideo(filepath.Join(root, "bbb.json"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := Sabre()
	cfg.Subset = func(name string) string { return filepath.Dir(name) }
	rep, err := Evaluate(cfg, trs, v, sabre.Names(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Subsets) != 3 {
		t.Fatalf("subsets = %d; want 3", len(rep.Subsets))
	}
	for _, sub := range rep.Subsets {
		for _, r := range sub.Results {
			w, ok := want[sub.Name][r.Algo]
			if !ok || r.Sabre == nil {
				t.Fatalf("%s/%s: no reference or no sabre metrics", sub.Name, r.Algo)
			}
			checkClose(t, sub.Name+"/"+r.Algo, *r.Sabre, w)
		}
	}
}

func checkClose(t *testing.T, what string, got, want sabre.Metrics) {
	t.Helper()
	for _, f := range []struct {
		name      string
		g, w, abs float64
	}{
		{"time_average_played_bitrate", got.TimeAveragePlayedBitrate, want.TimeAveragePlayedBitrate, 0},
		{"total_rebuffer", got.TotalRebuffer, want.TotalRebuffer, 0.01},
		{"rebuffer_ratio", got.RebufferRatio, want.RebufferRatio, 1e-5},
		{"time_average_bitrate_change", got.TimeAverageBitrateChange, want.TimeAverageBitrateChange, 0},
		{"time_average_score", got.TimeAverageScore, want.TimeAverageScore, 0},
	} {
		if d := math.Abs(f.g - f.w); d > math.Max(0.01*math.Abs(f.w), f.abs) {
			t.Errorf("%s %s = %.6g; want %.6g (sabre.py), off by %.2f%%", what, f.name, f.g, f.w, 100*d/math.Abs(f.w))
		}
	}
}
