package origin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/simulator/backend/faults"
	"github.com/abrkit/abrkit/simulator/backend/signing"
)

// ContentType returns the media type for a file name.
func ContentType(name string) string {
	switch {
	case strings.HasSuffix(name, ".m3u8"):
		return "application/vnd.apple.mpegurl"
	case strings.HasSuffix(name, ".mpd"):
		return "application/dash+xml"
	case strings.HasSuffix(name, ".m4a"):
		return "audio/mp4"
	case strings.HasSuffix(name, ".mp4"), strings.HasSuffix(name, ".m4s"), strings.HasSuffix(name, ".m4v"):
		return "video/mp4"
	case strings.HasSuffix(name, ".json"):
		return "application/json"
	}
	return "application/octet-stream"
}

// IsPlaylist reports whether file (which may carry a query) is an HLS
// playlist or a DASH manifest.
func IsPlaylist(file string) bool {
	path, _, _ := strings.Cut(file, "?")
	return strings.HasSuffix(path, ".m3u8") || strings.HasSuffix(path, ".mpd")
}

// Server serves a Source over HTTP.
type Server struct {
	src      Source
	log      *slog.Logger
	imp      *faults.Impaired
	sleep    func(context.Context, time.Duration) error
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	bytes    prometheus.Counter
	latency  prometheus.Histogram
	mux      *http.ServeMux
	base     time.Duration
}

// NewServer returns an origin server for src; log may be nil.
func NewServer(src Source, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{src: src, log: log, imp: faults.NewImpaired(7), sleep: clock.Real{}.Sleep, reg: prometheus.NewRegistry()}
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "abrkit_origin_requests_total", Help: "Origin requests by status code."}, []string{"code"})
	s.bytes = prometheus.NewCounter(prometheus.CounterOpts{Name: "abrkit_origin_bytes_total", Help: "Bytes served by the origin."})
	s.latency = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "abrkit_origin_request_seconds", Help: "Origin request latency.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)})
	s.reg.MustRegister(s.requests, s.bytes, s.latency)
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET /v1/titles", s.titles)
	s.mux.HandleFunc("GET /o/", s.file)
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))
	return s
}

// Source returns the served source.
func (s *Server) Source() Source { return s.src }

// Registry returns the server's metrics registry.
func (s *Server) Registry() *prometheus.Registry { return s.reg }

// SetLatency adds d to every file response (a far-away origin); call it
// before serving.
func (s *Server) SetLatency(d time.Duration) { s.base = d }

// Impair sets the origin's impairment (latency, error rate).
func (s *Server) Impair(i faults.Impairment) { s.imp.Set(i) }

// ServeHTTP routes the request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) titles(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(struct {
		Titles []TitleInfo `json:"titles"`
	}{s.src.Titles()})
}

func (s *Server) file(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	code := s.serveFile(w, r)
	s.requests.WithLabelValues(fmt.Sprint(code)).Inc()
	s.latency.Observe(time.Since(start).Seconds())
}

func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) int {
	imp, fail := s.imp.Roll()
	if d := s.base + imp.Latency; d > 0 {
		if err := s.sleep(r.Context(), d); err != nil {
			return 499
		}
	}
	if fail != 0 {
		http.Error(w, "injected failure", fail)
		return fail
	}
	rest := strings.TrimPrefix(r.URL.Path, "/o/")
	title, file, ok := strings.Cut(rest, "/")
	if !ok || !signing.CleanID(title) || !signing.CleanFile(file) {
		http.Error(w, "bad path", http.StatusBadRequest)
		return http.StatusBadRequest
	}
	live := false
	if l, ok := s.src.(interface{ IsLive(string) bool }); ok && l.IsLive(title) {
		live = true
		if q := LiveQuery(r.URL.Query()); q != "" {
			file += "?" + q
		}
	}
	if st, ok := s.src.(Streamer); ok && live && !IsPlaylist(file) {
		if code, done := s.stream(w, r, st, title, file); done {
			return code
		}
	}
	data, err := s.src.Open(r.Context(), title, file)
	if code := s.openError(w, title, file, err); code != 0 {
		return code
	}
	w.Header().Set("Content-Type", ContentType(strings.SplitN(file, "?", 2)[0]))
	if live && IsPlaylist(file) {
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.Header().Set("Content-Length", fmt.Sprint(len(data)))
	_, _ = w.Write(data)
	s.bytes.Add(float64(len(data)))
	return http.StatusOK
}

// openError answers a failed Open (or a stream that failed before its
// first byte) and returns its status; 0 when err is nil.
func (s *Server) openError(w http.ResponseWriter, title, file string, err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, ErrNotFound):
		http.Error(w, "not found", http.StatusNotFound)
		return http.StatusNotFound
	case errors.Is(err, ErrBadRequest):
		http.Error(w, err.Error(), http.StatusBadRequest)
		return http.StatusBadRequest
	case errors.Is(err, ErrUnavailable):
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return http.StatusServiceUnavailable
	case errors.Is(err, context.Canceled):
		return 499
	}
	s.log.Error("origin open", "title", title, "file", file, "err", err)
	http.Error(w, "origin error", http.StatusInternalServerError)
	return http.StatusInternalServerError
}

// stream sends a file the source streams, flushing each piece; done is
// false when the source does not stream it. A failure after the first
// byte aborts the response so the client sees it cut short.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, st Streamer, title, file string) (code int, done bool) {
	rc := http.NewResponseController(w)
	started := false
	sent, err := st.OpenStream(r.Context(), title, file, func(b []byte) error {
		if !started {
			w.Header().Set("Content-Type", ContentType(file))
			w.WriteHeader(http.StatusOK)
			started = true
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
		s.bytes.Add(float64(len(b)))
		return rc.Flush()
	})
	switch {
	case !sent && err == nil:
		return 0, false
	case !started:
		return s.openError(w, title, file, err), true
	case err != nil:
		panic(http.ErrAbortHandler)
	}
	return http.StatusOK, true
}
