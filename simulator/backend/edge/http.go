package edge

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// AdminHandler serves the edge's /metrics, /load and (with Config.Admin)
// /admin/v1/faults, for an admin listener; the public listener has none.
func (e *Edge) AdminHandler() http.Handler {
	m := http.NewServeMux()
	m.Handle("GET /metrics", promhttp.HandlerFor(e.reg, promhttp.HandlerOpts{}))
	m.HandleFunc("GET /load", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(e.Snapshot())
	})
	if e.cfg.Admin != nil {
		m.Handle("/admin/v1/faults", e.cfg.Admin)
	}
	return m
}

// CMCDHeaders are the request headers a player sends CMCD in (CTA-5004
// header mode); preflights allow them with Range.
const CMCDHeaders = "CMCD-Request, CMCD-Object, CMCD-Status, CMCD-Session"

// preflight answers a CORS preflight for media requests from any origin
// (media URLs are signed; the signature, not the origin, authorises).
func preflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Allow", "GET, HEAD, OPTIONS")
	if r.Header.Get("Origin") != "" {
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
		h.Set("Access-Control-Allow-Headers", CMCDHeaders+", Range")
		h.Set("Access-Control-Max-Age", "86400")
	}
	w.WriteHeader(http.StatusNoContent)
}

// objectType bounds the ot label to the CMCD object types.
func objectType(ot string) string {
	switch ot {
	case "m", "a", "v", "av", "i", "c", "tt", "k", "o":
		return ot
	case "":
		return "none"
	}
	return "other"
}

// emptySuffixRange reports a "bytes=-0" range (or one whose every part
// is an empty suffix), which RFC 9110 makes unsatisfiable.
func emptySuffixRange(h string) bool {
	spec, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !ok {
		return false
	}
	for _, p := range strings.Split(spec, ",") {
		p = strings.TrimSpace(p)
		if !strings.HasPrefix(p, "-") || strings.TrimLeft(p[1:], "0") != "" || len(p) < 2 {
			return false
		}
	}
	return true
}

// writeChunk is the most written under one deadline.
const writeChunk = 64 << 10

// deadlineWriter gives every write of n bytes base + n/rate to finish,
// so a viewer that stops reading is cut off instead of holding its
// connection and slot.
type deadlineWriter struct {
	http.ResponseWriter
	rc   *http.ResponseController
	base time.Duration
	rate int64
}

func (d *deadlineWriter) Write(p []byte) (int, error) {
	var n int
	for len(p) > 0 {
		c := p[:min(len(p), writeChunk)]
		allow := d.base + time.Duration(int64(len(c))*int64(time.Second)/d.rate)
		_ = d.rc.SetWriteDeadline(time.Now().Add(allow))
		m, err := d.ResponseWriter.Write(c)
		n += m
		if err != nil {
			return n, err
		}
		p = p[len(c):]
	}
	return n, nil
}

func (d *deadlineWriter) Unwrap() http.ResponseWriter { return d.ResponseWriter }
