package abr

import (
	"testing"
	"time"
)

// BenchmarkChoose measures decisions per second per algorithm on
// Pensieve's 6-level ladder with exact segment sizes.
func BenchmarkChoose(b *testing.B) {
	size := func(index, level int) (int64, bool) {
		return int64(ladder[level]/8*4) + int64(index%7)*1000, true
	}
	for _, name := range Names() {
		b.Run(name, func(b *testing.B) {
			a, _ := New(name)
			s := steady(2.5e6, 20*time.Second, 3, 8)
			s.SegmentSize = size
			s.Remaining = -1
			for i := 0; b.Loop(); i++ {
				s.Index = 8 + i
				s.Now = time.Duration(i) * 4 * time.Second
				last := &s.History[len(s.History)-1]
				last.Download = time.Duration(1+i%5) * time.Second
				s.Last = a.Choose(s)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
		})
	}
}

func BenchmarkEstimators(b *testing.B) {
	for _, name := range EstimatorNames() {
		b.Run(name, func(b *testing.B) {
			e, _ := NewEstimator(name)
			for i := 0; b.Loop(); i++ {
				e.Add(Sample{Bytes: int64(100_000 + i%50_000), Duration: time.Second})
				e.Estimate()
			}
		})
	}
}
