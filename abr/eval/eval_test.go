package eval

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/abrkit/abrkit/abr"
	"github.com/abrkit/abrkit/abr/trace"
)

var update = flag.Bool("update", false, "rewrite golden files")

// sharedTraces is where the shared data lives, seen from abr/eval.
const sharedTraces = "../../../shared/data/traces"

// piecewise returns a trace of 1 s samples following mbps(t).
func piecewise(name string, dur int, mbps func(t float64) float64) *trace.Trace {
	tr := &trace.Trace{Name: name}
	for i := 0; i <= dur; i++ {
		tr.Time = append(tr.Time, float64(i))
		tr.Mbps = append(tr.Mbps, mbps(float64(i)))
	}
	return tr
}

// cbrVideo is Pensieve's ladder with constant-bitrate segments.
func cbrVideo(segments int) *trace.Video {
	v := &trace.Video{Name: "cbr", SegmentDuration: 4 * time.Second, Bitrates: trace.PensieveBitrates()}
	for _, b := range v.Bitrates {
		sizes := make([]int64, segments)
		for i := range sizes {
			sizes[i] = int64(b / 8 * 4)
		}
		v.Sizes = append(v.Sizes, sizes)
	}
	return v
}

func allAlgos() []string { return append(abr.Names(), abr.Optimal) }

