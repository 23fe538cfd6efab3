package edge

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ErrCMCD is wrapped by CMCD parse errors.
var ErrCMCD = errors.New("malformed CMCD")

// CMCD is the part of a request's Common Media Client Data (CTA-5004) the
// edge keeps: who asks, at what bitrate, with how much buffer, and whether
// the player starved.
type CMCD struct {
	SessionID    string        // sid
	ContentID    string        // cid
	BitrateKbps  int           // br
	BufferLength time.Duration // bl
	Throughput   int           // mtp, kbps
	ObjectType   string        // ot
	Starved      bool          // bs
	Startup      bool          // su
}

// maxCMCDLen bounds the payload parsed.
const maxCMCDLen = 4096

// ParseCMCD parses a CMCD payload: comma-separated key=value pairs,
// strings in double quotes, booleans as bare keys. Unknown keys are
// skipped (the spec allows custom keys).
func ParseCMCD(payload string) (CMCD, error) {
	var c CMCD
	if len(payload) > maxCMCDLen {
		return c, ErrCMCD
	}
	for payload != "" {
		var item string
		item, payload = splitItem(payload)
		if item == "" {
			continue
		}
		key, val, hasVal := strings.Cut(item, "=")
		key = strings.TrimSpace(key)
		if key == "" {
			return c, ErrCMCD
		}
		if !hasVal {
			switch key {
			case "bs":
				c.Starved = true
			case "su":
				c.Startup = true
			}
			continue
		}
		switch key {
		case "sid", "cid":
			s, err := unquote(val)
			if err != nil {
				return c, err
			}
			if key == "sid" {
				c.SessionID = s
			} else {
				c.ContentID = s
			}
		case "br", "bl", "mtp":
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 || n > 1<<31 {
				return c, ErrCMCD
			}
			switch key {
			case "br":
				c.BitrateKbps = n
			case "bl":
				c.BufferLength = time.Duration(n) * time.Millisecond
			case "mtp":
				c.Throughput = n
			}
		case "ot":
			c.ObjectType = val
		}
	}
	return c, nil
}

// splitItem cuts the first item at a comma outside quotes.
func splitItem(s string) (item, rest string) {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if quoted {
				i++
			}
		case '"':
			quoted = !quoted
		case ',':
			if !quoted {
				return s[:i], s[i+1:]
			}
		}
	}
	return s, ""
}

func unquote(v string) (string, error) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", ErrCMCD
	}
	v = v[1 : len(v)-1]
	if !strings.Contains(v, `\`) {
		return v, nil
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) {
			i++
		}
		b.WriteByte(v[i])
	}
	return b.String(), nil
}

// cmcdFrom reads CMCD from the CMCD query parameter, else the four CMCD-*
// headers; ok is false when the request carries none.
func cmcdFrom(r *http.Request) (CMCD, bool, error) {
	if r.URL.RawQuery != "" {
		if q := r.URL.Query().Get("CMCD"); q != "" {
			c, err := ParseCMCD(q)
			return c, true, err
		}
	}
	var parts []string
	for _, h := range []string{"CMCD-Object", "CMCD-Request", "CMCD-Session", "CMCD-Status"} {
		if v := r.Header.Get(h); v != "" {
			parts = append(parts, v)
		}
	}
	if len(parts) == 0 {
		return CMCD{}, false, nil
	}
	c, err := ParseCMCD(strings.Join(parts, ","))
	return c, true, err
}
