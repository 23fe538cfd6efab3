package control

import (
	"context"
	"sort"
	"sync"

	"github.com/abrkit/abrkit/simulator/backend/queue"
)

// Telemetry is the event intake: a bounded queue (package queue, one
// partition) and a consumer that aggregates. Events that do not fit are
// dropped and counted.
type Telemetry struct {
	q *queue.Queue[Event]

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
	t := &Telemetry{byType: map[string]int64{}}
	t.q = queue.New(1, size, nil, false, t.process)
	return t
}

// Offer queues a batch without blocking and says how many fit.
func (t *Telemetry) Offer(req EventsRequest) EventsResponse {
	var r EventsResponse
	for _, e := range req.Events {
		if _, ok := t.q.Offer(0, e); ok {
			r.Accepted++
		} else {
			r.Dropped++
		}
	}
	return r
}

func (t *Telemetry) process(e Event) {
	t.mu.Lock()
	t.byType[e.Type]++
	if e.Type == "stall" {
		t.stalls += e.DurationS
	}
	t.mu.Unlock()
}

// Drain processes everything queued now and returns how many events it took.
func (t *Telemetry) Drain() int { return t.q.Drain() }

// Run consumes events until ctx ends.
func (t *Telemetry) Run(ctx context.Context) { t.q.Run(ctx) }

// Queued is the events waiting.
func (t *Telemetry) Queued() int { return t.q.Len() }

// Stats returns the counters.
func (t *Telemetry) Stats() TelemetryStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	qs := t.q.Stats()
	s := TelemetryStats{Accepted: qs.Accepted, Dropped: qs.Dropped, Processed: qs.Consumed,
		Queued: t.q.Len(), ByType: make(map[string]int64, len(t.byType)), StallS: t.stalls}
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
