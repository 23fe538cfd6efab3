package des

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestOrder(t *testing.T) {
	e := New()
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 1000; i++ {
		e.Schedule(time.Duration(r.IntN(100)), 0, int32(i), 0)
	}
	var last Event
	first := true
	n := e.RunUntil(time.Hour, func(ev Event) {
		if !first && (ev.At < last.At || (ev.At == last.At && ev.ID < last.ID)) {
			t.Fatalf("event %+v after %+v: out of order", ev, last)
		}
		first, last = false, ev
	}, nil)
	if n != 1000 || e.Len() != 0 || e.Now() != time.Hour {
		t.Errorf("RunUntil = %d events, %d left, now %v; want 1000, 0, 1h", n, e.Len(), e.Now())
	}
}

func TestScheduleFromHandler(t *testing.T) {
	e := New()
	e.Schedule(0, 1, 0, 0)
	var seen []time.Duration
	e.RunUntil(time.Second, func(ev Event) {
		seen = append(seen, ev.At)
		if ev.At < 500*time.Millisecond {
			e.Schedule(ev.At+100*time.Millisecond, 1, 0, 0)
		}
	}, nil)
	if len(seen) != 6 || seen[5] != 500*time.Millisecond {
		t.Errorf("seen = %v; want 0..500ms in 100ms steps", seen)
	}
}

func TestStop(t *testing.T) {
	e := New()
	for i := 0; i < 10; i++ {
		e.Schedule(time.Duration(i), 0, int32(i), 0)
	}
	count := 0
	e.RunUntil(time.Hour, func(Event) { count++ }, func() bool { return count == 3 })
	if count != 3 || e.Len() != 7 || e.Now() != 2 {
		t.Errorf("stopped after %d events, %d left, now %v; want 3, 7, 2ns", count, e.Len(), e.Now())
	}
}

func TestPastPanics(t *testing.T) {
	e := New()
	e.Schedule(time.Second, 0, 0, 0)
	e.Step(func(Event) {})
	defer func() {
		if recover() == nil {
			t.Errorf("Schedule in the past did not panic")
		}
	}()
	e.Schedule(0, 0, 0, 0)
}

func BenchmarkScheduleStep(b *testing.B) {
	e := New()
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 100_000; i++ {
		e.Schedule(time.Duration(r.IntN(1e9)), 0, int32(i), 0)
	}
	h := func(ev Event) { e.Schedule(ev.At+time.Duration(r.IntN(1e9)), 0, ev.ID, 0) }
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.Step(h)
	}
}
