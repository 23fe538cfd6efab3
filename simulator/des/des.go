package des

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
	"time"
)

// Event is one timed occurrence. Kind, ID and Gen are the model's: Kind
// says what happens, ID to whom, Gen lets a model cancel events lazily
// (an event whose Gen no longer matches its target's is ignored by the
// model). Events hold no pointers, so the queue costs 24 bytes per event
// and the garbage collector never scans it.
type Event struct {
	At   time.Duration
	seq  uint32
	Kind uint8
	Gen  uint32
	ID   int32
}

// Handler is called for each event in time order.
type Handler func(ev Event)

// Queue geometry: events within ringSpan of the current bucket wait
// unsorted in a ring of buckets of bucketWidth; only the current bucket's
// events are kept in a heap. Later events wait in a second heap.
const (
	bucketWidth = time.Millisecond
	ringBits    = 14
	ringSize    = 1 << ringBits // buckets (16.4 s of simulated time)
)

// Engine is a discrete-event loop: events ordered by time and, for equal
// times, by scheduling order, so runs are deterministic. It is not safe
// for concurrent use.
//
// The queue is a two-level calendar: a small 4-ary heap holds the events
// of the current millisecond, a ring of unsorted buckets the next 16
// seconds, and a 4-ary heap the rest. Scheduling into the ring is an
// append and the heap a step pops from stays small enough to stay in
// cache, so the cost per event does not grow with the number of pending
// events as a single large heap's does.
type Engine struct {
	now    time.Duration
	seq    uint32
	events uint64

	near []Event // events of buckets <= cur, a heap
	cur  int64   // absolute index of the current bucket
	// The ring's buckets are lists of nodes (node index + 1; 0 ends a
	// list), so the ring's memory follows the events pending in it, not
	// the busiest millisecond times the number of buckets.
	ring  [ringSize]int32
	used  [ringSize / 64]uint64 // bit per non-empty ring bucket
	ringN int                   // events in the ring
	nodes []Event
	next  []int32 // per node: the next node of its list, or of the free list
	free  int32   // free list of nodes
	far   []Event // events of buckets >= cur+ringSize, a heap
}

// New returns an engine at time 0.
func New() *Engine { return &Engine{} }

// Now is the time of the event being handled (or of the last one).
func (e *Engine) Now() time.Duration { return e.now }

// Len is the number of pending events.
func (e *Engine) Len() int { return len(e.near) + e.ringN + len(e.far) }

// Handled is the number of events dispatched so far.
func (e *Engine) Handled() uint64 { return e.events }

func bucketOf(at time.Duration) int64 { return int64(at / bucketWidth) }

// Schedule adds an event at time at. Scheduling in the past panics: it
// would make time run backwards.
func (e *Engine) Schedule(at time.Duration, kind uint8, id int32, gen uint32) {
	if at < e.now {
		panic(fmt.Sprintf("des: event at %v scheduled in the past (now %v)", at, e.now))
	}
	if e.seq == math.MaxUint32 {
		e.renumber()
	}
	e.seq++
	ev := Event{At: at, seq: e.seq, Kind: kind, ID: id, Gen: gen}
	switch b := bucketOf(at); {
	case b <= e.cur:
		e.near = push(e.near, ev)
	case b < e.cur+ringSize:
		k := b & (ringSize - 1)
		var n int32
		if e.free != 0 {
			n = e.free
			e.free = e.next[n-1]
		} else {
			e.nodes = append(e.nodes, Event{})
			e.next = append(e.next, 0)
			n = int32(len(e.nodes))
		}
		e.nodes[n-1] = ev
		e.next[n-1] = e.ring[k]
		e.ring[k] = n
		e.used[k>>6] |= 1 << (k & 63)
		e.ringN++
	default:
		e.far = push(e.far, ev)
	}
}

// fill makes near hold the earliest pending events; it reports false when
// none is pending.
func (e *Engine) fill() bool {
	for len(e.near) == 0 {
		switch {
		case e.ringN > 0:
			e.cur = e.nextUsed()
			if len(e.far) > 0 {
				e.cur = min(e.cur, bucketOf(e.far[0].At))
			}
		case len(e.far) > 0:
			e.cur = bucketOf(e.far[0].At)
		default:
			return false
		}
		k := e.cur & (ringSize - 1)
		if n := e.ring[k]; n != 0 {
			for n != 0 {
				e.near = append(e.near, e.nodes[n-1])
				e.ringN--
				nn := e.next[n-1]
				e.next[n-1] = e.free
				e.free = n
				n = nn
			}
			e.ring[k] = 0
			e.used[k>>6] &^= 1 << (k & 63)
			for i := (len(e.near) - 2) / 4; i >= 0; i-- {
				down(e.near, i)
			}
		}
		for len(e.far) > 0 && bucketOf(e.far[0].At) <= e.cur {
			var ev Event
			ev, e.far = pop(e.far)
			e.near = push(e.near, ev)
		}
	}
	return true
}

// nextUsed returns the absolute index of the first non-empty ring bucket
// after cur (the ring holds buckets cur+1 .. cur+ringSize-1).
func (e *Engine) nextUsed() int64 {
	start := (e.cur + 1) & (ringSize - 1)
	w := start >> 6
	word := e.used[w] &^ (1<<(start&63) - 1)
	for i := 0; i <= len(e.used); i++ {
		if word != 0 {
			k := w<<6 + int64(bits.TrailingZeros64(word))
			return e.cur + 1 + (k-start)&(ringSize-1)
		}
		w = (w + 1) % int64(len(e.used))
		word = e.used[w]
	}
	panic("des: ring count and bitmap disagree")
}

// renumber rewrites the sequence numbers of the pending events to 1..n in
// their order, so that seq never wraps around.
func (e *Engine) renumber() {
	var all []*Event
	for i := range e.near {
		all = append(all, &e.near[i])
	}
	for _, n := range e.ring {
		for ; n != 0; n = e.next[n-1] {
			all = append(all, &e.nodes[n-1])
		}
	}
	for i := range e.far {
		all = append(all, &e.far[i])
	}
	slices.SortFunc(all, func(a, b *Event) int {
		if less(a, b) {
			return -1
		}
		return 1
	})
	for i, ev := range all {
		ev.seq = uint32(i + 1) // order unchanged: heaps stay valid
	}
	e.seq = uint32(len(all))
}

// Peek returns the time of the next event; ok is false when none is pending.
func (e *Engine) Peek() (at time.Duration, ok bool) {
	if !e.fill() {
		return 0, false
	}
	return e.near[0].At, true
}

// Step dispatches the next event to h; it returns false when none is pending.
func (e *Engine) Step(h Handler) bool {
	if !e.fill() {
		return false
	}
	var ev Event
	ev, e.near = pop(e.near)
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
	for e.fill() && e.near[0].At <= end {
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

func push(h []Event, ev Event) []Event {
	h = append(h, ev)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 4
		if !less(&h[i], &h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
	return h
}

func pop(h []Event) (Event, []Event) {
	ev := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	if last > 0 {
		down(h, 0)
	}
	return ev, h
}

func down(h []Event, i int) {
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
