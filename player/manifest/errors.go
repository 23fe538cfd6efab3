package manifest

import (
	"errors"
	"strconv"
	"strings"
)

// Sentinel errors for callers that branch on the kind of failure.
var (
	// ErrMalformed is matched (errors.Is) by every *ParseError: the input
	// is not a usable manifest or segment.
	ErrMalformed = errors.New("malformed input")
	// ErrUnknownFormat is the cause when Parse cannot tell HLS from DASH.
	ErrUnknownFormat = errors.New("neither an HLS playlist nor a DASH MPD")
	// ErrNotMaster is the cause when a master playlist was expected.
	ErrNotMaster = errors.New("not a master playlist")
	// ErrNotMedia is the cause when a media playlist was expected.
	ErrNotMedia = errors.New("not a media playlist")
)

// ParseError says where and what went wrong in a manifest or segment.
// It matches [ErrMalformed] with errors.Is and unwraps to its cause.
type ParseError struct {
	URI   string // manifest or segment URI; may be empty
	Line  int    // 1-based line for HLS and XML syntax errors; 0 when unknown
	Path  string // XML element path for DASH (MPD/Period[0]/AdaptationSet[1]) or box path for MP4
	Field string // tag, attribute or box field at fault
	Msg   string // what is wrong
	Err   error  // wrapped cause; may be nil
}

// Error formats as "uri:line: path: field: msg: cause", leaving out empty parts.
func (e *ParseError) Error() string {
	var b strings.Builder
	loc := e.URI
	if loc == "" {
		loc = "<input>"
	}
	b.WriteString(loc)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
	}
	if e.Path != "" {
		b.WriteString(": ")
		b.WriteString(e.Path)
	}
	if e.Field != "" {
		b.WriteString(": ")
		b.WriteString(e.Field)
	}
	if e.Msg != "" {
		b.WriteString(": ")
		b.WriteString(e.Msg)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *ParseError) Unwrap() error { return e.Err }

// Is reports whether target is ErrMalformed.
func (e *ParseError) Is(target error) bool { return target == ErrMalformed }
