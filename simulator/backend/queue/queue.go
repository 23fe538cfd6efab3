// Package queue is the reference backend's bounded, partitioned event
// queue, and the telemetry [Pipeline] made of one: the catalog's
// heartbeats and the gateway's /v1/events go into the same pipeline as
// records of two kinds.
package queue

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/simulator/backend/faults"
)

// Queue holds P bounded partitions (a key always lands on the same one,
// so its events stay in order), one consumer per partition. Lag is what
// waits in the partitions, in events and in age of the last event taken.
// Kill stalls the consumers (events queue up until Restart); a full
// partition refuses what is offered.
type Queue[T any] struct {
	parts []chan queued[T]
	// size is each partition's events not yet consumed: waiting in its
	// channel or taken by a stalled consumer; it is what the capacity
	// bounds, so a stall holds exactly capacity events per partition.
	size     []atomic.Int32
	capacity int32
	clock    clock.Clock
	consume  func(T)

	accepted, dropped, consumed atomic.Int64
	lagNanos                    atomic.Int64

	mu     sync.Mutex
	resume chan struct{} // non-nil while the consumers are stalled
	// held counts the events consumers have taken from a partition and
	// not yet consumed; idle is signalled when it falls to zero or a
	// stall begins.
	held int
	idle *sync.Cond
	// virtual: no consumer goroutines; what is offered is consumed at
	// once unless the consumers are stalled, and on Restart.
	virtual bool
}

type queued[T any] struct {
	v  T
	at time.Time
}

// Stats summarises a queue.
type Stats struct {
	Accepted int64 `json:"accepted"`
	Dropped  int64 `json:"dropped"`
	Consumed int64 `json:"consumed"`
	// Lag is the events waiting, per partition.
	Lag []int `json:"lag"`
	// LagS is how long the last consumed event waited.
	LagS    float64 `json:"lag_s"`
	Stalled bool    `json:"stalled"`
}

var _ faults.Target = (*Queue[int])(nil)

// New makes a queue of partitions (at least 1) of capacity (at least 1)
// events each; consume (nil: nothing) takes each event, from the
// partition's consumer goroutine. A virtual queue has no consumer
// goroutines: events are consumed as they are offered.
func New[T any](partitions, capacity int, c clock.Clock, virtual bool, consume func(T)) *Queue[T] {
	q := &Queue[T]{clock: clock.Or(c), virtual: virtual, consume: consume, capacity: int32(max(capacity, 1))}
	q.idle = sync.NewCond(&q.mu)
	for range max(partitions, 1) {
		q.parts = append(q.parts, make(chan queued[T], q.capacity))
	}
	q.size = make([]atomic.Int32, len(q.parts))
	return q
}

// Offer queues v on key's partition without blocking; false when the
// partition is full.
func (q *Queue[T]) Offer(key uint32, v T) (partition int, ok bool) {
	partition = int(key % uint32(len(q.parts)))
	if q.size[partition].Add(1) > q.capacity {
		q.size[partition].Add(-1)
		q.dropped.Add(1)
		return partition, false
	}
	// never blocks: the channel holds at most size <= capacity events
	q.parts[partition] <- queued[T]{v, q.clock.Now()}
	q.accepted.Add(1)
	if q.virtual {
		q.Drain()
	}
	return partition, true
}

func (q *Queue[T]) stalled() chan struct{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.resume
}

func (q *Queue[T]) take(partition int, e queued[T]) {
	if q.consume != nil {
		q.consume(e.v)
	}
	q.lagNanos.Store(int64(q.clock.Now().Sub(e.at)))
	q.consumed.Add(1)
	q.size[partition].Add(-1)
}

// Run consumes every partition until ctx ends.
func (q *Queue[T]) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for i, ch := range q.parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				var e queued[T]
				select {
				case <-ctx.Done():
					return
				case e = <-ch:
				}
				q.hold(1)
				// A stall that began while this consumer waited holds the
				// event it just took until the restart.
				if r := q.stalled(); r != nil {
					select {
					case <-r:
					case <-ctx.Done():
						q.hold(-1)
						return
					}
				}
				q.take(i, e)
				q.hold(-1)
			}
		}()
	}
	wg.Wait()
}

func (q *Queue[T]) hold(n int) {
	q.mu.Lock()
	q.held += n
	if q.held == 0 {
		q.idle.Broadcast()
	}
	q.mu.Unlock()
}

// Drain consumes what is queued now, unless stalled, and says how much;
// it returns once the consumers have also consumed what they had taken.
func (q *Queue[T]) Drain() int {
	if q.stalled() != nil {
		return 0
	}
	defer func() {
		q.mu.Lock()
		for q.held > 0 && q.resume == nil {
			q.idle.Wait()
		}
		q.mu.Unlock()
	}()
	n := 0
	for i, ch := range q.parts {
		for more := true; more; {
			select {
			case e := <-ch:
				q.take(i, e)
				n++
			default:
				more = false
			}
		}
	}
	return n
}

// Len is the events waiting in every partition.
func (q *Queue[T]) Len() int {
	n := 0
	for i := range q.parts {
		n += q.PartitionLen(i)
	}
	return n
}

// Partitions is the number of partitions; PartitionLen(i) what waits in one.
func (q *Queue[T]) Partitions() int { return len(q.parts) }

// PartitionLen is the events waiting in partition i.
func (q *Queue[T]) PartitionLen(i int) int { return int(q.size[i].Load()) }

// Stats returns the counters and the lag.
func (q *Queue[T]) Stats() Stats {
	s := Stats{Accepted: q.accepted.Load(), Dropped: q.dropped.Load(), Consumed: q.consumed.Load(),
		LagS: time.Duration(q.lagNanos.Load()).Seconds(), Stalled: q.stalled() != nil}
	for i := range q.parts {
		s.Lag = append(s.Lag, q.PartitionLen(i))
	}
	return s
}

// Kill stalls the consumers: events queue up until Restart.
func (q *Queue[T]) Kill() error {
	q.mu.Lock()
	if q.resume == nil {
		q.resume = make(chan struct{})
	}
	q.idle.Broadcast()
	q.mu.Unlock()
	return nil
}

// Restart resumes the consumers.
func (q *Queue[T]) Restart() error {
	q.mu.Lock()
	if q.resume != nil {
		close(q.resume)
		q.resume = nil
	}
	q.mu.Unlock()
	if q.virtual {
		q.Drain()
	}
	return nil
}

// Impair is a no-op: consumers are stalled or running.
func (q *Queue[T]) Impair(faults.Impairment) {}
