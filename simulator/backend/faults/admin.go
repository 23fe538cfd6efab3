package faults

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// MaxRequestBytes bounds an admin request body.
const MaxRequestBytes = 64 << 10

// Request is the admin endpoint's JSON body. Durations are Go duration
// strings ("250ms"). "in" delays the fault from now; "at" is an RFC 3339
// time; with neither the fault applies at once.
type Request struct {
	Target       string  `json:"target"`
	Kind         Kind    `json:"kind"`
	Latency      string  `json:"latency,omitempty"`
	BandwidthBps int64   `json:"bandwidth_bps,omitempty"`
	ErrorRate    float64 `json:"error_rate,omitempty"`
	Status       int     `json:"status,omitempty"`
	In           string  `json:"in,omitempty"`
	At           string  `json:"at,omitempty"`
}

// DecodeRequest parses and checks one admin request; now resolves "in".
// It returns the fault and when to apply it (zero time: at once).
func DecodeRequest(data []byte, now time.Time) (Fault, time.Time, error) {
	var r Request
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return Fault{}, time.Time{}, fmt.Errorf("%w: %v", ErrBadFault, err)
	}
	if dec.More() {
		return Fault{}, time.Time{}, fmt.Errorf("%w: trailing data after the JSON object", ErrBadFault)
	}
	f := Fault{Target: r.Target, Kind: r.Kind, BandwidthBps: r.BandwidthBps, ErrorRate: r.ErrorRate, Status: r.Status}
	if r.Latency != "" {
		d, err := time.ParseDuration(r.Latency)
		if err != nil {
			return Fault{}, time.Time{}, fmt.Errorf("%w: latency: %v", ErrBadFault, err)
		}
		f.Latency = d
	}
	var at time.Time
	switch {
	case r.In != "" && r.At != "":
		return Fault{}, time.Time{}, fmt.Errorf("%w: set in or at, not both", ErrBadFault)
	case r.In != "":
		d, err := time.ParseDuration(r.In)
		if err != nil || d < 0 {
			return Fault{}, time.Time{}, fmt.Errorf("%w: in: %q is not a non-negative duration", ErrBadFault, r.In)
		}
		at = now.Add(d)
	case r.At != "":
		t, err := time.Parse(time.RFC3339, r.At)
		if err != nil {
			return Fault{}, time.Time{}, fmt.Errorf("%w: at: %v", ErrBadFault, err)
		}
		at = t
	}
	if !at.IsZero() && at.Sub(now) > MaxHorizon {
		return Fault{}, time.Time{}, fmt.Errorf("%w: %s is more than %s ahead", ErrBadFault, at.UTC().Format(time.RFC3339), MaxHorizon)
	}
	if err := f.Validate(); err != nil {
		return Fault{}, time.Time{}, err
	}
	return f, at, nil
}

// Handler serves GET and POST /admin/v1/faults; now tells the time for "in".
func (c *Controller) Handler(now func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			type pending struct {
				At     time.Time `json:"at"`
				Target string    `json:"target"`
				Kind   Kind      `json:"kind"`
			}
			out := struct {
				Targets []State   `json:"targets"`
				Pending []pending `json:"pending"`
			}{Targets: c.States(), Pending: []pending{}}
			for _, p := range c.Pending() {
				out.Pending = append(out.Pending, pending{p.At, p.Fault.Target, p.Fault.Kind})
			}
			writeJSON(w, http.StatusOK, out)
		case http.MethodPost:
			data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestBytes))
			if err != nil {
				writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": "body too large"})
				return
			}
			f, at, err := DecodeRequest(data, now())
			if err == nil {
				if at.IsZero() {
					err = c.Apply(f)
				} else {
					err = c.Schedule(at, f)
				}
			}
			switch {
			case errors.Is(err, ErrScheduleFull):
				writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": err.Error()})
			case errors.Is(err, ErrUnknownTarget):
				writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
			case errors.Is(err, ErrBadFault):
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			case err != nil:
				writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			case at.IsZero():
				writeJSON(w, http.StatusOK, map[string]string{"status": "applied"})
			default:
				writeJSON(w, http.StatusAccepted, map[string]any{"status": "scheduled", "at": at})
			}
		default:
			w.Header().Set("Allow", "GET, POST")
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "use GET or POST"})
		}
	})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