func TestConstantLinkConverges(t *testing.T) {
	// 4 Mbit/s x 0.95 payload sustains level 4 (2850 kbit/s), not level 5.
	tr := piecewise("const4", 400, func(float64) float64 { return 4 })
	v := cbrVideo(49)
	for _, name := range allAlgos() {
		r, err := RunOne(Pensieve(), tr, v, name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if r.RebufferS > 0 {
			t.Errorf("%s on a constant link stalled %.2f s; want 0", name, r.RebufferS)
		}
		tail := r.Chunks[len(r.Chunks)-12:]
		for i, c := range tail {
			if c.Level < 4 {
				t.Errorf("%s on a constant 4 Mbit/s link: segment %d at level %d; want >= 4 once converged", name, 36+i, c.Level)
				break
			}
		}
		exact := map[string]bool{"throughput": true, "dynamic": true, "bola": true}
		if exact[name] && tail[len(tail)-1].Level != 4 {
			t.Errorf("%s on a constant 4 Mbit/s link ends at level %d; want 4", name, tail[len(tail)-1].Level)
		}
	}
}

func TestOutageShorterThanBuffer(t *testing.T) {
	// 5 Mbit/s, then nothing for 10 s once the buffer is full, then 5 again.
	tr := piecewise("outage", 600, func(t float64) float64 {
		if t > 150 && t <= 160 {
			return 0
		}
		return 5
	})
	v := cbrVideo(49)
	for _, name := range []string{"bb", "auto", "optimal"} {
		r, err := RunOne(Pensieve(), tr, v, name)
		if err != nil {
			t.Fatal(err)
		}
		if r.RebufferS > 0 {
			t.Errorf("%s stalled %.2f s over a 10 s outage with a full buffer; want 0", name, r.RebufferS)
		}
	}
}

func TestDropToZero(t *testing.T) {
	// The link dies for good at t = 40 s (a trickle so the run ends): the
	// segment in flight stalls only once the buffer is spent, and the next
	// choice is the bottom level.
	tr := piecewise("dies", 40, func(float64) float64 { return 3 })
	tr.Time = append(tr.Time, 5000)
	tr.Mbps = append(tr.Mbps, 0.01)
	v := cbrVideo(49)
	for _, name := range []string{"bb", "auto"} {
		r, err := RunOne(Pensieve(), tr, v, name)
		if err != nil {
			t.Fatal(err)
		}
		k := 1
		for k < len(r.Chunks) && r.Chunks[k].RebufferS == 0 {
			k++
		}
		if k >= len(r.Chunks)-1 {
			t.Fatalf("%s never stalled on a dead link", name)
		}
		before, c := r.Chunks[k-1].BufferS, r.Chunks[k]
		if math.Abs(c.RebufferS-(c.DelayS-before)) > 1e-6 || before <= 0 {
			t.Errorf("%s: segment %d stalled %.2f s after %.2f s delay with %.2f s buffered; want the stall to start when the buffer is spent",
				name, k, c.RebufferS, c.DelayS, before)
		}
		if next := r.Chunks[k+1].Level; next != 0 {
			t.Errorf("%s: after the stall on a dead link chose level %d; want 0", name, next)
		}
	}
}

func TestDropToTrickle(t *testing.T) {
	// 5 Mbit/s, then 0.4 Mbit/s for good (level 0 still sustainable). The
	// segment in flight at the drop may stall (no online algorithm can
	// know); after it, auto must not stall again. The optimum never stalls.
	tr := piecewise("trickle", 600, func(t float64) float64 {
		if t > 150 {
			return 0.4
		}
		return 5
	})
	v := cbrVideo(49)
	r, err := RunOne(Pensieve(), tr, v, "auto")
	if err != nil {
		t.Fatal(err)
	}
	stalled := false
	for i, c := range r.Chunks[1:] {
		if stalled && c.RebufferS > 0 {
			t.Errorf("auto: segment %d stalled %.2f s after the drop was seen; want 0", i+1, c.RebufferS)
		}
		stalled = stalled || c.RebufferS > 0
	}
	o, _ := RunOne(Pensieve(), tr, v, "optimal")
	if o.RebufferS > 0 {
		t.Errorf("optimal stalled %.2f s; want 0", o.RebufferS)
	}
}

func TestOptimalIsUpperBound(t *testing.T) {
	traces := []*trace.Trace{
		piecewise("square", 300, func(t float64) float64 { return 1 + 3*float64(int(t/20)%2) }),
		piecewise("ramp", 300, func(t float64) float64 { return 0.3 + t/60 }),
		piecewise("sine", 300, func(t float64) float64 { return 2.5 + 2*math.Sin(t/15) }),
	}
	v := cbrVideo(49)
	rep, err := Evaluate(Pensieve(), traces, v, allAlgos(), Options{PerTrace: true})
	if err != nil {
		t.Fatal(err)
	}
	opt := rep.Results[len(rep.Results)-1]
	for _, r := range rep.Results[:len(rep.Results)-1] {
		for i, pt := range r.PerTrace {
			if pt.QoE > opt.PerTrace[i].QoE+1e-9 {
				t.Errorf("%s on %s: QoE %.3f > optimal %.3f", r.Algo, pt.Trace, pt.QoE, opt.PerTrace[i].QoE)
			}
		}
	}
}

func TestOptimalPlanReplays(t *testing.T) {
	tr := piecewise("sine", 300, func(t float64) float64 { return 2.5 + 2*math.Sin(t/15) })
	v := cbrVideo(49)
	plan, err := OptimalPlan(Pensieve(), tr, v)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan) != 48 || plan[0] != 1 {
		t.Fatalf("OptimalPlan = %v; want 48 levels starting at 1", plan)
	}
	r, _ := Simulate(Pensieve(), tr, v, &Plan{Levels: plan})
	for i, c := range r.Chunks {
		if c.Level != plan[i] {
			t.Fatalf("replay segment %d at level %d; plan says %d", i, c.Level, plan[i])
		}
	}
}

func TestDeterministicAcrossWorkers(t *testing.T) {
	traces := []*trace.Trace{
		piecewise("trace_a", 200, func(t float64) float64 { return 1 + math.Mod(t, 7)/2 }),
		piecewise("fcc_b", 200, func(t float64) float64 { return 4 - math.Mod(t, 11)/4 }),
		piecewise("c.log", 200, func(t float64) float64 { return 0.5 + math.Mod(t*t, 13)/3 }),
	}
	v := cbrVideo(49)
	one, err := Evaluate(Pensieve(), traces, v, allAlgos(), Options{Workers: 1, PerTrace: true})
	if err != nil {
		t.Fatal(err)
	}
	many, _ := Evaluate(Pensieve(), traces, v, allAlgos(), Options{Workers: 3, PerTrace: true})
	if !reflect.DeepEqual(one, many) {
		t.Error("Evaluate with 1 and 3 workers differ")
	}
	if len(one.Subsets) != 2 || one.Subsets[0].Traces != 2 || one.Subsets[1].Traces != 1 {
		t.Errorf("subsets = %+v; want fcc 2, norway 1", one.Subsets)
	}
}

