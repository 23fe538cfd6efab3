package control

import (
	"hash/fnv"
	"sort"
	"sync"

	"github.com/abrkit/abrkit/simulator/backend/queue"
)

// KindEvent is the kind of the /v1/events records in the telemetry
// pipeline.
const KindEvent = "event"

// Telemetry is the event intake: it puts a session's events into the
// backend's telemetry pipeline (package queue; the catalog's heartbeats
// share it), keyed by session so they stay in order, and aggregates them
// as the pipeline's consumers take them. Events that do not fit are
// dropped and counted.
type Telemetry struct {
	p *queue.Pipeline

	mu     sync.Mutex
	byType map[string]int64
	stalls float64
}

// TelemetryStats summarises the intake.
type TelemetryStats struct {
	Accepted  int64 `json:"accepted"`
	Dropped   int64 `json:"dropped"`
	Processed int64 `json:"processed"`
	// Queued is the records waiting in the pipeline, of every kind.
	Queued int              `json:"queued"`
	ByType map[string]int64 `json:"by_type"`
	// StallS is the total stall time reported by "stall" events.
	StallS float64 `json:"stall_s"`
}

// NewTelemetry puts events into p and consumes its events.
func NewTelemetry(p *queue.Pipeline) *Telemetry {
	t := &Telemetry{p: p, byType: map[string]int64{}}
	p.Handle(KindEvent, func(v any) { t.process(v.(Event)) })
	return t
}

// Offer queues a batch without blocking and says how many fit.
func (t *Telemetry) Offer(req EventsRequest) EventsResponse {
	var r EventsResponse
	h := fnv.New32a()
	h.Write([]byte(req.Session))
	key := h.Sum32()
	for _, e := range req.Events {
		if _, ok := t.p.Offer(KindEvent, key, e); ok {
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

// Drain processes everything queued in the pipeline now and returns how
// many records it took.
func (t *Telemetry) Drain() int { return t.p.Drain() }

// Queued is the records waiting in the pipeline.
func (t *Telemetry) Queued() int { return t.p.Len() }

// Stats returns the counters.
func (t *Telemetry) Stats() TelemetryStats {
	n := t.p.Counts(KindEvent)
	t.mu.Lock()
	defer t.mu.Unlock()
	s := TelemetryStats{Accepted: n.Accepted, Dropped: n.Dropped, Processed: n.Consumed,
		Queued: t.p.Len(), ByType: make(map[string]int64, len(t.byType)), StallS: t.stalls}
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
