package queue_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/simulator/backend/queue"
)

// epoch is where the tests' fake clocks start.
var epoch = time.Unix(1_700_000_000, 0)

// TestQueueStallAndLag: consumers stalled while events wait; on Restart
// the consumers take them and the lag is how long the last one waited.
func TestQueueStallAndLag(t *testing.T) {
	clk := clock.NewFake(epoch)
	got := make(chan string, 4)
	q := queue.New(2, 4, clk, false, func(s string) { got <- s })
	_ = q.Kill()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		q.Run(ctx)
	}()
	q.Offer(0, "a")
	q.Offer(1, "b")
	clk.Advance(3 * time.Second)
	if q.Drain() != 0 || len(got) != 0 {
		t.Fatal("a stalled queue was drained")
	}
	_ = q.Restart()
	seen := map[string]bool{<-got: true, <-got: true}
	cancel()
	<-done
	if !seen["a"] || !seen["b"] {
		t.Errorf("consumed %v; want a and b", seen)
	}
	if st := q.Stats(); st.Consumed != 2 || st.LagS != 3 || st.Stalled || q.Len() != 0 {
		t.Errorf("stats %+v, %d queued; want 2 consumed, lag 3s, running, none queued", st, q.Len())
	}
}

func TestQueue(t *testing.T) {
	tests := []struct {
		name                 string
		partitions, capacity int
		virtual, stall       bool
		keys                 []uint32
		want                 queue.Stats // after the offers, then a Drain
		wantTaken            []int
	}{
		{"fits", 2, 2, false, false, []uint32{0, 1, 2, 3}, queue.Stats{Accepted: 4, Consumed: 4, Lag: []int{0, 0}}, []int{0, 2, 1, 3}},
		{"a full partition refuses", 2, 1, false, false, []uint32{0, 2, 1}, queue.Stats{Accepted: 2, Dropped: 1, Consumed: 2, Lag: []int{0, 0}}, []int{0, 2}},
		{"stalled keeps what waits", 1, 3, false, true, []uint32{5, 5}, queue.Stats{Accepted: 2, Lag: []int{2}, Stalled: true}, nil},
		{"virtual consumes at once", 3, 1, true, false, []uint32{0, 0, 0}, queue.Stats{Accepted: 3, Consumed: 3, Lag: []int{0, 0, 0}}, []int{0, 1, 2}},
		{"at least one partition", 0, 0, false, false, []uint32{7, 8}, queue.Stats{Accepted: 1, Dropped: 1, Consumed: 1, Lag: []int{0}}, []int{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var taken []int
			q := queue.New(tt.partitions, tt.capacity, clock.NewFake(epoch), tt.virtual, func(i int) { taken = append(taken, i) })
			if tt.stall {
				_ = q.Kill()
			}
			for i, k := range tt.keys {
				q.Offer(k, i)
			}
			q.Drain()
			if got := q.Stats(); got.Accepted != tt.want.Accepted || got.Dropped != tt.want.Dropped || got.Consumed != tt.want.Consumed ||
				!slices.Equal(got.Lag, tt.want.Lag) || got.Stalled != tt.want.Stalled {
				t.Errorf("stats %+v; want %+v", got, tt.want)
			}
			if !slices.Equal(taken, tt.wantTaken) {
				t.Errorf("consumed %v; want %v", taken, tt.wantTaken)
			}
		})
	}
}
