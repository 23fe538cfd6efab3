package transport

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ParseRetryAfter parses a Retry-After value: delay-seconds or an
// HTTP-date (RFC 9110 10.2.3), relative to now. A date in the past gives
// 0. ok is false for an empty or malformed value.
func ParseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if isDigits(v) {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n > int64(maxRetryAfterSeconds) {
			n = maxRetryAfterSeconds // absurdly long: cap, callers cap again
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d = t.Sub(now)
	if d < 0 {
		d = 0
	}
	return d, true
}

// maxRetryAfterSeconds bounds delay-seconds (a year) to stay clear of
// time.Duration overflow.
const maxRetryAfterSeconds = 365 * 24 * 3600

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// ContentRange is a parsed Content-Range header (bytes unit).
type ContentRange struct {
	// First and Last are the inclusive byte positions; both -1 for the
	// unsatisfied form "bytes */size".
	First, Last int64
	// Size is the complete length; -1 when unknown ("/*").
	Size int64
}

// Length is the number of bytes in the range (0 when unsatisfied).
func (c ContentRange) Length() int64 {
	if c.First < 0 {
		return 0
	}
	return c.Last - c.First + 1
}

func (c ContentRange) String() string {
	size := "*"
	if c.Size >= 0 {
		size = strconv.FormatInt(c.Size, 10)
	}
	if c.First < 0 {
		return "bytes */" + size
	}
	return fmt.Sprintf("bytes %d-%d/%s", c.First, c.Last, size)
}

// ParseContentRange parses "bytes first-last/size", "bytes first-last/*"
// or "bytes */size" (RFC 9110 14.4). Errors wrap ErrBadHeader.
func ParseContentRange(v string) (ContentRange, error) {
	bad := func(why string) (ContentRange, error) {
		return ContentRange{}, fmt.Errorf("Content-Range %q: %s: %w", v, why, ErrBadHeader)
	}
	rest, ok := strings.CutPrefix(strings.TrimSpace(v), "bytes ")
	if !ok {
		return bad("unit is not bytes")
	}
	rng, size, ok := strings.Cut(strings.TrimLeft(rest, " "), "/")
	if !ok {
		return bad("missing /")
	}
	c := ContentRange{First: -1, Last: -1, Size: -1}
	if size != "*" {
		n, err := parseNonNeg(size)
		if err != nil {
			return bad("size " + err.Error())
		}
		c.Size = n
	}
	if rng == "*" {
		if c.Size < 0 {
			return bad("both range and size unknown")
		}
		return c, nil
	}
	a, b, ok := strings.Cut(rng, "-")
	if !ok {
		return bad("missing - in range")
	}
	first, err := parseNonNeg(a)
	if err != nil {
		return bad("first " + err.Error())
	}
	last, err := parseNonNeg(b)
	if err != nil {
		return bad("last " + err.Error())
	}
	if last < first {
		return bad("last before first")
	}
	if c.Size >= 0 && last >= c.Size {
		return bad("range beyond size")
	}
	c.First, c.Last = first, last
	return c, nil
}

func parseNonNeg(s string) (int64, error) {
	if !isDigits(s) {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q out of range", s)
	}
	return n, nil
}

// rangeHeader is the Range value for length bytes from offset (length 0:
// to the end).
func rangeHeader(offset, length int64) string {
	if length <= 0 {
		return "bytes=" + strconv.FormatInt(offset, 10) + "-"
	}
	return "bytes=" + strconv.FormatInt(offset, 10) + "-" + strconv.FormatInt(offset+length-1, 10)
}
