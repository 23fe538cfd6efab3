// Package transport gets bytes over HTTP for the player: the [Fetcher]
// interface with progress reporting, and [HTTPFetcher], its net/http
// implementation.
//
// HTTPFetcher has separate timeouts for connecting, for the first byte
// and for a stalled body (no bytes for a while); it retries failed
// attempts with exponential backoff and full jitter, honours Retry-After
// on 408, 429 and 503, never retries other 4xx, checks byte-range
// responses (206 and Content-Range), resumes an interrupted body with a
// range request, and speaks HTTP/2 when the server offers it. Bodies go
// to [Request].Body or are counted and discarded: nothing is buffered.
//
// Request filters ([Filter]) change a request before it is sent, e.g. to
// sign its URL or add an auth header, like Shaka's networking-engine
// filters. [CMCD] data (CTA-5004) is sent as the CMCD query parameter or
// as the four CMCD-* headers ([CMCDMode]); [ParseCMCD] reads it back.
//
// Errors name the URL: [*HTTPError] carries the status and Retry-After;
// [ErrTimeout], [ErrStalled] and [ErrRange] are sentinels for
// errors.Is. Time for backoff waits comes from a clock.Clock, so tests never
// sleep.
package transport
