package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// ErrBadRequest is wrapped by every request-decoding error.
var ErrBadRequest = errors.New("bad request")

// Bounds of requests.
const (
	MaxHeartbeatBytes = 4 << 10
	MaxQueryLen       = 64
	maxIDLen          = 128
)

// Item is one title on a row or in search results.
type Item struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// RowPage is GET /v1/rows/{id}'s answer.
type RowPage struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Page  int    `json:"page"`
	Pages int    `json:"pages"`
	Items []Item `json:"items"`
}

// Home is GET /v1/home's answer.
type Home struct {
	User string    `json:"user,omitempty"`
	Rows []RowPage `json:"rows"`
	// Fallback is "" (all fresh), "partial" (some rows old copies or
	// missing), "stale" (the viewer's last home) or "generic".
	Fallback string `json:"fallback,omitempty"`
}

// SearchResult is GET /v1/search's answer.
type SearchResult struct {
	Query   string `json:"query"`
	Results []Item `json:"results"`
}

// Details is GET /v1/titles/{id}'s answer.
type Details struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Synopsis string   `json:"synopsis"`
	Rows     []string `json:"rows"`
}

// Heartbeat is POST /v1/heartbeat's body, sent by a playing session.
type Heartbeat struct {
	Session     string  `json:"session"`
	Title       string  `json:"title,omitempty"`
	PositionS   float64 `json:"position_s"`
	BitrateKbps int     `json:"bitrate_kbps,omitempty"`
	State       string  `json:"state,omitempty"`
}

// HeartbeatResponse is POST /v1/heartbeat's answer.
type HeartbeatResponse struct {
	Partition int `json:"partition"`
}

func validID(s string) bool {
	if s == "" || len(s) > maxIDLen {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r == '_' || r == '.' || unicode.IsLetter(r) || unicode.IsDigit(r)) || r > unicode.MaxASCII {
			return false
		}
	}
	return !strings.Contains(s, "..")
}

// DecodeHeartbeat parses and checks a heartbeat body.
func DecodeHeartbeat(data []byte) (Heartbeat, error) {
	var hb Heartbeat
	if len(data) > MaxHeartbeatBytes {
		return hb, fmt.Errorf("%w: heartbeat larger than %d bytes", ErrBadRequest, MaxHeartbeatBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&hb); err != nil {
		return Heartbeat{}, fmt.Errorf("%w: %v", ErrBadRequest, err)
	}
	if dec.More() {
		return Heartbeat{}, fmt.Errorf("%w: trailing data after the JSON object", ErrBadRequest)
	}
	if !validID(hb.Session) {
		return Heartbeat{}, fmt.Errorf("%w: session must be 1-%d letters, digits, '-', '_' or '.'", ErrBadRequest, maxIDLen)
	}
	if hb.Title != "" && !validID(hb.Title) {
		return Heartbeat{}, fmt.Errorf("%w: bad title id", ErrBadRequest)
	}
	if hb.PositionS < 0 || hb.PositionS > 1e7 || hb.BitrateKbps < 0 || hb.BitrateKbps > 1e6 || len(hb.State) > 16 {
		return Heartbeat{}, fmt.Errorf("%w: position_s, bitrate_kbps or state out of range", ErrBadRequest)
	}
	return hb, nil
}

// checkQuery bounds and cleans a search query.
func checkQuery(q string) (string, error) {
	q = strings.ToLower(strings.TrimSpace(q))
	if q == "" || len(q) > MaxQueryLen {
		return "", fmt.Errorf("%w: q must be 1-%d bytes", ErrBadRequest, MaxQueryLen)
	}
	for _, r := range q {
		if !unicode.IsPrint(r) {
			return "", fmt.Errorf("%w: q holds a control character", ErrBadRequest)
		}
	}
	return q, nil
}
