package download

import (
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/player/transport"
)

// Defaults of the fetcher [NewFetcher] builds.
const (
	// DefaultStallTimeout fails a segment whose body delivers nothing for
	// this long; the manager then retries it, resuming its part file.
	DefaultStallTimeout = 20 * time.Second
	// DefaultFirstByteTimeout bounds the wait for response headers.
	DefaultFirstByteTimeout = 20 * time.Second
)

// NewFetcher returns the player's HTTP fetcher (transport.NewHTTP) set up
// for bulk downloads: one attempt per call, because the manager retries
// each segment itself and resumes its part file with a Range request;
// longer stall and first-byte timeouts than playback needs; clk for its
// waits (nil: the wall clock). Stalls fail with transport.ErrStalled.
func NewFetcher(clk clock.Clock) *transport.HTTPFetcher {
	return transport.NewHTTP(transport.HTTPConfig{
		MaxAttempts:      1,
		StallTimeout:     DefaultStallTimeout,
		FirstByteTimeout: DefaultFirstByteTimeout,
		Clock:            clock.Or(clk),
	})
}
