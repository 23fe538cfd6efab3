package control

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Shedder admits at most Max requests at once; the rest are refused at
// once (no queue), so overload shows as fast 503s, not growing latency.
type Shedder struct {
	max int64
	n   atomic.Int64
}

// NewShedder admits up to max concurrent requests (0: unlimited).
func NewShedder(max int) *Shedder { return &Shedder{max: int64(max)} }

// TryAcquire admits a request; the caller must Release it.
func (s *Shedder) TryAcquire() bool {
	if n := s.n.Add(1); s.max > 0 && n > s.max {
		s.n.Add(-1)
		return false
	}
	return true
}

// Release ends an admitted request.
func (s *Shedder) Release() { s.n.Add(-1) }

// InFlight returns the admitted requests in progress.
func (s *Shedder) InFlight() int { return int(s.n.Load()) }

// Limiter is a token bucket per client key.
type Limiter struct {
	rate  float64
	burst float64

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// maxBuckets bounds the limiter's memory; beyond it, full buckets are dropped.
const maxBuckets = 100_000

// NewLimiter refills perSecond tokens per second up to burst; perSecond <= 0
// disables limiting.
func NewLimiter(perSecond float64, burst int) *Limiter {
	return &Limiter{rate: perSecond, burst: float64(max(burst, 1)), buckets: map[string]*bucket{}}
}

// Allow takes a token for key at now; when none is left it says how long
// until one is.
func (l *Limiter) Allow(key string, now time.Time) (bool, time.Duration) {
	if l.rate <= 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			l.prune(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = math.Min(l.burst, b.tokens+dt*l.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

func (l *Limiter) prune(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= maxBuckets {
		clear(l.buckets)
	}
}

// BreakerState is a circuit breaker's state.
type BreakerState int

// Breaker states; the values are the breaker_state metric.
const (
	Closed   BreakerState = 0
	HalfOpen BreakerState = 1
	Open     BreakerState = 2
)

func (s BreakerState) String() string {
	return [...]string{"closed", "half-open", "open"}[s]
}

// Breaker opens after a number of consecutive failures, refuses calls for
// a cooldown, then lets one trial call through (half-open): success closes
// it, failure opens it again.
type Breaker struct {
	threshold int
	cooldown  time.Duration

	mu       sync.Mutex
	state    BreakerState
	fails    int
	openedAt time.Time
	trial    bool
}

// NewBreaker opens after threshold consecutive failures for cooldown.
func NewBreaker(threshold int, cooldown time.Duration) *Breaker {
	return &Breaker{threshold: max(threshold, 1), cooldown: cooldown}
}

// Allow reports whether a call may go ahead at now; when not, it says how
// long until the breaker will try again.
func (b *Breaker) Allow(now time.Time) (bool, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case Open:
		if wait := b.openedAt.Add(b.cooldown).Sub(now); wait > 0 {
			return false, wait
		}
		b.state, b.trial = HalfOpen, true
		return true, 0
	case HalfOpen:
		if b.trial {
			return false, b.cooldown
		}
		b.trial = true
		return true, 0
	}
	return true, 0
}

// Record reports a call's result at now.
func (b *Breaker) Record(ok bool, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if ok {
		b.state, b.fails, b.trial = Closed, 0, false
		return
	}
	b.fails++
	if b.state == HalfOpen || b.fails >= b.threshold {
		b.state, b.openedAt, b.trial = Open, now, false
	}
}

// State returns the current state.
func (b *Breaker) State() BreakerState {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.state
}
