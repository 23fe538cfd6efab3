package player

import "time"

// WithStartupTimeout fails the session when its first frame has not come
// d after Load (a fatal error event; Load or Wait return an error that
// wraps ErrStartupTimeout). Defaults to DefaultStartupTimeout (also for
// 0); negative: wait for ever.
func WithStartupTimeout(d time.Duration) Option {
	return func(o *options) { o.core.StartupTimeout = d }
}

// WithTargetLatency sets the live latency to hold: playback starts d
// behind the newest media of the playlist and runs at 0.95-1.05x to stay
// there. Defaults to 0: the start delay (WithLiveDelay, or the
// manifest's hold-back) is the target, and only low-latency (LL-HLS)
// streams adjust the rate. Negative values make New fail.
func WithTargetLatency(d time.Duration) Option {
	return func(o *options) { o.core.TargetLatency = d }
}

// WithoutLowLatency plays LL-HLS streams as regular HLS: whole segments
// HOLD-BACK behind the edge, playlists reloaded every target duration.
// Default: parts, preload hints and blocking reloads are used when the
// stream offers them.
func WithoutLowLatency() Option { return func(o *options) { o.core.NoLowLatency = true } }
