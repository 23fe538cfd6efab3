package transport

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// CMCDMode says how CMCD data travels with a request. The zero value is
// CMCDQuery: CMCD is on unless switched off.
type CMCDMode uint8

const (
	// CMCDQuery adds the CMCD query parameter (CTA-5004 3.2); the default.
	CMCDQuery CMCDMode = iota
	// CMCDHeaders sets CMCD-Object, CMCD-Request, CMCD-Session and
	// CMCD-Status (CTA-5004 3.1).
	CMCDHeaders
	// CMCDOff sends no CMCD data.
	CMCDOff
)

var cmcdModeNames = [...]string{"query", "headers", "off"}

// String returns "query", "headers" or "off".
func (m CMCDMode) String() string {
	if int(m) < len(cmcdModeNames) {
		return cmcdModeNames[m]
	}
	return "unknown"
}

// MarshalText writes the mode's name, so JSON and YAML show "query".
func (m CMCDMode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText reads a mode name (see [ParseCMCDMode]).
func (m *CMCDMode) UnmarshalText(b []byte) error {
	v, err := ParseCMCDMode(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// ErrCMCDMode is returned by ParseCMCDMode for an unknown name.
var ErrCMCDMode = errors.New("cmcd mode must be query, headers or off")

// ParseCMCDMode reads "query", "headers" or "off".
func ParseCMCDMode(s string) (CMCDMode, error) {
	for i, n := range cmcdModeNames {
		if s == n {
			return CMCDMode(i), nil
		}
	}
	return 0, fmt.Errorf("%q: %w", s, ErrCMCDMode)
}

// ObjectType is the CMCD ot token. Each constant's value is its
// CTA-5004 token: manifest, audio, video, muxed audio and video, init
// segment, captions, timed text, key or licence, other.
type ObjectType string

const (
	ObjectManifest  ObjectType = "m"
	ObjectAudio     ObjectType = "a"
	ObjectVideo     ObjectType = "v"
	ObjectMuxed     ObjectType = "av"
	ObjectInit      ObjectType = "i"
	ObjectCaption   ObjectType = "c"
	ObjectTimedText ObjectType = "tt"
	ObjectKey       ObjectType = "k"
	ObjectOther     ObjectType = "o"
)

// StreamingFormat is the CMCD sf token; each constant's value is its
// CTA-5004 token (MPEG-DASH, HLS, Smooth Streaming, other).
type StreamingFormat string

const (
	FormatDASH   StreamingFormat = "d"
	FormatHLS    StreamingFormat = "h"
	FormatSmooth StreamingFormat = "s"
	FormatOther  StreamingFormat = "o"
)

// StreamType is the CMCD st token; each constant's value is its
// CTA-5004 token (VOD, live).
type StreamType string

const (
	StreamVOD  StreamType = "v"
	StreamLive StreamType = "l"
)

// CMCD is Common Media Client Data (CTA-5004) for one request, in Go
// units; encoding converts and rounds (bl and dl to 100 ms, mtp and rtp to
// 100 kbps, br, tb and d to integers; a positive value below half a unit
// is sent as one unit, never as 0). A zero field is not sent; false
// booleans are not sent; pr is sent only when neither 0 nor 1; v only
// when above 1.
type CMCD struct {
	// CMCD-Object
	Bitrate    int           // br: encoded bitrate of the object, bits/s
	Duration   time.Duration // d: playback duration of the object
	ObjectType ObjectType    // ot
	TopBitrate int           // tb: highest bitrate rendition, bits/s

	// CMCD-Request
	BufferLength time.Duration // bl
	Deadline     time.Duration // dl
	Throughput   float64       // mtp: measured throughput, bits/s
	NextObject   string        // nor: relative URL of the next object (URL-encoded when sent)
	NextRange    string        // nrr: "first-last" byte range of the next request
	Startup      bool          // su

	// CMCD-Session
	ContentID    string          // cid, at most 64 characters (longer is cut)
	PlaybackRate float64         // pr
	Format       StreamingFormat // sf
	SessionID    string          // sid, at most 64 characters (longer is cut)
	StreamType   StreamType      // st
	Version      int             // v

	// CMCD-Status
	Starved       bool    // bs: the buffer ran empty before this request
	MaxThroughput float64 // rtp: requested maximum throughput, bits/s
}

// CMCD header names.
const (
	HeaderCMCDObject  = "CMCD-Object"
	HeaderCMCDRequest = "CMCD-Request"
	HeaderCMCDSession = "CMCD-Session"
	HeaderCMCDStatus  = "CMCD-Status"
)

type cmcdGroup uint8

const (
	groupObject cmcdGroup = 1 << iota
	groupRequest
	groupSession
	groupStatus
	groupAll = groupObject | groupRequest | groupSession | groupStatus
)

// maxCMCDString is the longest cid/sid value CTA-5004 allows.
const maxCMCDString = 64

// AppendPayload appends the CMCD payload with all keys, sorted, as sent in
// the CMCD query parameter (before URL encoding).
func (c *CMCD) AppendPayload(dst []byte) []byte { return c.appendGroup(dst, groupAll) }

// Payload returns the CMCD payload with all keys.
func (c *CMCD) Payload() string { return string(c.AppendPayload(nil)) }

// QueryValue returns the CMCD query parameter, "CMCD=" and the
// URL-encoded payload; "" when there is nothing to send.
func (c *CMCD) QueryValue() string {
	p := c.AppendPayload(make([]byte, 0, 256))
	if len(p) == 0 {
		return ""
	}
	out := make([]byte, 0, 5+len(p)*3/2)
	out = append(out, "CMCD="...)
	return string(appendEscaped(out, p))
}

// SetHeaders sets the four CMCD-* headers (those with keys) on h.
func (c *CMCD) SetHeaders(h http.Header) {
	buf := make([]byte, 0, 128)
	for _, g := range [...]struct {
		name string
		g    cmcdGroup
	}{{HeaderCMCDObject, groupObject}, {HeaderCMCDRequest, groupRequest}, {HeaderCMCDSession, groupSession}, {HeaderCMCDStatus, groupStatus}} {
		buf = c.appendGroup(buf[:0], g.g)
		if len(buf) > 0 {
			h.Set(g.name, string(buf))
		} else {
			h.Del(g.name)
		}
	}
}

// appendGroup writes the keys of the groups in g, in alphabetical order.
func (c *CMCD) appendGroup(b []byte, g cmcdGroup) []byte {
	start := len(b)
	sep := func() {
		if len(b) > start {
			b = append(b, ',')
		}
	}
	intKey := func(key string, v int64) {
		sep()
		b = append(b, key...)
		b = append(b, '=')
		b = strconv.AppendInt(b, v, 10)
	}
	strKey := func(key, v string, limit int) {
		sep()
		b = append(b, key...)
		b = append(b, '=')
		b = appendQuoted(b, v, limit)
	}
	tokKey := func(key, v string) {
		sep()
		b = append(b, key...)
		b = append(b, '=')
		b = append(b, v...)
	}
	boolKey := func(key string) {
		sep()
		b = append(b, key...)
	}
	// keys in alphabetical order: bl br bs cid d dl mtp nor nrr ot pr rtp sf sid st su tb v
	if g&groupRequest != 0 && c.BufferLength > 0 {
		intKey("bl", round100(c.BufferLength))
	}
	if g&groupObject != 0 && c.Bitrate > 0 {
		intKey("br", roundDiv(float64(c.Bitrate), 1000))
	}
	if g&groupStatus != 0 && c.Starved {
		boolKey("bs")
	}
	if g&groupSession != 0 && c.ContentID != "" {
		strKey("cid", c.ContentID, maxCMCDString)
	}
	if g&groupObject != 0 && c.Duration > 0 {
		intKey("d", roundDiv(float64(c.Duration), float64(time.Millisecond)))
	}
	if g&groupRequest != 0 && c.Deadline > 0 {
		intKey("dl", round100(c.Deadline))
	}
	if g&groupRequest != 0 && c.Throughput > 0 {
		intKey("mtp", roundDiv(c.Throughput, 100_000)*100)
	}
	if g&groupRequest != 0 && c.NextObject != "" {
		// URL-encoded: never holds a quote or backslash to escape
		sep()
		b = append(b, `nor="`...)
		b = appendEscaped(b, c.NextObject)
		b = append(b, '"')
	}
	if g&groupRequest != 0 && c.NextRange != "" {
		strKey("nrr", c.NextRange, 0)
	}
	if g&groupObject != 0 && c.ObjectType != "" {
		tokKey("ot", string(c.ObjectType))
	}
	if g&groupSession != 0 && c.PlaybackRate > 0 && c.PlaybackRate != 1 {
		sep()
		b = append(b, "pr="...)
		b = strconv.AppendFloat(b, math.Round(c.PlaybackRate*1000)/1000, 'f', -1, 64)
	}
	if g&groupStatus != 0 && c.MaxThroughput > 0 {
		intKey("rtp", roundDiv(c.MaxThroughput, 100_000)*100)
	}
	if g&groupSession != 0 && c.Format != "" {
		tokKey("sf", string(c.Format))
	}
	if g&groupSession != 0 && c.SessionID != "" {
		strKey("sid", c.SessionID, maxCMCDString)
	}
	if g&groupSession != 0 && c.StreamType != "" {
		tokKey("st", string(c.StreamType))
	}
	if g&groupRequest != 0 && c.Startup {
		boolKey("su")
	}
	if g&groupObject != 0 && c.TopBitrate > 0 {
		intKey("tb", roundDiv(float64(c.TopBitrate), 1000))
	}
	if g&groupSession != 0 && c.Version > 1 {
		intKey("v", int64(c.Version))
	}
	return b
}

// round100 is d in milliseconds rounded to the nearest 100 ms (half up).
func round100(d time.Duration) int64 {
	return roundDiv(float64(d), float64(100*time.Millisecond)) * 100
}

// roundDiv is v/unit rounded half away from zero; a positive v never
// rounds to 0 (a present value is sent as at least one unit, so it is not
// read back as absent).
func roundDiv(v, unit float64) int64 {
	n := int64(math.Round(v / unit))
	if n == 0 && v > 0 {
		n = 1
	}
	return n
}

// appendQuoted appends a CMCD String: double quotes, with \ and "
// escaped; limit > 0 cuts the value to that many bytes (on a rune
// boundary).
func appendQuoted(b []byte, s string, limit int) []byte {
	if limit > 0 && len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// appendEscaped percent-encodes everything but RFC 3986 unreserved
// characters (ALPHA DIGIT - . _ ~), as encodeURIComponent does for the
// characters CMCD uses.
func appendEscaped[T string | []byte](b []byte, s T) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	return b
}

// ParseCMCD parses a CMCD payload (a header value, or the decoded CMCD
// query parameter). Unknown keys are ignored, as the specification asks.
// Errors wrap ErrBadHeader and name the key.
func ParseCMCD(payload string) (CMCD, error) {
	var c CMCD
	return c, c.parseInto(payload)
}

// ParseCMCDHeaders reads the four CMCD-* headers of h.
func ParseCMCDHeaders(h http.Header) (CMCD, error) {
	var c CMCD
	for _, name := range [...]string{HeaderCMCDObject, HeaderCMCDRequest, HeaderCMCDSession, HeaderCMCDStatus} {
		for _, v := range h.Values(name) {
			if err := c.parseInto(v); err != nil {
				return c, fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	return c, nil
}

// ParseCMCDQuery reads the CMCD parameter of a raw URL query.
func ParseCMCDQuery(rawQuery string) (CMCD, error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return CMCD{}, fmt.Errorf("CMCD query: %v: %w", err, ErrBadHeader)
	}
	return ParseCMCD(q.Get("CMCD"))
}

func (c *CMCD) parseInto(s string) error {
	for len(s) > 0 {
		s = strings.TrimLeft(s, " \t")
		// key
		i := 0
		for i < len(s) && s[i] != '=' && s[i] != ',' {
			i++
		}
		key := strings.TrimSpace(s[:i])
		if !validKey(key) {
			return fmt.Errorf("CMCD key %q: invalid name: %w", key, ErrBadHeader)
		}
		s = s[i:]
		var val string
		quoted, hasVal := false, false
		if len(s) > 0 && s[0] == '=' {
			hasVal = true
			s = s[1:]
			if len(s) > 0 && s[0] == '"' {
				v, rest, err := unquote(s)
				if err != nil {
					return fmt.Errorf("CMCD key %s: %v: %w", key, err, ErrBadHeader)
				}
				val, s, quoted = v, rest, true
			} else {
				j := strings.IndexByte(s, ',')
				if j < 0 {
					j = len(s)
				}
				val, s = strings.TrimSpace(s[:j]), s[j:]
			}
		}
		s = strings.TrimLeft(s, " \t")
		if len(s) > 0 {
			if s[0] != ',' {
				return fmt.Errorf("CMCD key %s: junk %q after the value: %w", key, s, ErrBadHeader)
			}
			s = s[1:]
			if strings.TrimSpace(s) == "" {
				return fmt.Errorf("CMCD: trailing comma: %w", ErrBadHeader)
			}
		}
		if err := c.set(key, val, hasVal, quoted); err != nil {
			return err
		}
	}
	return nil
}

func validKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// unquote reads a quoted string at the start of s.
func unquote(s string) (val, rest string, err error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 >= len(s) || (s[i+1] != '"' && s[i+1] != '\\') {
				return "", "", fmt.Errorf("bad escape in string")
			}
			i++
			b.WriteByte(s[i])
		case '"':
			return b.String(), s[i+1:], nil
		default:
			b.WriteByte(s[i])
		}
	}
	return "", "", fmt.Errorf("unterminated string")
}

func (c *CMCD) set(key, val string, hasVal, quoted bool) error {
	kind := cmcdKind(key)
	bad := func(why string) error {
		return fmt.Errorf("CMCD key %s=%q: %s: %w", key, val, why, ErrBadHeader)
	}
	switch kind {
	case 0:
		return nil // unknown key: ignored
	case 'b':
		if hasVal && val != "?1" && val != "?0" {
			return bad("boolean takes no value")
		}
		on := !hasVal || val == "?1"
		if key == "bs" {
			c.Starved = on
		} else {
			c.Startup = on
		}
		return nil
	case 's':
		if !hasVal || !quoted {
			return bad("want a quoted string")
		}
	case 't':
		if !hasVal || quoted || !validToken(val) {
			return bad("want a token")
		}
	case 'i', 'd':
		if !hasVal || quoted {
			return bad("want a number")
		}
	}
	switch key {
	case "cid":
		c.ContentID = val
	case "sid":
		c.SessionID = val
	case "nor":
		u, err := url.PathUnescape(val)
		if err != nil {
			return bad("not URL-encoded")
		}
		c.NextObject = u
	case "nrr":
		c.NextRange = val
	case "ot":
		c.ObjectType = ObjectType(val)
	case "sf":
		c.Format = StreamingFormat(val)
	case "st":
		c.StreamType = StreamType(val)
	case "pr":
		f, err := strconv.ParseFloat(val, 64)
		if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
			return bad("want a non-negative decimal")
		}
		c.PlaybackRate = f
	default: // integers
		if !isDigits(val) {
			return bad("want a non-negative integer")
		}
		n, err := strconv.ParseInt(val, 10, 64)
		if err != nil || n > 1<<40 {
			return bad("out of range")
		}
		switch key {
		case "br":
			c.Bitrate = int(n * 1000)
		case "tb":
			c.TopBitrate = int(n * 1000)
		case "d":
			c.Duration = time.Duration(n) * time.Millisecond
		case "bl":
			c.BufferLength = time.Duration(n) * time.Millisecond
		case "dl":
			c.Deadline = time.Duration(n) * time.Millisecond
		case "mtp":
			c.Throughput = float64(n) * 1000
		case "rtp":
			c.MaxThroughput = float64(n) * 1000
		case "v":
			c.Version = int(n)
		}
	}
	return nil
}

// cmcdKind: 'i' integer, 'd' decimal, 's' string, 't' token, 'b'
// boolean, 0 unknown.
func cmcdKind(key string) byte {
	switch key {
	case "br", "bl", "d", "dl", "mtp", "rtp", "tb", "v":
		return 'i'
	case "pr":
		return 'd'
	case "cid", "sid", "nor", "nrr":
		return 's'
	case "ot", "sf", "st":
		return 't'
	case "bs", "su":
		return 'b'
	}
	return 0
}

func validToken(v string) bool {
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`",;\()<>@[]{}=/?`, c) >= 0 {
			return false
		}
	}
	return true
}
