package player

import "time"

// Clock is where the real-time driver gets time. The core never reads it:
// the driver turns it into core time (time since the session began).
type Clock interface {
	Now() time.Time
	// NewTimer fires once after d of this clock's time.
	NewTimer(d time.Duration) Timer
}

// Timer is a one-shot timer of a Clock.
type Timer interface {
	C() <-chan time.Time
	Stop() bool
}

// SystemClock is the wall clock.
type SystemClock struct{}

var _ Clock = SystemClock{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// NewTimer returns a time.Timer.
func (SystemClock) NewTimer(d time.Duration) Timer { return sysTimer{time.NewTimer(d)} }

type sysTimer struct{ t *time.Timer }

func (t sysTimer) C() <-chan time.Time { return t.t.C }
func (t sysTimer) Stop() bool          { return t.t.Stop() }

// ScaledClock runs Factor times faster than the wall clock: a session of
// a minute plays in a second with Factor 60. Tests and demos use it with
// a server that paces its responses by the same clock.
type ScaledClock struct {
	start  time.Time
	Factor float64
}

var _ Clock = (*ScaledClock)(nil)

// NewScaledClock returns a clock that starts at the wall time now and runs
// factor times faster (factor <= 0 means 1).
func NewScaledClock(factor float64) *ScaledClock {
	if factor <= 0 {
		factor = 1
	}
	return &ScaledClock{start: time.Now(), Factor: factor}
}

// Now returns the scaled time.
func (c *ScaledClock) Now() time.Time {
	return c.start.Add(time.Duration(float64(time.Since(c.start)) * c.Factor))
}

// NewTimer fires after d of scaled time.
func (c *ScaledClock) NewTimer(d time.Duration) Timer {
	return sysTimer{time.NewTimer(c.Real(d))}
}

// Real converts a scaled duration to wall-clock time.
func (c *ScaledClock) Real(d time.Duration) time.Duration {
	return time.Duration(float64(d) / c.Factor)
}
