package control

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/abrkit/abrkit/simulator/backend/signing"
)

// ErrBadRequest is wrapped by every request-decoding error.
var ErrBadRequest = errors.New("bad request")

func badRequestf(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrBadRequest, fmt.Sprintf(format, a...))
}

// Body limits per endpoint.
const (
	MaxLoginBytes  = 4 << 10
	MaxPlayBytes   = 4 << 10
	MaxReportBytes = 1 << 20
	MaxEventsBytes = 1 << 20
)

// LoginRequest is POST /v1/login's body.
type LoginRequest struct {
	User     string `json:"user"`
	Password string `json:"password"`
	// Region is the viewer's region (optional; a configured user's region wins).
	Region string `json:"region,omitempty"`
}

// LoginResponse is POST /v1/login's answer.
type LoginResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	Region    string    `json:"region,omitempty"`
}

// PlayRequest is POST /v1/play's body.
type PlayRequest struct {
	Title  string `json:"title"`
	Device string `json:"device,omitempty"`
	// Region overrides the token's region (e.g. a travelling viewer).
	Region string `json:"region,omitempty"`
}

// PlayEdge is one ranked edge in a play response.
type PlayEdge struct {
	ID     string `json:"id"`
	Region string `json:"region"`
	Rank   int    `json:"rank"` // 0 is best
	// URL is the signed base URL of the title directory on this edge;
	// manifests and segments are relative to it.
	URL  string  `json:"url"`
	HLS  string  `json:"hls,omitempty"`
	DASH string  `json:"dash,omitempty"`
	Load float64 `json:"load"`
	// Protocols are the HTTP versions the edge serves, best first, as
	// ALPN names ("h3", "h2", "http/1.1"); H3 says it serves HTTP/3 on
	// URL's port (UDP), so a player may use QUIC from the first request
	// instead of waiting for Alt-Svc.
	Protocols []string `json:"protocols"`
	H3        bool     `json:"h3"`
}

// PlayResponse is POST /v1/play's answer.
type PlayResponse struct {
	Title   string `json:"title"`
	Session string `json:"session"`
	// HLS and DASH are the manifest URLs on the best-ranked edge.
	HLS         string     `json:"hls,omitempty"`
	DASH        string     `json:"dash,omitempty"`
	Edges       []PlayEdge `json:"edges"`
	SteeringURI string     `json:"steering_uri"`
	// EventsURL is where the player posts its telemetry (POST /v1/events).
	EventsURL string    `json:"events_url"`
	Region    string    `json:"region"`
	ExpiresAt time.Time `json:"expires_at"`
	// Live marks a live channel.
	Live bool `json:"live,omitempty"`
	// Encryption is the title's protection: "aes-128" (HLS; the player
	// fetches KeyURL, the playlist's EXT-X-KEY URI, with its bearer
	// token), "cenc" (DASH; the player posts W3C ClearKey license
	// requests to LicenseURL with its bearer token) or "cbcs" (both:
	// HLS SAMPLE-AES with KeyURL, DASH with LicenseURL). Empty when clear.
	Encryption string `json:"encryption,omitempty"`
	KeyURL     string `json:"key_url,omitempty"`
	LicenseURL string `json:"license_url,omitempty"`
	// KeyIDs are the title's CENC key ids (hex), as in the MPD.
	KeyIDs []string `json:"key_ids,omitempty"`
}

// TitlesResponse is GET /v1/titles's answer.
type TitlesResponse struct {
	Titles []TitleEntry `json:"titles"`
}

// TitleEntry is one title in GET /v1/titles.
type TitleEntry struct {
	ID        string  `json:"id"`
	DurationS float64 `json:"duration_s,omitempty"`
	HLS       bool    `json:"hls"`
	DASH      bool    `json:"dash"`
	// Live marks a live channel (no duration; manifests change).
	Live bool `json:"live"`
	// Encryption is "aes-128", "cenc" or "cbcs" for a protected title.
	Encryption string `json:"encryption,omitempty"`
}

