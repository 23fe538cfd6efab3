package edge

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/abrkit/abrkit/simulator/backend/origin"
)

// streamingOrigin counts origin fetches of an origin that streams.
type streamingOrigin struct{ *countingOrigin }

func (s *streamingOrigin) FetchStream(ctx context.Context, title, file string, emit func([]byte) error) error {
	s.n.Add(1)
	return s.next.(origin.Direct).FetchStream(ctx, title, file, emit)
}

// TestEdgeStreamsLiveSegment: viewers asking for an LL-DASH segment that
// is being made get its first chunk as soon as the channel has made it,
// before the segment is complete, all from one origin fetch; the bytes
// are the segment's.
func TestEdgeStreamsLiveSegment(t *testing.T) {
	e, fc, so, path := liveEdge(t, false, true)
	url := path("v400/seg_16.m4s")

	const n = 20
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}, Timeout: 30 * time.Second}
	defer hc.CloseIdleConnections()
	first := make(chan error, n)
	whole := make(chan []byte, n)
	for range n {
		go func() {
			resp, err := hc.Get(url)
			if err != nil {
				first <- err
				return
			}
			defer resp.Body.Close()
			head := make([]byte, 8)
			if _, err := io.ReadFull(resp.Body, head); err != nil || string(head[4:]) != "moof" {
				first <- err
				return
			}
			first <- nil
			rest, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			whole <- append(head, rest...)
		}()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	until(t, func() bool { return e.LiveStats().Requests == n })
	// Segment 16 starts now: its first part (of four) is made 500 ms on.
	if err := fc.BlockUntil(ctx, 1); err != nil {
		t.Fatal(err)
	}
	fc.Advance(500 * time.Millisecond)
	for range n {
		select {
		case err := <-first:
			if err != nil {
				t.Fatalf("first chunk: %v", err)
			}
		case <-ctx.Done():
			t.Fatal("the first chunk did not arrive before the segment was complete")
		}
	}
	for range 3 {
		if err := fc.BlockUntil(ctx, 1); err != nil {
			t.Fatal(err)
		}
		fc.Advance(500 * time.Millisecond)
	}
	want, err := so.next.Fetch(ctx, "live", "v400/seg_16.m4s")
	if err != nil {
		t.Fatal(err)
	}
	for range n {
		if got := <-whole; !bytes.Equal(got, want) {
			t.Fatalf("a viewer got %d bytes; want the segment's %d", len(got), len(want))
		}
	}
	if st := e.LiveStats(); so.n.Load() != 1 || st.Objects != 1 || st.Coalesced != n-1 {
		t.Errorf("origin fetches %d, stats %+v; want one fetch shared by %d viewers", so.n.Load(), st, n)
	}
}
