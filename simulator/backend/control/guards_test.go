package control

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestShedder(t *testing.T) {
	s := NewShedder(2)
	for i := 0; i < 2; i++ {
		if !s.TryAcquire() {
			t.Fatalf("TryAcquire %d refused", i)
		}
	}
	if s.TryAcquire() {
		t.Fatal("third TryAcquire admitted; want refused (no queue)")
	}
	if s.InFlight() != 2 {
		t.Errorf("InFlight() = %d; want 2", s.InFlight())
	}
	s.Release()
	if !s.TryAcquire() {
		t.Error("TryAcquire after Release refused")
	}
	if u := NewShedder(0); !u.TryAcquire() {
		t.Error("unlimited shedder refused")
	}
}

func TestLimiter(t *testing.T) {
	l := NewLimiter(2, 3) // 2/s, burst 3
	steps := []struct {
		at   time.Duration
		key  string
		ok   bool
		wait time.Duration
	}{
		{0, "a", true, 0},
		{0, "a", true, 0},
		{0, "a", true, 0},
		{0, "a", false, 500 * time.Millisecond},
		{0, "b", true, 0}, // separate bucket
		{250 * time.Millisecond, "a", false, 250 * time.Millisecond},
		{500 * time.Millisecond, "a", true, 0},
		{10 * time.Second, "a", true, 0},
	}
	for i, s := range steps {
		ok, wait := l.Allow(s.key, t0.Add(s.at))
		if ok != s.ok || wait != s.wait {
			t.Errorf("step %d: Allow(%s, +%v) = %v, %v; want %v, %v", i, s.key, s.at, ok, wait, s.ok, s.wait)
		}
	}
	if ok, _ := NewLimiter(-1, 0).Allow("x", t0); !ok {
		t.Error("disabled limiter refused")
	}
}

func TestBreaker(t *testing.T) {
	b := NewBreaker(2, 5*time.Second)
	type step struct {
		at     time.Duration
		record *bool // nil: call Allow
		allow  bool
		state  BreakerState
	}
	yes, no := true, false
	steps := []step{
		{0, nil, true, Closed},
		{0, &no, false, Closed},
		{0, &no, false, Open},
		{time.Second, nil, false, Open},
		{5 * time.Second, nil, true, HalfOpen},  // trial
		{5 * time.Second, nil, false, HalfOpen}, // only one trial
		{5 * time.Second, &no, false, Open},     // trial failed
		{9 * time.Second, nil, false, Open},
		{10 * time.Second, nil, true, HalfOpen},
		{10 * time.Second, &yes, false, Closed},
		{10 * time.Second, nil, true, Closed},
	}
	for i, s := range steps {
		now := t0.Add(s.at)
		if s.record != nil {
			b.Record(*s.record, now)
		} else if ok, _ := b.Allow(now); ok != s.allow {
			t.Errorf("step %d: Allow(+%v) = %v; want %v", i, s.at, ok, s.allow)
		}
		if got := b.State(); got != s.state {
			t.Errorf("step %d: State() = %v; want %v", i, got, s.state)
		}
	}
}