func TestBadInput(t *testing.T) {
	v := cbrVideo(49)
	dead := piecewise("dead", 10, func(float64) float64 { return 0 })
	if _, err := Simulate(Pensieve(), dead, v, abr.NewBB()); err == nil {
		t.Error("Simulate(dead trace) = nil error")
	}
	if _, err := Evaluate(Pensieve(), []*trace.Trace{dead}, v, []string{"nope"}, Options{}); err == nil {
		t.Error("Evaluate(unknown algorithm) = nil error")
	}
	if _, err := Preset("nope"); err == nil {
		t.Error(`Preset("nope") = nil error`)
	}
}

func TestReportText(t *testing.T) {
	traces := []*trace.Trace{
		piecewise("trace_a", 200, func(t float64) float64 { return 1 + math.Mod(t, 7)/2 }),
		piecewise("b.log", 200, func(t float64) float64 { return 4 - math.Mod(t, 11)/4 }),
	}
	rep, err := Evaluate(Pensieve(), traces, cbrVideo(49), []string{"bb", "robustmpc", "auto", "optimal"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := rep.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", t.Name()+".golden")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("WriteText =\n%s\nwant\n%s", buf.Bytes(), want)
	}
}

func TestPlot(t *testing.T) {
	traces := []*trace.Trace{
		piecewise("a", 200, func(t float64) float64 { return 1 + math.Mod(t, 7)/2 }),
		piecewise("b", 200, func(t float64) float64 { return 4 - math.Mod(t, 11)/4 }),
	}
	rep, _ := Evaluate(Pensieve(), traces, cbrVideo(49), []string{"bb", "auto"}, Options{PerTrace: true})
	for _, ext := range []string{"png", "svg"} {
		p := filepath.Join(t.TempDir(), "cdf."+ext)
		if err := rep.Plot(p); err != nil {
			t.Fatalf("Plot(%s) = %v", ext, err)
		}
		if st, err := os.Stat(p); err != nil || st.Size() < 1000 {
			t.Errorf("Plot(%s) wrote %v bytes (%v)", ext, st, err)
		}
	}
	if err := rep.Plot(filepath.Join(t.TempDir(), "x.pdf")); err == nil {
		t.Error("Plot(.pdf) = nil error")
	}
}

func TestSabrePreset(t *testing.T) {
	root := filepath.Join(sharedTraces, "sabre")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("shared traces absent (%v): skipping", err)
	}
	trs, err := trace.LoadDir(filepath.Join(root, "4Glogs"), trace.FormatSabre)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range trs {
		tr.Name = filepath.Join(root, "4Glogs", tr.Name)
	}
	v, err := trace.LoadSabreVideo(filepath.Join(root, "bbb.json"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Evaluate(Sabre(), trs[:4], v, []string{"bb", "auto", "optimal"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Subsets) != 1 || rep.Subsets[0].Name != "4Glogs" {
		t.Errorf("subsets = %+v; want one, 4Glogs", rep.Subsets)
	}
	if opt, auto := rep.Results[2].MeanQoE, rep.Results[1].MeanQoE; auto > opt+1e-9 || auto <= 0 {
		t.Errorf("sabre: auto %.2f, optimal %.2f; want 0 < auto <= optimal", auto, opt)
	}
}

func TestAbandonUnderPensieveRules(t *testing.T) {
	// 6 Mbit/s, then 0.2 Mbit/s from t = 60 s: a top-level download in
	// flight at the collapse is given up when abandonment is on.
	tr := piecewise("collapse", 600, func(t float64) float64 {
		if t > 60 {
			return 0.2
		}
		return 6
	})
	v := cbrVideo(49)
	for _, tc := range []struct {
		abandon bool
		want    func(n int) bool
	}{{false, func(n int) bool { return n == 0 }}, {true, func(n int) bool { return n > 0 }}} {
		cfg := Pensieve()
		cfg.Abandon = tc.abandon
		r, err := RunOne(cfg, tr, v, "throughput")
		if err != nil {
			t.Fatal(err)
		}
		if !tc.want(r.Abandoned) {
			t.Errorf("throughput with Abandon=%v abandoned %d downloads", tc.abandon, r.Abandoned)
		}
	}
}
