package edge

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/abrkit/abrkit/simulator/backend/signing"
)

// ReportHeader carries the HMAC of a report body sent over HTTP.
const ReportHeader = "X-Abrkit-Report-Signature"

// HTTPReporter posts reports to a remote control plane (separate-process
// mode): POST {URL} with the JSON report and its signature header.
type HTTPReporter struct {
	URL  string // e.g. "http://127.0.0.1:8081/internal/v1/edges/report"
	Key  string // the master key; reports are signed with its report key
	HTTP *http.Client
	Log  *slog.Logger
}

// Send posts one report; errors are logged, not returned (a lost report
// looks like a silent edge, which is what steering must cope with).
func (h *HTTPReporter) Send(r Report) {
	body, err := json.Marshal(r)
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(body))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(ReportHeader, signing.SignReport(h.Key, body))
	hc := h.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
	}
	if err != nil && h.Log != nil {
		h.Log.Warn("health report failed", "edge", r.ID, "err", err)
	}
}
