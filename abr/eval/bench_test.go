package eval

import (
	"math"
	"testing"
)

// BenchmarkEvaluate runs each algorithm over the 127 shared Pensieve
// training traces on one worker, to compare with the Pensieve simulator
// (about 1.4 s per trace for robustMPC, 0.18 s for 142 BB traces).
func BenchmarkEvaluate(b *testing.B) {
	trs, v := loadPensieve(b)
	for _, name := range []string{"bb", "robustmpc", "auto", "optimal"} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Evaluate(Pensieve(), trs, v, []string{name}, Options{Workers: 1}); err != nil {
					b.Fatal(err)
				}
			}
			per := b.Elapsed().Seconds() / float64(b.N) / float64(len(trs))
			b.ReportMetric(1/per, "traces/s")
			b.ReportMetric(per*1e3, "ms/trace")
		})
	}
}

// BenchmarkOptimal times the offline optimum on one 300 s trace with 48
// segments and 6 levels.
func BenchmarkOptimal(b *testing.B) {
	tr := piecewise("sine300", 300, func(t float64) float64 { return 2.5 + 2*math.Sin(t/15) })
	v := cbrVideo(49)
	for b.Loop() {
		if _, err := OptimalPlan(Pensieve(), tr, v); err != nil {
			b.Fatal(err)
		}
	}
}
