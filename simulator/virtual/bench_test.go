package virtual

import (
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/abrkit/abrkit/simulator/internal/cputime"
	"github.com/abrkit/abrkit/simulator/policy"
	"github.com/abrkit/abrkit/simulator/scenario"
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

// BenchmarkJourneys measures what journeys cost: scenarios/scale-100k.yaml
// as written (every viewer logs in and plays) and with the default
// journey (viewers browse before they play, a share leaves without
// playing, heartbeats every 30 s). It reports played viewer-seconds per
// CPU-second, CPU per session and events per session. Set
// ABRKIT_BENCH_VIEWERS to run more viewers (100000: the scenario's count).
//
//	ABRKIT_BENCH_VIEWERS=100000 go test ./simulator/virtual -run '^$' -bench Journeys -benchtime 1x -timeout 1h
func BenchmarkJourneys(b *testing.B) {
	n := benchViewers
	if v, err := strconv.Atoi(os.Getenv("ABRKIT_BENCH_VIEWERS")); err == nil && v > 0 {
		n = v
	}
	for _, c := range []struct {
		name string
		ref  *scenario.JourneyRef
	}{{"none", nil}, {"default", &scenario.JourneyRef{Path: "default"}}} {
		b.Run(c.name, func(b *testing.B) {
			s := load(b, "../../scenarios/scale-100k.yaml")
			s.Journey = c.ref
			for i := 0; i < b.N; i++ {
				runtime.GC()
				cpu0 := cputime.Process()
				res, err := Run(s, Options{Viewers: n, SampleViewers: -1})
				cpu := cputime.Process() - cpu0
				if err != nil {
					b.Fatal(err)
				}
				sum := res.Summarize()
				b.ReportMetric(sum.ViewerSeconds/cpu.Seconds(), "viewer-s/cpu-s")
				b.ReportMetric(cpu.Seconds()*1e6/float64(n), "cpu-µs/session")
				b.ReportMetric(float64(res.Events)/float64(n), "events/session")
				b.ReportMetric(float64(sum.Sessions.Started)/float64(n), "played/session")
			}
		})
	}
}
