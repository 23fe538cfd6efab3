package des

import (
	"fmt"
	"time"
)

// Event is one timed occurrence. Kind, ID and Gen are the model's: Kind
// says what happens, ID to whom, Gen lets a model cancel events lazily
// (an event whose Gen no longer matches its target's is ignored by the
// model). Events hold no pointers, so the queue costs 24 bytes per event
// and the garbage collector never scans it.
type Event struct {
	At   time.Duration
	seq  uint64
	Kind uint8
	Gen  uint32
	ID   int32
}

// Handler is called for each event in time order.
type Handler func(ev Event)

// Engine is a discrete-event loop: a 4-ary heap of events ordered by time
// and, for equal times, by scheduling order, so runs are deterministic.
// It is not safe for concurrent use.
type Engine struct {
	now    time.Duration
	seq    uint64
	heap   []Event
	events uint64
}

// New returns an engine at time 0.
func New() *Engine { return &Engine{} }

// Now is the time of the event being handled (or of the last one).
func (e *Engine) Now() time.Duration { return e.now }

// Len is the number of pending events.
func (e *Engine) Len() int { return len(e.heap) }

// Handled is the number of events dispatched so far.
func (e *Engine) Handled() uint64 { return e.events }

// Schedule adds an event at time at. Scheduling in the past panics: it
// would make time run backwards.
func (e *Engine) Schedule(at time.Duration, kind uint8, id int32, gen uint32) {
	if at < e.now {
		panic(fmt.Sprintf("des: event at %v scheduled in the past (now %v)", at, e.now))
	}
	e.seq++
	e.heap = append(e.heap, Event{At: at, seq: e.seq, Kind: kind, ID: id, Gen: gen})
	e.up(len(e.heap) - 1)
}

// Peek returns the time of the next event; ok is false when none is pending.
func (e *Engine) Peek() (at time.Duration, ok bool) {
	if len(e.heap) == 0 {
		return 0, false
	}
	return e.heap[0].At, true
}

// Step dispatches the next event to h; it returns false when none is pending.
func (e *Engine) Step(h Handler) bool {
	if len(e.heap) == 0 {
		return false
	}
	ev := e.heap[0]
	last := len(e.heap) - 1
	e.heap[0] = e.heap[last]
	e.heap = e.heap[:last]
	if last > 0 {
		e.down(0)
	}
	e.now = ev.At
	e.events++
	h(ev)
	return true
}

// RunUntil dispatches events up to and including time end, or until stop
// returns true (checked between events; nil never stops). It returns the
// number of events dispatched.
func (e *Engine) RunUntil(end time.Duration, h Handler, stop func() bool) uint64 {
	n := e.events
	for len(e.heap) > 0 && e.heap[0].At <= end {
		if stop != nil && stop() {
			break
		}
		e.Step(h)
	}
	if e.now < end && (stop == nil || !stop()) {
		e.now = end
	}
	return e.events - n
}

func less(a, b *Event) bool {
	if a.At != b.At {
		return a.At < b.At
	}
	return a.seq < b.seq
}

func (e *Engine) up(i int) {
	h := e.heap
	for i > 0 {
		p := (i - 1) / 4
		if !less(&h[i], &h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func (e *Engine) down(i int) {
	h := e.heap
	n := len(h)
	for {
		c := 4*i + 1
		if c >= n {
			return
		}
		m := c
		for k := c + 1; k < c+4 && k < n; k++ {
			if less(&h[k], &h[m]) {
				m = k
			}
		}
		if !less(&h[m], &h[i]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}
