package clock

import (
	"context"
	"testing"
	"time"
)

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestFakeTimersFireInOrder(t *testing.T) {
	f := NewFake(epoch)
	a := f.NewTimer(3 * time.Second)
	b := f.NewTimer(1 * time.Second)
	c := f.NewTimer(5 * time.Second)
	if got := f.Pending(); got != 3 {
		t.Fatalf("Pending() = %d; want 3", got)
	}
	f.Advance(3 * time.Second)
	for _, tc := range []struct {
		name string
		tm   Timer
		want time.Time
	}{{"b", b, epoch.Add(time.Second)}, {"a", a, epoch.Add(3 * time.Second)}} {
		select {
		case got := <-tc.tm.C():
			if !got.Equal(tc.want) {
				t.Errorf("timer %s fired at %v; want %v", tc.name, got, tc.want)
			}
		default:
			t.Errorf("timer %s did not fire", tc.name)
		}
	}
	select {
	case <-c.C():
		t.Fatal("timer c fired before its deadline")
	default:
	}
	if !c.Stop() {
		t.Error("Stop() of a pending timer = false; want true")
	}
	if a.Stop() {
		t.Error("Stop() of a fired timer = true; want false")
	}
	f.Advance(time.Hour)
	select {
	case <-c.C():
		t.Fatal("a stopped timer fired")
	default:
	}
}

func TestFakeSleepWakesOnAdvance(t *testing.T) {
	f := NewFake(epoch)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- f.Sleep(ctx, 2*time.Second) }()
	if err := f.BlockUntil(ctx, 1); err != nil {
		t.Fatalf("BlockUntil: %v", err)
	}
	f.Advance(time.Second)
	select {
	case <-done:
		t.Fatal("Sleep(2s) returned after 1s of fake time")
	default:
	}
	f.Advance(time.Second)
	if err := <-done; err != nil {
		t.Fatalf("Sleep = %v; want nil", err)
	}
}

func TestFakeSleepCancelled(t *testing.T) {
	f := NewFake(epoch)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := f.Sleep(ctx, time.Second); err != context.Canceled {
		t.Fatalf("Sleep on a cancelled context = %v; want context.Canceled", err)
	}
	if got := f.Pending(); got != 0 {
		t.Fatalf("Pending() after a cancelled Sleep = %d; want 0", got)
	}
}

func TestFakeRunsBackwardsPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Set to an earlier time did not panic")
		}
	}()
	NewFake(epoch).Set(epoch.Add(-time.Second))
}

func TestScaled(t *testing.T) {
	c := NewScaled(100)
	if got := c.Real(10 * time.Second); got != 100*time.Millisecond {
		t.Fatalf("Real(10s) at 100x = %v; want 100ms", got)
	}
	if NewScaled(0).Factor != 1 {
		t.Fatal("NewScaled(0).Factor != 1")
	}
}

func TestOr(t *testing.T) {
	if _, ok := Or(nil).(Real); !ok {
		t.Fatal("Or(nil) is not Real")
	}
	f := NewFake(epoch)
	if Or(f) != Clock(f) {
		t.Fatal("Or(f) != f")
	}
}
