package edge

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/simulator/backend/origin"
	"github.com/abrkit/abrkit/simulator/backend/packager"
	"github.com/abrkit/abrkit/simulator/backend/signing"
)

// countingOrigin counts origin fetches.
type countingOrigin struct {
	next Fetcher
	n    atomic.Int64
}

func (c *countingOrigin) Fetch(ctx context.Context, title, file string) ([]byte, error) {
	c.n.Add(1)
	return c.next.Fetch(ctx, title, file)
}

// liveEdge starts an edge in front of a live channel on a fake clock;
// with stream, its origin streams segments being made.
func liveEdge(t testing.TB, noCollapse, stream bool) (*Edge, *clock.Fake, *countingOrigin, func(string) string) {
	t.Helper()
	fc := clock.NewFake(t0)
	ch, err := packager.NewChannel(packager.ChannelConfig{ID: "live", LadderKbps: []int{400}}, fc)
	if err != nil {
		t.Fatal(err)
	}
	src, err := origin.WithChannels(nil, ch)
	if err != nil {
		t.Fatal(err)
	}
	co := &countingOrigin{next: origin.Direct{Source: src}}
	var of Fetcher = co
	if stream {
		of = &streamingOrigin{co}
	}
	s := signing.New("k")
	e, err := New(Config{ID: "eu-1", Region: "eu", Clock: fc, Signer: s, Origin: of, Live: src.IsLive, NoCollapse: noCollapse})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close(context.Background()) })
	return e, fc, co, func(f string) string { return e.URL() + s.Path("live", f, t0.Add(time.Hour)) }
}

// viewers makes n concurrent GETs of url and returns once all answered;
// wait runs while they are in flight.
func viewers(t testing.TB, n int, url string, wait func()) []string {
	t.Helper()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}, Timeout: 30 * time.Second}
	defer hc.CloseIdleConnections()
	out := make([]string, n)
	var wg sync.WaitGroup
	for i := range out {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := hc.Get(url)
			if err != nil {
				out[i] = err.Error()
				return
			}
			defer resp.Body.Close()
			var b bytes.Buffer
			_, _ = b.ReadFrom(io.LimitReader(resp.Body, 1<<20))
			out[i] = fmt.Sprintf("%d %s", resp.StatusCode, b.String())
		}()
	}
	wait()
	wg.Wait()
	return out
}

// until spins (yielding, never sleeping) until cond holds or 10 s pass.
func until(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10s")
		}
		runtime.Gosched()
	}
}

// joinStorm has n viewers at the live edge ask for the next part with a
// blocking playlist reload, then for the part itself, and returns the
// edge's live counts.
func joinStorm(t testing.TB, n int, noCollapse bool) LiveStats {
	e, fc, _, path := liveEdge(t, noCollapse, false)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pl := viewers(t, n, path("v400/media.m3u8")+"?_HLS_msn=16&_HLS_part=0", func() {
		until(t, func() bool { return e.LiveStats().Requests == int64(n) })
		if err := fc.BlockUntil(ctx, 1); err != nil {
			t.Fatal(err)
		}
		fc.Advance(500 * time.Millisecond)
	})
	for i, b := range pl {
		if !strings.HasPrefix(b, "200 ") || !strings.Contains(b, `URI="part_16_0.m4s"`) {
			t.Fatalf("viewer %d: blocking reload = %.200q", i, b)
		}
	}
	parts := viewers(t, n, path("v400/part_16_1.m4s"), func() {
		until(t, func() bool { return e.LiveStats().Requests == int64(2*n) })
		if err := fc.BlockUntil(ctx, 1); err != nil {
			t.Fatal(err)
		}
		fc.Advance(500 * time.Millisecond)
	})
	for i, b := range parts {
		if !strings.HasPrefix(b, "200 ") {
			t.Fatalf("viewer %d: preload-hinted part = %.200q", i, b)
		}
	}
	return e.LiveStats()
}

// TestEdgeCollapsesLiveRequests: 200 viewers at the live edge of an
// LL-HLS channel make one origin request per object with collapsing on,
// and one per viewer with it off.
func TestEdgeCollapsesLiveRequests(t *testing.T) {
	const n = 200
	on := joinStorm(t, n, false)
	if on.Objects != 2 || on.Fetches != 2 || on.Coalesced != 2*(n-1) {
		t.Errorf("collapsing on: %+v; want 2 objects, 2 origin fetches, %d coalesced", on, 2*(n-1))
	}
	off := joinStorm(t, n, true)
	if off.Objects != 2 || off.Fetches != 2*n {
		t.Errorf("collapsing off: %+v; want 2 objects, %d origin fetches", off, 2*n)
	}
	t.Logf("%d viewers, blocking reload + preload-hinted part: origin requests per object %.2f with collapsing, %.2f without",
		n, on.PerObject(), off.PerObject())
}

func TestEdgeLivePlaylistTTL(t *testing.T) {
	e, fc, co, path := liveEdge(t, false, false)
	_, first, h := get(t, path("v400/media.m3u8"))
	if h.Get("Cache-Control") != "private, max-age=0" {
		t.Errorf("live playlist Cache-Control = %q; want max-age=0", h.Get("Cache-Control"))
	}
	_, again, _ := get(t, path("v400/media.m3u8"))
	if again != first || co.n.Load() != 1 {
		t.Errorf("second playlist within the TTL went to the origin (%d fetches)", co.n.Load())
	}
	fc.Advance(2 * DefaultLivePlaylistTTL) // past the TTL, and a new part exists
	_, later, _ := get(t, path("v400/media.m3u8"))
	if co.n.Load() != 2 || later == first {
		t.Errorf("playlist after the TTL: %d origin fetches, changed %v; want 2, true", co.n.Load(), later != first)
	}
	code, _, h := get(t, path("v400/seg_15.m4s"))
	if code != 200 || h.Get("Cache-Control") != "private, max-age=60" {
		t.Errorf("live segment = %d, Cache-Control %q", code, h.Get("Cache-Control"))
	}
	if code, body, _ := get(t, path("v400/media.m3u8")+"?_HLS_msn=99"); code != http.StatusBadRequest {
		t.Errorf("blocking reload far ahead = %d %q; want 400", code, body)
	}
	if st := e.LiveStats(); st.Hits != 1 {
		t.Errorf("LiveStats() = %+v; want 1 hit", st)
	}
}
