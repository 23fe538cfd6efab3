package download

import (
	"errors"
	"fmt"
)

// Sentinel errors callers branch on; typed errors below wrap them.
var (
	ErrNotFound      = errors.New("download not found")
	ErrExists        = errors.New("download already exists")
	ErrClosed        = errors.New("download manager closed")
	ErrDiskFull      = errors.New("disk full")
	ErrQuota         = errors.New("quota exceeded")
	ErrExpired       = errors.New("download expired")
	ErrIncomplete    = errors.New("download incomplete")
	ErrUnsafePath    = errors.New("unsafe path in manifest")
	ErrVerify        = errors.New("segment verification failed")
	ErrAuthExpired   = errors.New("signed URL rejected")
	ErrLocked        = errors.New("download folder in use by another process")
	ErrRangeIgnored  = errors.New("server ignored the range request")
	ErrBadState      = errors.New("operation not allowed in this state")
	ErrNoTracks      = errors.New("selection matches no tracks")
	ErrUnsupported   = errors.New("unsupported manifest")
	ErrTooManyErrors = errors.New("too many failures")
	ErrInvalidID     = errors.New("invalid download ID")
	// ErrTooLarge: a segment body beyond its size cap, or a manifest with
	// more segments than a download may hold.
	ErrTooLarge = errors.New("too large")
	// ErrNoIndex: a read-only open found no download index (see
	// [MissingIndexError]).
	ErrNoIndex = errors.New("no download index")
)

// SpaceError reports that a download does not fit: on disk (ErrDiskFull),
// or within a quota (ErrQuota).
type SpaceError struct {
	Path  string // the folder checked or the file written
	Need  int64  // bytes still needed (estimate), 0 if unknown
	Avail int64  // bytes available, -1 if unknown
	Err   error  // ErrDiskFull or ErrQuota, possibly wrapping the OS error
}

func (e *SpaceError) Error() string {
	if e.Avail >= 0 {
		return fmt.Sprintf("%s: %v: need %d bytes, %d available", e.Path, e.Err, e.Need, e.Avail)
	}
	return fmt.Sprintf("%s: %v", e.Path, e.Err)
}

func (e *SpaceError) Unwrap() error { return e.Err }

// UnsafePathError reports a manifest URI that would be stored outside the
// download's folder.
type UnsafePathError struct {
	Manifest string // manifest URL the URI came from
	Field    string // e.g. "segment 12 of rendition v720", "init of a1"
	URI      string // the offending URI (query redacted)
	Reason   string // why it is refused
}

func (e *UnsafePathError) Error() string {
	return fmt.Sprintf("%s: %s: URI %q: %s", e.Manifest, e.Field, e.URI, e.Reason)
}

func (e *UnsafePathError) Unwrap() error { return ErrUnsafePath }

// VerifyError reports a segment whose bytes do not match what the manifest
// and its own boxes promise.
type VerifyError struct {
	Path   string // local path relative to the download folder
	Reason string // what does not match
}

func (e *VerifyError) Error() string { return fmt.Sprintf("%s: %s", e.Path, e.Reason) }
func (e *VerifyError) Unwrap() error { return ErrVerify }

// StatusError is an HTTP answer that is not a success.
type StatusError struct {
	URL    string // the request's URL (its query is redacted in Error)
	Status int    // the HTTP status
}

func (e *StatusError) Error() string { return fmt.Sprintf("GET %s: HTTP %d", redact(e.URL), e.Status) }

// Unwrap maps 401/403/410 to ErrAuthExpired.
func (e *StatusError) Unwrap() error {
	switch e.Status {
	case 401, 403, 410:
		return ErrAuthExpired
	}
	return nil
}
