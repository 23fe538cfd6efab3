package transport

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Sentinel errors; every error the fetcher returns wraps one of these, an
// *HTTPError, the context's error or the body writer's error.
var (
	// ErrTimeout: no connection or no response headers in time.
	ErrTimeout = errors.New("timeout")
	// ErrStalled: the body stopped flowing for longer than the stall timeout.
	ErrStalled = errors.New("stalled")
	// ErrRange: a range request was answered with something other than a
	// 206 whose Content-Range matches.
	ErrRange = errors.New("bad range response")
	// ErrFilter wraps an error returned by a request filter.
	ErrFilter = errors.New("request filter")
	// ErrBadHeader: a header value could not be parsed.
	ErrBadHeader = errors.New("bad header")
)

// HTTPError is a response with a status the fetcher does not accept.
type HTTPError struct {
	URL    string // the request's URL
	Status int    // the response status
	// RetryAfter is the parsed Retry-After header (0 when absent).
	RetryAfter time.Duration
}

func (e *HTTPError) Error() string {
	s := fmt.Sprintf("GET %s: HTTP %d %s", e.URL, e.Status, http.StatusText(e.Status))
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %v)", e.RetryAfter)
	}
	return s
}

// Temporary reports whether a later retry may succeed (5xx, 408, 429).
func (e *HTTPError) Temporary() bool {
	return e.Status >= 500 || e.Status == http.StatusRequestTimeout || e.Status == http.StatusTooManyRequests
}

// Error is a failed fetch: the URL, how many attempts were made and the
// last attempt's error.
type Error struct {
	URL      string // the request's URL
	Attempts int    // attempts made
	Err      error  // the last attempt's error; Unwrap returns it
}

func (e *Error) Error() string {
	if he, ok := e.Err.(*HTTPError); ok {
		return fmt.Sprintf("transport: %v (%d attempts)", he, e.Attempts)
	}
	return fmt.Sprintf("transport: GET %s: %v (%d attempts)", e.URL, e.Err, e.Attempts)
}

func (e *Error) Unwrap() error { return e.Err }

// stageError adds detail to a sentinel (which timeout, after how long).
type stageError struct {
	sentinel error
	detail   string
}

func (e *stageError) Error() string { return e.sentinel.Error() + ": " + e.detail }
func (e *stageError) Unwrap() error { return e.sentinel }
