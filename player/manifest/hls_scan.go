package manifest

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// lineScanner walks playlist lines with 1-based line numbers. It accepts
// LF and CRLF endings, a UTF-8 byte-order mark and surrounding blanks.
type lineScanner struct {
	s    string
	pos  int
	line int
}

// next returns the next non-blank line, trimmed.
func (sc *lineScanner) next() (string, bool) {
	for sc.pos < len(sc.s) {
		end := strings.IndexByte(sc.s[sc.pos:], '\n')
		var l string
		if end < 0 {
			l = sc.s[sc.pos:]
			sc.pos = len(sc.s)
		} else {
			l = sc.s[sc.pos : sc.pos+end]
			sc.pos += end + 1
		}
		sc.line++
		if sc.line == 1 {
			l = strings.TrimPrefix(l, "\ufeff")
		}
		l = strings.TrimSpace(l)
		if l != "" {
			return l, true
		}
	}
	return "", false
}

// splitTag splits "#EXT-X-FOO:value" into "EXT-X-FOO" and "value".
func splitTag(l string) (tag, value string) {
	l = l[1:]
	if i := strings.IndexByte(l, ':'); i >= 0 {
		return l[:i], strings.TrimSpace(l[i+1:])
	}
	return l, ""
}

// attr is one NAME=VALUE pair of an HLS attribute list.
type attr struct {
	name, value string
	quoted      bool
}

type attrList []attr

func (a attrList) get(name string) (string, bool) {
	for _, x := range a {
		if x.name == name {
			return x.value, true
		}
	}
	return "", false
}

func (a attrList) str(name string) string {
	v, _ := a.get(name)
	return v
}

// parseAttrs parses an attribute list (RFC 8216 section 4.2): names made
// of A-Z, 0-9 and '-', values either quoted strings (which may hold
// commas) or unquoted tokens. It is lenient about blanks around ',' and '='
// and about lower-case names, which real-world playlists contain.
func parseAttrs(s string, buf attrList) (attrList, error) {
	out := buf[:0]
	i := 0
	for i < len(s) {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == ',') {
			i++
		}
		if i >= len(s) {
			break
		}
		eq := strings.IndexByte(s[i:], '=')
		if eq < 0 {
			return nil, fmt.Errorf("attribute %q has no value", strings.TrimSpace(s[i:]))
		}
		name := strings.TrimSpace(s[i : i+eq])
		if name == "" {
			return nil, fmt.Errorf("empty attribute name at column %d", i+1)
		}
		i += eq + 1
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i < len(s) && s[i] == '"' {
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 {
				return nil, fmt.Errorf("attribute %s: unterminated quoted string", name)
			}
			out = append(out, attr{name: name, value: s[i+1 : i+1+end], quoted: true})
			i += end + 2
			for i < len(s) && s[i] != ',' {
				if s[i] != ' ' && s[i] != '\t' {
					return nil, fmt.Errorf("attribute %s: text after quoted string", name)
				}
				i++
			}
			continue
		}
		end := strings.IndexByte(s[i:], ',')
		if end < 0 {
			end = len(s) - i
		}
		out = append(out, attr{name: name, value: strings.TrimSpace(s[i : i+end])})
		i += end
	}
	return out, nil
}

// maxSeconds bounds durations so that conversion to time.Duration cannot
// overflow (about 31 years).
const maxSeconds = 1e9

func parseSeconds(s string) (time.Duration, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, fmt.Errorf("bad number %q", s)
	}
	return secondsToDuration(f)
}

func secondsToDuration(f float64) (time.Duration, error) {
	if math.IsNaN(f) || f < 0 || f > maxSeconds {
		return 0, fmt.Errorf("duration %v out of range", f)
	}
	return time.Duration(math.Round(f * 1e9)), nil
}

func parseUint(s string) (uint64, error) {
	v, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("bad unsigned integer %q", s)
	}
	return v, nil
}

func parseInt(s string) (int, error) {
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || v < 0 {
		return 0, fmt.Errorf("bad integer %q", s)
	}
	return v, nil
}

// parseByteRange parses "n[@o]" (EXT-X-BYTERANGE and BYTERANGE attributes).
func parseByteRange(s string) (length int64, offset int64, hasOffset bool, err error) {
	n, o, found := strings.Cut(s, "@")
	length, err = strconv.ParseInt(strings.TrimSpace(n), 10, 64)
	if err != nil || length < 0 {
		return 0, 0, false, fmt.Errorf("bad byte range %q", s)
	}
	if found {
		offset, err = strconv.ParseInt(strings.TrimSpace(o), 10, 64)
		if err != nil || offset < 0 {
			return 0, 0, false, fmt.Errorf("bad byte range offset %q", s)
		}
		if offset > math.MaxInt64-length {
			return 0, 0, false, fmt.Errorf("byte range %q overflows", s)
		}
	}
	return length, offset, found, nil
}

func parseYesNo(s string) (bool, error) {
	switch strings.ToUpper(s) {
	case "YES":
		return true, nil
	case "NO":
		return false, nil
	}
	return false, fmt.Errorf("want YES or NO, not %q", s)
}

var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
}

func parseDateTime(s string) (time.Time, error) {
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad date-time %q", s)
}

// resolver resolves many references against one base cheaply: plain
// relative names (the common case in playlists) are appended to the
// base's directory without parsing.
type resolver struct {
	base string
	dir  string // base up to and including the last '/', without query
	ok   bool   // dir is usable for the fast path
}

func newResolver(base string) *resolver {
	r := &resolver{base: base}
	bp := base
	if i := strings.IndexAny(bp, "?#"); i >= 0 {
		bp = bp[:i]
	}
	if i := strings.LastIndexByte(bp, '/'); i >= 0 {
		r.dir = bp[:i+1]
		// http://host (no path) has its last '/' in "//": not a directory.
		r.ok = !strings.HasSuffix(r.dir, "//") && !strings.Contains(bp, `\`)
	} else if !hasScheme(base) && !strings.Contains(bp, `\`) {
		r.ok = true // a bare file name: its directory is the current one
	}
	return r
}

func (r *resolver) resolve(ref string) (string, error) {
	if r.ok && simpleRelative(ref) {
		return r.dir + ref, nil
	}
	return Resolve(r.base, ref)
}

// simpleRelative reports whether ref is a relative path without dot
// segments, scheme, query, fragment or escapes.
func simpleRelative(ref string) bool {
	if ref == "" || ref[0] == '/' || ref[0] == '.' {
		return false
	}
	for i := 0; i < len(ref); i++ {
		switch ref[i] {
		case ':', '?', '#', '%', '\\', ' ':
			return false
		case '.', '/':
			if ref[i-1] == '/' {
				return false
			}
		}
	}
	return true
}

func cut(s string, sep byte) (before, after string, found bool) {
	if i := strings.IndexByte(s, sep); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

func quote(s string) string { return strconv.Quote(s) }

func parseSignedSeconds(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "-") {
		d, err := parseSeconds(s[1:])
		return -d, err
	}
	return parseSeconds(s)
}

// countEXTINF counts segment tags to size the segment slice once.
func countEXTINF(s string) int {
	n := strings.Count(s, "#EXTINF:")
	if n > 1<<20 {
		n = 1 << 20
	}
	return n
}