// EventsRequest is POST /v1/events's body: a batch of one session's events.
type EventsRequest struct {
	Session string  `json:"session"`
	Events  []Event `json:"events"`
}

// Event is one playback event.
type Event struct {
	// Type is e.g. "start", "stall", "switch", "error", "server_change", "cmcd".
	Type string `json:"type"`
	// T is seconds since the session started.
	T           float64 `json:"t"`
	Edge        string  `json:"edge,omitempty"`
	BitrateKbps int     `json:"bitrate_kbps,omitempty"`
	BufferS     float64 `json:"buffer_s,omitempty"`
	DurationS   float64 `json:"duration_s,omitempty"`
	Error       string  `json:"error,omitempty"`
	// CMCD is the Common Media Client Data the player sent, as a query string.
	CMCD string `json:"cmcd,omitempty"`
}

// EventsResponse is POST /v1/events's answer; dropped events are counted,
// not hidden.
type EventsResponse struct {
	Accepted int `json:"accepted"`
	Dropped  int `json:"dropped"`
}

// ErrorResponse is every 4xx/5xx body.
type ErrorResponse struct {
	Error string `json:"error"`
}

func decodeOne(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return badRequestf("malformed JSON: %v", err)
	}
	if dec.More() {
		return badRequestf("trailing data after the JSON value")
	}
	return nil
}

func checkText(field, s string, maxLen int, required bool) error {
	switch {
	case required && s == "":
		return badRequestf("%s is required", field)
	case len(s) > maxLen:
		return badRequestf("%s is longer than %d bytes", field, maxLen)
	case !utf8.ValidString(s) || strings.ContainsAny(s, "\x00\r\n"):
		return badRequestf("%s has invalid characters", field)
	}
	return nil
}

// DecodeLogin parses and checks a login body.
func DecodeLogin(data []byte) (LoginRequest, error) {
	var r LoginRequest
	if err := decodeOne(data, &r); err != nil {
		return r, err
	}
	if err := checkText("user", r.User, 256, true); err != nil {
		return r, err
	}
	if err := checkText("password", r.Password, 256, true); err != nil {
		return r, err
	}
	if r.Region != "" && !signing.CleanID(r.Region) {
		return r, badRequestf("region %q is not a valid id", r.Region)
	}
	return r, nil
}

// DecodePlay parses and checks a play body.
func DecodePlay(data []byte) (PlayRequest, error) {
	var r PlayRequest
	if err := decodeOne(data, &r); err != nil {
		return r, err
	}
	if !signing.CleanID(r.Title) {
		return r, badRequestf("title %q is not a valid id", r.Title)
	}
	if err := checkText("device", r.Device, 256, false); err != nil {
		return r, err
	}
	if r.Region != "" && !signing.CleanID(r.Region) {
		return r, badRequestf("region %q is not a valid id", r.Region)
	}
	return r, nil
}

// DecodeEvents parses and checks an events batch of at most maxBatch events.
func DecodeEvents(data []byte, maxBatch int) (EventsRequest, error) {
	var r EventsRequest
	if err := decodeOne(data, &r); err != nil {
		return r, err
	}
	if err := checkText("session", r.Session, 128, false); err != nil {
		return r, err
	}
	if len(r.Events) == 0 {
		return r, badRequestf("events is empty")
	}
	if len(r.Events) > maxBatch {
		return r, badRequestf("%d events in one batch; at most %d", len(r.Events), maxBatch)
	}
	for i, e := range r.Events {
		if err := checkText(fmt.Sprintf("events[%d].type", i), e.Type, 64, true); err != nil {
			return r, err
		}
		if err := checkText(fmt.Sprintf("events[%d].error", i), e.Error, 1024, false); err != nil {
			return r, err
		}
		if err := checkText(fmt.Sprintf("events[%d].cmcd", i), e.CMCD, 2048, false); err != nil {
			return r, err
		}
	}
	return r, nil
}

func writeJSON(w http.ResponseWriter, code int, v any) int {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
	return code
}

func writeError(w http.ResponseWriter, code int, msg string) int {
	return writeJSON(w, code, ErrorResponse{Error: msg})
}
