package clock

import (
	"context"
	"time"
)

// Scaled runs Factor times faster than the wall clock: a session of a minute
// plays in a second with Factor 60. Tests and demos use it with a server
// that paces its responses by the same clock.
type Scaled struct {
	start  time.Time
	Factor float64
}

var _ Clock = (*Scaled)(nil)

// NewScaled returns a clock that starts at the wall time now and runs factor
// times faster (factor <= 0 means 1).
func NewScaled(factor float64) *Scaled {
	if factor <= 0 {
		factor = 1
	}
	return &Scaled{start: time.Now(), Factor: factor}
}

// Now returns the scaled time.
func (c *Scaled) Now() time.Time {
	return c.start.Add(time.Duration(float64(time.Since(c.start)) * c.Factor))
}

// NewTimer fires after d of scaled time.
func (c *Scaled) NewTimer(d time.Duration) Timer { return sysTimer{time.NewTimer(c.Real(d))} }

// Sleep waits d of scaled time or until ctx is done.
func (c *Scaled) Sleep(ctx context.Context, d time.Duration) error {
	return sleep(ctx, d, c.Real(d))
}

// Real converts a scaled duration to wall-clock time.
func (c *Scaled) Real(d time.Duration) time.Duration {
	return time.Duration(float64(d) / c.Factor)
}
