// Package clock is the one way time enters abrkit: the player, its
// transport, the downloader and the reference backend all take a [Clock].
// Production code uses [Real]; tests use [Fake], which moves only when the
// test says so, so no test sleeps to synchronise; demos use [Scaled].
package clock

import (
	"context"
	"time"
)

// Clock tells the time and waits on it.
type Clock interface {
	Now() time.Time
	// NewTimer fires once after d of this clock's time.
	NewTimer(d time.Duration) Timer
	// Sleep waits d or until ctx is done (then it returns ctx's error).
	Sleep(ctx context.Context, d time.Duration) error
}

// Timer is a one-shot timer of a Clock.
type Timer interface {
	C() <-chan time.Time
	// Stop prevents the timer from firing; false if it already fired or was stopped.
	Stop() bool
}

// Real is the wall clock.
type Real struct{}

var _ Clock = Real{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// NewTimer returns a time.Timer.
func (Real) NewTimer(d time.Duration) Timer { return sysTimer{time.NewTimer(d)} }

// Sleep waits d of wall time or until ctx is done.
func (Real) Sleep(ctx context.Context, d time.Duration) error { return sleep(ctx, d, d) }

type sysTimer struct{ t *time.Timer }

func (t sysTimer) C() <-chan time.Time { return t.t.C }
func (t sysTimer) Stop() bool          { return t.t.Stop() }

func sleep(ctx context.Context, d, wall time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(wall)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Or returns c, or Real when c is nil: constructors call it on optional
// Clock fields.
func Or(c Clock) Clock {
	if c == nil {
		return Real{}
	}
	return c
}
