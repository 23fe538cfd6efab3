package control

import (
	"sync"
	"time"
)

// Login back-off: the first FreeFailures failures of a key cost nothing;
// each further one doubles the wait before the next attempt, from
// BackoffBase up to BackoffMax. Keys are per user and per client address,
// so guessing one user's password from many addresses, or many users'
// passwords from one address, both slow down.
const (
	FreeFailures = 5
	BackoffBase  = time.Second
	BackoffMax   = 5 * time.Minute
)

// Backoff tracks failed logins per key.
type Backoff struct {
	now func() time.Time

	mu sync.Mutex
	m  map[string]*strikes
}

type strikes struct {
	n     int
	until time.Time
}

// NewBackoff returns an empty back-off table read against now.
func NewBackoff(now func() time.Time) *Backoff { return &Backoff{now: now, m: map[string]*strikes{}} }

// Wait returns how long the caller must wait before trying any of keys.
func (b *Backoff) Wait(keys ...string) time.Duration {
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	var wait time.Duration
	for _, k := range keys {
		if s := b.m[k]; s != nil {
			wait = max(wait, s.until.Sub(now))
		}
	}
	return wait
}

// Fail records a failed attempt under every key.
func (b *Backoff) Fail(keys ...string) {
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.m) >= maxBuckets {
		b.prune(now)
	}
	for _, k := range keys {
		s := b.m[k]
		if s == nil {
			s = &strikes{}
			b.m[k] = s
		}
		s.n++
		if s.n > FreeFailures {
			d := BackoffBase << min(s.n-FreeFailures-1, 20)
			s.until = now.Add(min(d, BackoffMax))
		}
	}
}

// Reset forgets key's failures (after a successful login).
func (b *Backoff) Reset(key string) {
	b.mu.Lock()
	delete(b.m, key)
	b.mu.Unlock()
}

// prune drops keys whose wait is over and that have waited BackoffMax
// since: they have stopped guessing.
func (b *Backoff) prune(now time.Time) {
	for k, s := range b.m {
		if now.Sub(s.until) > BackoffMax {
			delete(b.m, k)
		}
	}
	if len(b.m) >= maxBuckets {
		clear(b.m)
	}
}
