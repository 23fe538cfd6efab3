package main

import (
	"sync"
	"sync/atomic"
)

// EventQueue is how many events wait for a slow callback before newer ones
// are dropped (and counted in the next delivered event).
const EventQueue = 1024

// Sink receives events of type E on the dispatcher's goroutine. The cgo
// side wraps a C function pointer and its user data in one; tests use Go
// functions.
type Sink[E any] interface {
	Deliver(e *E, dropped int64)
}

// SinkFunc adapts a function to Sink.
type SinkFunc[E any] func(e *E, dropped int64)

// Deliver calls f.
func (f SinkFunc[E]) Deliver(e *E, dropped int64) { f(e, dropped) }

// Thread hooks: the cgo side locks the dispatcher goroutine to its OS thread
// and remembers it, so that a close made from inside a callback does not wait
// for itself. Without cgo there are no foreign callers and they do nothing.
var (
	lockThread = func() any { return nil }
	sameThread = func(any) bool { return false }
)

// dispatcher takes events from the player's (or download manager's)
// goroutine, which must never block on foreign code, and delivers them in
// order on its own goroutine. It starts with the first sink.
type dispatcher[E any] struct {
	sink    atomic.Pointer[sinkBox[E]]
	dropped atomic.Int64
	ch      chan E
	stop    chan struct{}

	mu      sync.Mutex
	started bool
	closed  bool
	done    chan struct{}
	thread  any
}

type sinkBox[E any] struct{ s Sink[E] }

func newDispatcher[E any]() *dispatcher[E] {
	return &dispatcher[E]{ch: make(chan E, EventQueue), stop: make(chan struct{}), done: make(chan struct{})}
}

// setSink replaces the sink (nil: events are no longer queued).
func (d *dispatcher[E]) setSink(s Sink[E]) {
	if s == nil {
		d.sink.Store(nil)
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	d.sink.Store(&sinkBox[E]{s})
	if !d.started {
		d.started = true
		ready := make(chan struct{})
		go d.run(ready)
		<-ready
	}
}

// OnEvent queues e; it never blocks. It implements player.Listener for
// dispatcher[player.Event].
func (d *dispatcher[E]) OnEvent(e E) {
	if d.sink.Load() == nil {
		return
	}
	select {
	case d.ch <- e:
	default:
		d.dropped.Add(1)
	}
}

func (d *dispatcher[E]) run(ready chan<- struct{}) {
	defer close(d.done)
	d.thread = lockThread()
	close(ready)
	for {
		select {
		case <-d.stop:
			return
		case e := <-d.ch:
			if b := d.sink.Load(); b != nil {
				b.s.Deliver(&e, d.dropped.Swap(0))
			}
		}
	}
}

// close stops delivery after the current callback. Called from the
// dispatcher's own thread (a callback closing its player), it does not wait.
func (d *dispatcher[E]) close() {
	d.sink.Store(nil)
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	d.closed = true
	started := d.started
	d.mu.Unlock()
	if !started {
		return
	}
	close(d.stop)
	if !sameThread(d.thread) {
		<-d.done
	}
}
