package steering

import (
	"testing"
	"time"
	"unsafe"
)

// BenchmarkSelectorDecision is the per-request cost: report the previous
// transfer, pick the server, map the next URI.
func BenchmarkSelectorDecision(b *testing.B) {
	m, err := New(Config{Edges: edges("a", "b", "c", "d"), ProbeCount: -1}, 0)
	if err != nil {
		b.Fatal(err)
	}
	o := good(8e6)
	b.ReportAllocs()
	now := time.Duration(0)
	for i := 0; b.Loop(); i++ {
		now += 100 * time.Millisecond
		cur := m.Current(now)
		_ = m.Report(now, cur.ID, o)
	}
}

// BenchmarkCurrent is the bare choice (no report, no URI mapping).
func BenchmarkCurrent(b *testing.B) {
	m, _ := New(Config{Edges: edges("a", "b", "c", "d"), ProbeCount: -1}, 0)
	_ = m.Report(0, "a", Outcome{Err: errNet})
	b.ReportAllocs()
	for b.Loop() {
		_ = m.Current(time.Second)
	}
}

func BenchmarkResolveEdge(b *testing.B) {
	m, _ := New(Config{Edges: edges("a", "b", "c", "d"), ProbeCount: -1}, 0)
	_ = m.Report(0, "a", Outcome{Err: errNet})
	m.Current(0)
	b.ReportAllocs()
	for b.Loop() {
		_ = m.Resolve("https://a.example.net/t/42/v/1080/seg-00042.m4s?sig=a&exp=99")
	}
}

func BenchmarkResolveHLSPathway(b *testing.B) {
	m, _ := New(Config{Presentation: hlsPresentation(), ProbeCount: -1}, 0)
	m.Current(0)
	b.ReportAllocs()
	for b.Loop() {
		_ = m.Resolve("https://a.example.com/v/high.m3u8")
	}
}

// TestMemoryPerServer keeps the per-viewer state small (the simulator
// runs thousands of selectors): an entry's fixed size, without shared
// strings, stays under 256 bytes.
func TestMemoryPerServer(t *testing.T) {
	if n := unsafe.Sizeof(entry{}); n > 256 {
		t.Fatalf("sizeof(entry) = %d; want <= 256", n)
	}
	t.Logf("sizeof(entry) = %d bytes, sizeof(Manager) = %d bytes", unsafe.Sizeof(entry{}), unsafe.Sizeof(Manager{}))
}

func BenchmarkUsableHLS(b *testing.B) {
	p := hlsPresentation()
	m, _ := New(Config{Presentation: p, ProbeCount: -1}, 0)
	m.Current(0)
	rs := p.Periods[0].Sets[0].Renditions
	dst := make([]int, 0, len(rs))
	b.ReportAllocs()
	for b.Loop() {
		dst = m.Usable(dst[:0], rs)
	}
}
