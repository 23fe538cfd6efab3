package catalog

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/simulator/backend/faults"
)

// Pipeline is the heartbeat pipeline: P bounded partitions (a session
// always lands on the same one, so its heartbeats stay in order), one
// consumer per partition. Lag is what waits in the partitions, in events
// and in age of the oldest event taken.
type Pipeline struct {
	parts []chan queued
	clock clock.Clock

	accepted, dropped, consumed atomic.Int64
	lagNanos                    atomic.Int64

	mu     sync.Mutex
	resume chan struct{} // non-nil while the consumers are stalled
	// virtual: no consumer goroutines; what is offered is consumed at
	// once unless the consumers are stalled, and on Restart.
	virtual bool
}

type queued struct {
	hb Heartbeat
	at time.Time
}

// PipelineStats summarises the pipeline.
type PipelineStats struct {
	Accepted int64 `json:"accepted"`
	Dropped  int64 `json:"dropped"`
	Consumed int64 `json:"consumed"`
	// Lag is the events waiting, per partition.
	Lag []int `json:"lag"`
	// LagS is how long the last consumed event waited.
	LagS    float64 `json:"lag_s"`
	Stalled bool    `json:"stalled"`
}

var _ faults.Target = (*Pipeline)(nil)

func newPipeline(partitions, capacity int, c clock.Clock, virtual bool) *Pipeline {
	p := &Pipeline{clock: c, virtual: virtual}
	for range partitions {
		p.parts = append(p.parts, make(chan queued, capacity))
	}
	return p
}

// Offer queues hb on its session's partition without blocking; false when
// the partition is full.
func (p *Pipeline) Offer(hb Heartbeat) (partition int, ok bool) {
	partition = int(hash32(hb.Session) % uint32(len(p.parts)))
	select {
	case p.parts[partition] <- queued{hb, p.clock.Now()}:
		p.accepted.Add(1)
		if p.virtual {
			p.Drain()
		}
		return partition, true
	default:
		p.dropped.Add(1)
		return partition, false
	}
}

func (p *Pipeline) stalled() chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.resume
}

func (p *Pipeline) take(q queued) {
	p.lagNanos.Store(int64(p.clock.Now().Sub(q.at)))
	p.consumed.Add(1)
}

// Run consumes every partition until ctx ends.
func (p *Pipeline) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, ch := range p.parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				var q queued
				select {
				case <-ctx.Done():
					return
				case q = <-ch:
				}
				// A stall that began while this consumer waited holds the
				// event it just took until the restart.
				if r := p.stalled(); r != nil {
					select {
					case <-r:
					case <-ctx.Done():
						return
					}
				}
				p.take(q)
			}
		}()
	}
	wg.Wait()
}

// Drain consumes what is queued now, unless stalled, and says how much.
func (p *Pipeline) Drain() int {
	if p.stalled() != nil {
		return 0
	}
	n := 0
	for _, ch := range p.parts {
		for more := true; more; {
			select {
			case q := <-ch:
				p.take(q)
				n++
			default:
				more = false
			}
		}
	}
	return n
}

// Stats returns the counters and the lag.
func (p *Pipeline) Stats() PipelineStats {
	s := PipelineStats{Accepted: p.accepted.Load(), Dropped: p.dropped.Load(), Consumed: p.consumed.Load(),
		LagS: time.Duration(p.lagNanos.Load()).Seconds(), Stalled: p.stalled() != nil}
	for _, ch := range p.parts {
		s.Lag = append(s.Lag, len(ch))
	}
	return s
}

// Kill stalls the consumers: events queue up until Restart.
func (p *Pipeline) Kill() error {
	p.mu.Lock()
	if p.resume == nil {
		p.resume = make(chan struct{})
	}
	p.mu.Unlock()
	return nil
}

// Restart resumes the consumers.
func (p *Pipeline) Restart() error {
	p.mu.Lock()
	if p.resume != nil {
		close(p.resume)
		p.resume = nil
	}
	p.mu.Unlock()
	if p.virtual {
		p.Drain()
	}
	return nil
}

// Impair is a no-op: consumers are stalled or running.
func (p *Pipeline) Impair(faults.Impairment) {}
