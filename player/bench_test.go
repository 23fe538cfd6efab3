package player

import (
	"runtime"
	"testing"
	"time"

	"github.com/abrkit/abrkit/player/steering"
	"github.com/abrkit/abrkit/player/transport"
)

// stepSegments drives c with instant 4 Mbit/s transfers: every Poll's
// fetches complete 100ms later. It returns the media segments completed.
func stepSegments(c *Core, now *time.Duration, acts []Action, polls int) ([]Action, int) {
	segs := 0
	for i := 0; i < polls; i++ {
		var wake time.Duration
		acts, wake = c.Poll(*now, acts[:0])
		if len(acts) == 0 {
			if wake == Never {
				return acts, segs
			}
			*now = max(wake, *now+time.Millisecond)
			continue
		}
		*now += 100 * time.Millisecond
		for _, a := range acts {
			if a.Op != OpFetch {
				continue
			}
			if a.Kind == transport.KindMedia {
				segs++
			}
			c.Complete(*now, a.ID, Outcome{Status: 200, Bytes: a.Size, Duration: 100 * time.Millisecond})
		}
	}
	return acts, segs
}

// BenchmarkCoreSegment measures one segment decision in steady state:
// Poll (ABR, scheduler) plus Complete, per media segment.
func BenchmarkCoreSegment(b *testing.B) {
	b.Run("single-server", func(b *testing.B) { benchSegment(b, CoreConfig{}) })
	b.Run("three-edges", func(b *testing.B) { benchSegment(b, CoreConfig{Edges: threeEdges}) })
}

var threeEdges = append(twoEdges[:2:2], steering.Edge{ID: "c", URL: "http://c.test/"})

func benchSegment(b *testing.B, cfg CoreConfig) {
	p := content(100_000, 2*time.Second, ladder...)
	c := NewCore(cfg)
	c.LoadPresentation(0, p)
	now := time.Duration(0)
	acts := make([]Action, 0, 8)
	acts, _ = stepSegments(c, &now, acts, 200) // reach steady state
	b.ReportAllocs()
	b.ResetTimer()
	segs := 0
	for segs < b.N {
		if c.State() == StateEnded {
			b.StopTimer()
			c = NewCore(cfg)
			c.LoadPresentation(0, p)
			now = 0
			acts, _ = stepSegments(c, &now, acts, 200)
			b.StartTimer()
		}
		var n int
		acts, n = stepSegments(c, &now, acts, 1)
		segs += n
	}
	if c.State() == StateFailed {
		b.Fatal("core failed")
	}
}

// BenchmarkCoreMemory measures the heap held per player session: 10,000
// cores sharing one presentation, each started and a few segments in.
func BenchmarkCoreMemory(b *testing.B) {
	b.Run("single-server", func(b *testing.B) { benchMemory(b, CoreConfig{}) })
	b.Run("three-edges", func(b *testing.B) { benchMemory(b, CoreConfig{Edges: threeEdges}) })
}

func benchMemory(b *testing.B, cfg CoreConfig) {
	p := content(1800, 2*time.Second, ladder...)
	const n = 10_000
	for i := 0; i < b.N; i++ {
		cores := make([]*Core, n)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		acts := make([]Action, 0, 8)
		for j := range cores {
			c := NewCore(cfg)
			c.LoadPresentation(0, p)
			now := time.Duration(0)
			acts, _ = stepSegments(c, &now, acts, 20)
			cores[j] = c
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "bytes/session")
		runtime.KeepAlive(cores)
	}
}
