package queue_test

import (
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/simulator/backend/queue"
)

// TestPipelineKindsShareOneQueue: records of two kinds fill the same
// partition, the stall holds both, each kind is counted and handled on
// its own, and the lag is the pipeline's.
func TestPipelineKindsShareOneQueue(t *testing.T) {
	clk := clock.NewFake(epoch)
	p := queue.NewPipeline(1, 3, clk, true)
	var hbs, events []any
	p.Handle("heartbeat", func(v any) { hbs = append(hbs, v) })
	p.Handle("event", func(v any) { events = append(events, v) })
	_ = p.Kill()
	for i, c := range []struct {
		kind string
		ok   bool
	}{{"heartbeat", true}, {"event", true}, {"event", true}, {"heartbeat", false}, {"event", false}} {
		if _, ok := p.Offer(c.kind, 7, i); ok != c.ok {
			t.Errorf("offer %d (%s) into a stalled pipeline of 3: ok %v, want %v", i, c.kind, ok, c.ok)
		}
	}
	if p.Len() != 3 || len(hbs)+len(events) != 0 {
		t.Fatalf("stalled: %d waiting, %d consumed", p.Len(), len(hbs)+len(events))
	}
	clk.Advance(2 * time.Second)
	_ = p.Restart() // a virtual pipeline consumes on restart
	for _, c := range []struct {
		kind string
		want queue.Counts
		got  int
	}{{"heartbeat", queue.Counts{Accepted: 1, Dropped: 1, Consumed: 1}, len(hbs)}, {"event", queue.Counts{Accepted: 2, Dropped: 1, Consumed: 2}, len(events)}} {
		if n := p.Counts(c.kind); n != c.want || int64(c.got) != c.want.Consumed {
			t.Errorf("%s: counts %+v, handled %d; want %+v", c.kind, n, c.got, c.want)
		}
	}
	if st := p.Stats(); st.Accepted != 3 || st.Dropped != 2 || st.Consumed != 3 || st.LagS != 2 || st.Stalled {
		t.Errorf("pipeline stats %+v; want 3 accepted, 2 dropped, 3 consumed, lag 2 s", st)
	}
	if events[0] != 1 || hbs[0] != 0 {
		t.Errorf("handled heartbeats %v, events %v", hbs, events)
	}
}
