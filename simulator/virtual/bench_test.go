package virtual

import (
	"github.com/abrkit/abrkit/simulator/internal/cputime"
	"github.com/abrkit/abrkit/simulator/policy"
	"runtime"
	"testing"
	"time"
)

// BenchmarkTenMinutes runs viewers that each watch 10 minutes against the
// quickstart backend and reports simulated viewer-seconds per second of
// CPU (run with -benchtime 1x; VIEWERS scales it) and the peak heap per
// viewer in flight.
//
//	go test ./simulator/virtual -run '^$' -bench TenMinutes -benchtime 1x
func BenchmarkTenMinutes(b *testing.B) {
	s := load(b, "../../scenarios/quickstart.yaml")
	n := benchViewers
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var peak uint64
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base := ms.HeapAlloc
		peakActive := 0
		sim, err := New(s, Options{Viewers: n, WatchTime: 10 * time.Minute, SampleViewers: -1})
		if err != nil {
			b.Fatal(err)
		}
		k := 0
		sim.opt.Progress = func(policy.Progress) {
			k++
			if k%12 == 0 {
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > peak {
					peak = ms.HeapAlloc
				}
			}
			if sim.active > peakActive {
				peakActive = sim.active
			}
		}
		cpu0 := cputime.Process()
		res, err := sim.Run()
		cpu := cputime.Process() - cpu0
		if err != nil {
			b.Fatal(err)
		}
		sum := res.Summarize()
		b.ReportMetric(sum.ViewerSeconds/cpu.Seconds(), "viewer-s/cpu-s")
		b.ReportMetric(float64(peak-base)/float64(max(peakActive, 1)), "heap-B/viewer")
		b.ReportMetric(float64(res.Events)/sum.ViewerSeconds, "events/viewer-s")
	}
}

var benchViewers = 2000
