package catalog

import (
	"container/heap"
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/simulator/backend/faults"
	"github.com/abrkit/abrkit/simulator/backend/topology"
)

// Datastore errors.
var (
	ErrUnavailable = errors.New("datastore unavailable")
	ErrTimeout     = errors.New("datastore timeout")
	ErrFailed      = errors.New("datastore read failed")
	ErrBreakerOpen = errors.New("datastore circuit open")
)

// Breaker is the circuit breaker the datastore client goes through; the
// gateway's control.Breaker satisfies it.
type Breaker interface {
	Allow(now time.Time) (bool, time.Duration)
	Record(ok bool, now time.Time)
}

type noBreaker struct{}

func (noBreaker) Allow(time.Time) (bool, time.Duration) { return true, 0 }
func (noBreaker) Record(bool, time.Time)                {}

// Datastore is a wide-column store seen from its client: log-normal read
// latency, at most Limit reads at once (the rest wait, within the
// timeout), a timeout per read and a breaker in front.
type Datastore struct {
	latency topology.ServiceTime
	timeout time.Duration
	slots   chan struct{}
	clock   clock.Clock
	sleep   func(context.Context, time.Duration) error
	breaker Breaker
	imp     *faults.Impaired
	down    atomic.Bool

	reads, errs, inFlight atomic.Int64

	mu  sync.Mutex
	rng *rand.Rand
	// free, in virtual time, holds when each slot frees up (a min-heap).
	free    slotHeap
	virtual bool
}

// slotHeap is a min-heap of the times the datastore's slots free up.
type slotHeap []time.Time

func (h slotHeap) Len() int           { return len(h) }
func (h slotHeap) Less(i, j int) bool { return h[i].Before(h[j]) }
func (h slotHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *slotHeap) Push(x any)        { *h = append(*h, x.(time.Time)) }
func (h *slotHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

var _ faults.Target = (*Datastore)(nil)

func newDatastore(lat topology.ServiceTime, limit int, timeout time.Duration, c clock.Clock, sleep func(context.Context, time.Duration) error, b Breaker, virtual bool) *Datastore {
	s := &Datastore{latency: lat, timeout: timeout, slots: make(chan struct{}, limit), clock: c, sleep: sleep, breaker: b,
		imp: faults.NewImpaired(31), rng: rand.New(rand.NewPCG(31, 7)), virtual: virtual}
	if virtual {
		s.free = make(slotHeap, limit)
	}
	return s
}

// readVirtual is Read in simulated time: the read takes the slot that
// frees first (FIFO, as the channel's waiters), waits for it within the
// timeout, and holds it for its service time (or until the timeout).
func (s *Datastore) readVirtual(now time.Time) (time.Duration, error) {
	imp, fail := s.imp.Roll()
	s.mu.Lock()
	defer s.mu.Unlock()
	start := now
	if s.free[0].After(now) {
		start = s.free[0]
	}
	wait := start.Sub(now)
	if wait > s.timeout {
		return s.timeout, ErrTimeout
	}
	svc := s.latency.Sample(s.rng) + imp.Latency
	if wait+svc > s.timeout {
		s.free[0] = now.Add(s.timeout)
		heap.Fix(&s.free, 0)
		return s.timeout, ErrTimeout
	}
	s.free[0] = start.Add(svc)
	heap.Fix(&s.free, 0)
	if fail != 0 {
		return wait + svc, ErrFailed
	}
	return wait + svc, nil
}

// Read performs one read; d is its modelled time, waiting for a slot included.
func (s *Datastore) Read(ctx context.Context) (d time.Duration, err error) {
	now := s.clock.Now()
	if ok, _ := s.breaker.Allow(now); !ok {
		s.errs.Add(1)
		return 0, ErrBreakerOpen
	}
	defer func() {
		s.breaker.Record(err == nil, s.clock.Now())
		if err != nil {
			s.errs.Add(1)
		}
	}()
	if s.down.Load() {
		return 0, ErrUnavailable
	}
	s.reads.Add(1)
	if s.virtual {
		return s.readVirtual(now)
	}
	select {
	case s.slots <- struct{}{}:
	default:
		// The concurrency limit binds: wait for a slot within the timeout.
		t := s.clock.NewTimer(s.timeout)
		select {
		case s.slots <- struct{}{}:
			t.Stop()
			d = s.clock.Now().Sub(now)
		case <-t.C():
			return s.timeout, ErrTimeout
		case <-ctx.Done():
			t.Stop()
			return s.clock.Now().Sub(now), ctx.Err()
		}
	}
	s.inFlight.Add(1)
	defer func() {
		s.inFlight.Add(-1)
		<-s.slots
	}()
	imp, fail := s.imp.Roll()
	s.mu.Lock()
	svc := s.latency.Sample(s.rng) + imp.Latency
	s.mu.Unlock()
	if d+svc > s.timeout {
		_ = s.sleep(ctx, max(s.timeout-d, 0))
		return s.timeout, ErrTimeout
	}
	if err := s.sleep(ctx, svc); err != nil {
		return d + svc, err
	}
	if fail != 0 {
		return d + svc, ErrFailed
	}
	return d + svc, nil
}

// Reads returns the reads attempted past the breaker.
func (s *Datastore) Reads() int64 { return s.reads.Load() }

// InFlight returns the reads in progress.
func (s *Datastore) InFlight() int64 { return s.inFlight.Load() }

// Kill makes every read fail at once until Restart.
func (s *Datastore) Kill() error { s.down.Store(true); return nil }

// Restart makes the datastore answer again.
func (s *Datastore) Restart() error { s.down.Store(false); return nil }

// Impair adds latency or an error rate to reads.
func (s *Datastore) Impair(i faults.Impairment) { s.imp.Set(i) }
