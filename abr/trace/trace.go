package trace

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors wrapped by [ParseError].
var (
	ErrSyntax = errors.New("syntax error")
	ErrEmpty  = errors.New("no samples")
	ErrRange  = errors.New("value out of range")
)

// ParseError is bad input in a trace or video file.
type ParseError struct {
	File  string
	Line  int // 1-based; 0 when the whole file is at fault
	Field string
	Err   error
}

func (e *ParseError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %v", loc, e.Field, e.Err)
	}
	return fmt.Sprintf("%s: %v", loc, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// Trace is a capacity series in the Pensieve convention: sample i,
// (Time[i], Mbps[i]), is the capacity over the interval from Time[i-1] to
// Time[i]. Sample 0 only marks the start.
type Trace struct {
	Name string
	Time []float64 // seconds, non-decreasing
	Mbps []float64 // megabits per second
	// LatencyMs is the request latency per interval (Sabre traces); nil
	// when the trace has none.
	LatencyMs []float64
}

// Duration returns the time of the last sample.
func (t *Trace) Duration() time.Duration {
	if len(t.Time) == 0 {
		return 0
	}
	return time.Duration(t.Time[len(t.Time)-1] * float64(time.Second))
}

// MeanMbps returns the time-weighted mean capacity.
func (t *Trace) MeanMbps() float64 {
	var bits, secs float64
	for i := 1; i < len(t.Time); i++ {
		d := t.Time[i] - t.Time[i-1]
		bits += d * t.Mbps[i]
		secs += d
	}
	if secs == 0 {
		return 0
	}
	return bits / secs
}

// Video is a ladder with the size of every segment at every level.
type Video struct {
	Name            string
	SegmentDuration time.Duration
	Bitrates        []int     // bits per second, ascending
	Sizes           [][]int64 // [level][segment] bytes
}

// Segments returns the number of segments (of the shortest level).
func (v *Video) Segments() int {
	if len(v.Sizes) == 0 {
		return 0
	}
	n := len(v.Sizes[0])
	for _, s := range v.Sizes {
		n = min(n, len(s))
	}
	return n
}

// Size returns segment index at level, false outside the video.
func (v *Video) Size(index, level int) (int64, bool) {
	if level < 0 || level >= len(v.Sizes) || index < 0 || index >= len(v.Sizes[level]) {
		return 0, false
	}
	return v.Sizes[level][index], true
}
