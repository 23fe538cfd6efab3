package player

import "time"

// WithStartupTimeout fails the session when its first frame has not come
// d after Load (a fatal error event; Load or Wait return an error that
// wraps ErrStartupTimeout). Defaults to DefaultStartupTimeout (also for
// 0); negative: wait for ever.
func WithStartupTimeout(d time.Duration) Option {
	return func(o *options) { o.core.StartupTimeout = d }
}
