package control

import (
	"context"
	"sort"
	"sync"
	"sync/atomic"
)

// Telemetry is the event intake: a bounded queue and a consumer that
// aggregates. Events that do not fit are dropped and counted.
type Telemetry struct {
	q chan Event

	accepted, dropped, processed atomic.Int64

	mu     sync.Mutex
	byType map[string]int64
	stalls float64
}

// TelemetryStats summarises the intake.
type TelemetryStats struct {
	Accepted  int64            `json:"accepted"`
	Dropped   int64            `json:"dropped"`
	Processed int64            `json:"processed"`
	Queued    int              `json:"queued"`
	ByType    map[string]int64 `json:"by_type"`
	// StallS is the total stall time reported by "stall" events.
	StallS float64 `json:"stall_s"`
}

// NewTelemetry queues at most size events.
func NewTelemetry(size int) *Telemetry {
	return &Telemetry{q: make(chan Event, max(size, 1)), byType: map[string]int64{}}
}

// Offer queues a batch without blocking and says how many fit.
func (t *Telemetry) Offer(req EventsRequest) EventsResponse {
	var r EventsResponse
	for _, e := range req.Events {
		select {
		case t.q <- e:
			r.Accepted++
		default:
			r.Dropped++
		}
	}
	t.accepted.Add(int64(r.Accepted))
	t.dropped.Add(int64(r.Dropped))
	return r
}

func (t *Telemetry) process(e Event) {
	t.mu.Lock()
	t.byType[e.Type]++
	if e.Type == "stall" {
		t.stalls += e.DurationS
	}
	t.mu.Unlock()
	t.processed.Add(1)
}

// Drain processes everything queued now and returns how many events it took.
func (t *Telemetry) Drain() int {
	n := 0
	for {
		select {
		case e := <-t.q:
			t.process(e)
			n++
		default:
			return n
		}
	}
}

// Run consumes events until ctx ends.
func (t *Telemetry) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-t.q:
			t.process(e)
		}
	}
}

// Stats returns the counters.
func (t *Telemetry) Stats() TelemetryStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := TelemetryStats{Accepted: t.accepted.Load(), Dropped: t.dropped.Load(), Processed: t.processed.Load(),
		Queued: len(t.q), ByType: make(map[string]int64, len(t.byType)), StallS: t.stalls}
	keys := make([]string, 0, len(t.byType))
	for k := range t.byType {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s.ByType[k] = t.byType[k]
	}
	return s
}
