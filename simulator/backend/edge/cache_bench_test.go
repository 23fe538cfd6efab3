package edge

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkCacheChurn keeps a full 256 MiB cache evicting under
// Zipf-distributed requests, as an edge does in a long run. "segments" mixes
// media segments (300 KiB-1.5 MiB) with small objects; "parts" holds only
// small objects (LL-HLS parts, playlists: 2-60 KiB), the case where a cache
// of one heap object per file makes the collector work hardest. Each fill
// returns a fresh buffer, as the origin client does, and every hit is
// released after use, as the edge does once a file is sent. Reported:
// collector CPU per lookup (gc-ns/op) and per cycle (gc-us/cycle): mark
// assists, dedicated mark workers and pauses from runtime/metrics, leaving
// out idle-time marking, which only uses otherwise idle CPU; all of it
// with idle marking (gc-total-ns/op, /cpu/classes/gc/total); misses per
// lookup; the heap objects and bytes left live; the process's peak
// resident memory (VmHWM, Linux), which GOGC and GOMEMLIMIT bound.
func BenchmarkCacheChurn(b *testing.B) {
	for _, mix := range []struct {
		name  string
		large uint64 // one key in large is a media segment
	}{{"segments", 4}, {"parts", 0}} {
		b.Run(mix.name, func(b *testing.B) { benchChurn(b, mix.large) })
	}
}

func benchChurn(b *testing.B, large uint64) {
	const max, keys = 256 << 20, 40_000
	c := NewCache(max)
	ctx := context.Background()
	zipf := rand.NewZipf(rand.New(rand.NewPCG(1, 2)), 1.1, 8, keys-1)
	size := func(k uint64) int {
		if large > 0 && k%large == 0 {
			return 300<<10 + int(k*7919%(1200<<10))
		}
		return 2<<10 + int(k*7919%(58<<10))
	}
	names := make([]string, keys)
	for i := range names {
		names[i] = fmt.Sprintf("seg_%d.m4s", i)
	}
	get := func(k uint64) {
		n := size(k)
		_, release, _, err := c.Acquire(ctx, fmt.Sprint("t", k%20), names[k], func(context.Context) ([]byte, error) { return make([]byte, n), nil })
		if err != nil {
			b.Fatal(err)
		}
		release()
	}
	for i := 0; i < keys; i++ { // warm: a full cache
		get(uint64(i))
	}
	runtime.GC()
	s := []metrics.Sample{{Name: "/cpu/classes/gc/mark/assist:cpu-seconds"}, {Name: "/gc/cycles/total:gc-cycles"},
		{Name: "/gc/heap/objects:objects"}, {Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/cpu/classes/gc/mark/dedicated:cpu-seconds"}, {Name: "/cpu/classes/gc/pause:cpu-seconds"},
		{Name: "/cpu/classes/gc/total:cpu-seconds"}}
	gcCPU := func() float64 { return s[0].Value.Float64() + s[4].Value.Float64() + s[5].Value.Float64() }
	metrics.Read(s)
	gc0, total0, cyc0, miss0 := gcCPU(), s[6].Value.Float64(), s[1].Value.Uint64(), c.Stats().Misses
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		get(zipf.Uint64())
	}
	b.StopTimer()
	metrics.Read(s)
	gc := gcCPU() - gc0
	b.ReportMetric(gc*1e9/float64(b.N), "gc-ns/op")
	b.ReportMetric((s[6].Value.Float64()-total0)*1e9/float64(b.N), "gc-total-ns/op")
	if cyc := s[1].Value.Uint64() - cyc0; cyc > 0 {
		b.ReportMetric(gc*1e6/float64(cyc), "gc-us/cycle")
	}
	b.ReportMetric(float64(c.Stats().Misses-miss0)/float64(b.N), "misses/op")
	runtime.GC()
	metrics.Read(s)
	b.ReportMetric(float64(s[2].Value.Uint64()), "heap-objects")
	b.ReportMetric(float64(s[3].Value.Uint64())/(1<<20), "heap-MiB")
	if hwm := peakRSS(); hwm > 0 {
		b.ReportMetric(float64(hwm)/(1<<20), "rss-peak-MiB")
	}
	runtime.KeepAlive(c)
}

// peakRSS is the process's VmHWM in bytes, 0 where /proc has none.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
