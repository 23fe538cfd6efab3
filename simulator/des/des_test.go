package des

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
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

// TestCalendarOrder mixes events in the current bucket, the ring and far
// beyond it, scheduled from handlers, and checks the order against a sort.
func TestCalendarOrder(t *testing.T) {
	for _, tc := range []struct {
		name string
		span time.Duration
	}{
		{"sub-millisecond", 900 * time.Microsecond},
		{"ring", 10 * time.Second},
		{"ring and far", 10 * time.Minute},
		{"sparse", 5 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := New()
			r := rand.New(rand.NewPCG(3, 4))
			type key struct {
				at  time.Duration
				seq int
			}
			var want []key
			n := 0
			add := func(at time.Duration) {
				e.Schedule(at, 0, int32(n), 0)
				want = append(want, key{at, n})
				n++
			}
			for i := 0; i < 500; i++ {
				add(time.Duration(r.Int64N(int64(tc.span))))
			}
			var got []key
			e.RunUntil(math.MaxInt64, func(ev Event) {
				got = append(got, key{ev.At, int(ev.ID)})
				if n < 3000 {
					add(ev.At + time.Duration(r.Int64N(int64(tc.span))))
					if r.IntN(4) == 0 {
						add(ev.At) // same time: after the ones already there
					}
				}
			}, nil)
			slices.SortStableFunc(want, func(a, b key) int { return cmp.Compare(a.at, b.at) })
			if !slices.Equal(got, want) {
				t.Fatalf("order of %d events differs from a stable sort by time (%d dispatched)", len(want), len(got))
			}
			if e.Len() != 0 {
				t.Errorf("Len() = %d after the run; want 0", e.Len())
			}
		})
	}
}

// TestRenumber runs across the wrap of the 32-bit sequence numbers.
func TestRenumber(t *testing.T) {
	e := New()
	e.seq = math.MaxUint32 - 10
	for i := 0; i < 40; i++ {
		e.Schedule(time.Duration(i%3)*time.Hour, 0, int32(i), 0)
	}
	var got []int32
	e.RunUntil(math.MaxInt64, func(ev Event) { got = append(got, ev.ID) }, nil)
	for k := 1; k < len(got); k++ {
		a, b := got[k-1], got[k]
		if a%3 > b%3 || (a%3 == b%3 && a > b) {
			t.Fatalf("events %d then %d: not in time and scheduling order", a, b)
		}
	}
	if len(got) != 40 {
		t.Errorf("dispatched %d events; want 40", len(got))
	}
}
