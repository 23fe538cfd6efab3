package queue

import (
	"sync"
	"sync/atomic"

	"github.com/abrkit/abrkit/clock"
)

// Record is one message of a [Pipeline]: its kind names what produced it
// ("heartbeat", "event", ...), Value is the message.
type Record struct {
	Kind  string
	Value any
}

// Pipeline is the backend's telemetry pipeline: one [Queue] of records of
// several kinds. The partitions, their capacity, the consumers, the lag
// and the stall fault are shared by every kind (a flood of one kind fills
// the partitions for all); each kind has its own handler and counts.
type Pipeline struct {
	*Queue[Record]

	mu    sync.RWMutex
	kinds map[string]*kind
}

type kind struct {
	handle                      func(any)
	accepted, dropped, consumed atomic.Int64
}

// Counts are one kind's records since the start.
type Counts struct {
	Accepted int64 `json:"accepted"`
	Dropped  int64 `json:"dropped"`
	Consumed int64 `json:"consumed"`
}

// NewPipeline makes a pipeline of partitions of capacity records each
// (see [New]).
func NewPipeline(partitions, capacity int, c clock.Clock, virtual bool) *Pipeline {
	p := &Pipeline{kinds: map[string]*kind{}}
	p.Queue = New(partitions, capacity, c, virtual, p.consume)
	return p
}

func (p *Pipeline) kind(name string) *kind {
	p.mu.RLock()
	k := p.kinds[name]
	p.mu.RUnlock()
	if k != nil {
		return k
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if k = p.kinds[name]; k == nil {
		k = &kind{}
		p.kinds[name] = k
	}
	return k
}

// Handle makes fn (nil: nothing) consume the records of a kind, from the
// partitions' consumers.
func (p *Pipeline) Handle(name string, fn func(any)) {
	k := p.kind(name)
	p.mu.Lock()
	k.handle = fn
	p.mu.Unlock()
}

func (p *Pipeline) consume(r Record) {
	k := p.kind(r.Kind)
	p.mu.RLock()
	fn := k.handle
	p.mu.RUnlock()
	k.consumed.Add(1)
	if fn != nil {
		fn(r.Value)
	}
}

// Offer queues a record of a kind on key's partition without blocking;
// false when the partition is full.
func (p *Pipeline) Offer(name string, key uint32, v any) (partition int, ok bool) {
	k := p.kind(name)
	// counted before the offer: a virtual pipeline consumes it at once
	k.accepted.Add(1)
	partition, ok = p.Queue.Offer(key, Record{Kind: name, Value: v})
	if !ok {
		k.accepted.Add(-1)
		k.dropped.Add(1)
	}
	return partition, ok
}

// Counts returns a kind's counts.
func (p *Pipeline) Counts(name string) Counts {
	k := p.kind(name)
	return Counts{Accepted: k.accepted.Load(), Dropped: k.dropped.Load(), Consumed: k.consumed.Load()}
}
