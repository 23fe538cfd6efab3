package edge

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/simulator/backend/faults"
	"github.com/abrkit/abrkit/simulator/backend/origin"
	"github.com/abrkit/abrkit/simulator/backend/server"
	"github.com/abrkit/abrkit/simulator/backend/signing"
)

// Sentinel errors of the lifecycle.
var (
	ErrKilled  = errors.New("edge is killed")
	ErrRunning = errors.New("edge is already running")
)

// Fetcher gets files from the origin; errors wrap origin.ErrNotFound for
// unknown files. [origin.Client] and [origin.Direct] implement it.
type Fetcher interface {
	Fetch(ctx context.Context, title, file string) ([]byte, error)
}

// Config sets an edge up. Zero values take the defaults named.
type Config struct {
	ID     string
	Region string
	// Addr is the listen address; defaults to "127.0.0.1:0".
	Addr string
	// CapacityBps is the egress in bits per second; 0 means unlimited.
	CapacityBps int64
	// MaxConnections bounds requests in progress; 0 means unlimited.
	MaxConnections int
	// CacheBytes bounds the cache; defaults to 256 MiB.
	CacheBytes int64
	// TLS serves viewers over HTTPS; HTTP3 adds HTTP/3 on the same port
	// (announced with Alt-Svc). See server.Config.
	TLS   *tls.Config
	HTTP3 bool
	// Origin fills the cache. Required.
	Origin Fetcher
	// Signer verifies URLs. Required.
	Signer *signing.Signer
	// Clock checks URL expiry and stamps reports; defaults to the wall clock.
	Clock clock.Clock
	// Log defaults to discarding.
	Log *slog.Logger
	// Report receives health and load reports; nil drops them.
	Report func(Report)
	// MaxAge is the Cache-Control max-age given to viewers; defaults to 1h.
	MaxAge time.Duration
	// Admin, when set, is served at /admin/v1/faults by AdminHandler
	// (separate-process mode, where the edge has no gateway to host it).
	Admin http.Handler
	// WriteTimeout is the time allowed for each write to a viewer, on top
	// of what MinSendRate allows for its size; defaults to 10s. A viewer
	// that stops reading loses its connection then, not its slot forever.
	WriteTimeout time.Duration
	// MinSendRate is the slowest a viewer may read, in bytes per second;
	// defaults to DefaultMinSendRate.
	MinSendRate int64
	// MaxConnsPerClient caps connections per client address; 0: no cap.
	MaxConnsPerClient int
	// Live reports whether a title is a live channel. Its objects are kept
	// for a short time (LivePlaylistTTL for playlists, LiveMediaTTL for
	// media) instead of in the cache, and a request's LL-HLS query
	// (_HLS_msn, _HLS_part, _HLS_skip) goes to the origin, which holds it
	// until it can be answered. Nil: no live titles.
	Live func(title string) bool
	// LivePlaylistTTL defaults to DefaultLivePlaylistTTL.
	LivePlaylistTTL time.Duration
	// NoCollapse makes every viewer request for a live object that the
	// edge does not hold go to the origin (for comparison); by default
	// concurrent requests for one object share one origin fetch.
	NoCollapse bool
	// LiveBytes bounds the live store; defaults to DefaultLiveBytes.
	LiveBytes int64
}

// Defaults of Config.
const (
	DefaultWriteTimeout = 10 * time.Second
	DefaultMinSendRate  = 8 << 10
)

// Report is an edge's health and load, sent to the steering service.
type Report struct {
	ID     string `json:"id"`
	Region string `json:"region"`
	URL    string `json:"url"`
	// HTTP3 says the edge also serves HTTP/3 (QUIC) on URL's port.
	HTTP3          bool    `json:"http3,omitempty"`
	Healthy        bool    `json:"healthy"`
	Active         int     `json:"active"`
	MaxConnections int     `json:"max_connections"`
	CapacityBps    int64   `json:"capacity_bps"`
	EgressBps      float64 `json:"egress_bps"`
	ErrorRatio     float64 `json:"error_ratio"`
	CacheBytes     int64   `json:"cache_bytes"`
	CacheMaxBytes  int64   `json:"cache_max_bytes"`
	HitRatio       float64 `json:"hit_ratio"`
	// Sessions is the number of CMCD session ids seen since the last
	// report; Starved counts requests with the CMCD bs flag among the
	// CMCDRequests that carried CMCD.
	Sessions     int       `json:"sessions"`
	Starved      int64     `json:"starved"`
	CMCDRequests int64     `json:"cmcd_requests"`
	Titles       []string  `json:"titles"`
	At           time.Time `json:"at"`
}

// Edge is one edge cache server.
type Edge struct {
	cfg   Config
	cache *Cache
	live  *liveStore
	link  *Link
	imp   *faults.Impaired
	log   *slog.Logger

	active atomic.Int64
	srv    *server.Server

	mu      sync.Mutex
	last    reportMark
	errors5 atomic.Int64
	served  atomic.Int64
	sent    atomic.Int64
	h3      atomic.Int64 // requests served over HTTP/3

	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   prometheus.Histogram
	bytesSent prometheus.Counter
	cacheOut  *prometheus.CounterVec
	rejected  prometheus.Counter
	fillErrs  prometheus.Counter
	hitOK     prometheus.Counter
	cmcdReqs  *prometheus.CounterVec
	cmcdBad   prometheus.Counter
	cmcdBuf   prometheus.Histogram
	cmcdRate  prometheus.Histogram

	smu      sync.Mutex
	sessions map[string]bool // CMCD session ids since the last report
	starved  int64
	cmcdN    int64
}

type reportMark struct {
	at                   time.Time
	bytes, served, err5s int64
	hits, lookups        int64
}

var _ faults.Target = (*Edge)(nil)

// New checks cfg and returns an edge that is not listening yet.
func New(cfg Config) (*Edge, error) {
	if cfg.Origin == nil || cfg.Signer == nil || !signing.CleanID(cfg.ID) {
		return nil, fmt.Errorf("edge %q: need a clean id, an origin and a signer", cfg.ID)
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.CacheBytes == 0 {
		cfg.CacheBytes = 256 << 20
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxAge == 0 {
		cfg.MaxAge = time.Hour
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = DefaultWriteTimeout
	}
	if cfg.MinSendRate == 0 {
		cfg.MinSendRate = DefaultMinSendRate
	}
	if cfg.LivePlaylistTTL == 0 {
		cfg.LivePlaylistTTL = DefaultLivePlaylistTTL
	}
	if cfg.LiveBytes == 0 {
		cfg.LiveBytes = DefaultLiveBytes
	}
	e := &Edge{cfg: cfg, cache: NewCache(cfg.CacheBytes), link: NewLink(cfg.CapacityBps), live: newLiveStore(!cfg.NoCollapse, cfg.LiveBytes, cfg.Clock.Now),
		imp: faults.NewImpaired(uint64(len(cfg.ID))*7919 + 1), log: cfg.Log.With("edge", cfg.ID), reg: prometheus.NewRegistry()}
	labels := prometheus.Labels{"edge": cfg.ID, "region": cfg.Region}
	e.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "abrkit_edge_requests_total", Help: "Edge media requests by status code.", ConstLabels: labels}, []string{"code"})
	e.latency = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "abrkit_edge_request_seconds", Help: "Edge media request latency (to last byte).", ConstLabels: labels, Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16)})
	e.bytesSent = prometheus.NewCounter(prometheus.CounterOpts{Name: "abrkit_edge_bytes_sent_total", Help: "Body bytes sent to viewers.", ConstLabels: labels})
	e.cacheOut = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "abrkit_edge_cache_lookups_total", Help: "Cache lookups by outcome (hit, miss, coalesced); hit ratio = hit / sum.", ConstLabels: labels}, []string{"outcome"})
	e.rejected = prometheus.NewCounter(prometheus.CounterOpts{Name: "abrkit_edge_rejected_total", Help: "Requests refused at the connection limit.", ConstLabels: labels})
	e.fillErrs = prometheus.NewCounter(prometheus.CounterOpts{Name: "abrkit_edge_origin_errors_total", Help: "Failed origin fills.", ConstLabels: labels})
	e.hitOK = e.cacheOut.WithLabelValues("hit")
	e.cmcdReqs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "abrkit_edge_cmcd_requests_total", Help: "Requests carrying CMCD by object type (ot) and buffer-starvation flag (bs).", ConstLabels: labels}, []string{"ot", "bs"})
	e.cmcdBad = prometheus.NewCounter(prometheus.CounterOpts{Name: "abrkit_edge_cmcd_malformed_total", Help: "Requests with malformed CMCD (served anyway).", ConstLabels: labels})
	e.cmcdBuf = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "abrkit_edge_cmcd_buffer_seconds", Help: "Player buffer length (CMCD bl) at request time.", ConstLabels: labels, Buckets: []float64{0.5, 1, 2, 4, 8, 15, 30, 60}})
	e.cmcdRate = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "abrkit_edge_cmcd_bitrate_kbps", Help: "Encoded bitrate of requested objects (CMCD br).", ConstLabels: labels, Buckets: prometheus.ExponentialBuckets(250, 2, 8)})
	e.sessions = map[string]bool{}
	e.srv = server.New(server.Config{Name: "edge " + cfg.ID, Addr: cfg.Addr, Handler: e, ReadTimeout: cfg.WriteTimeout,
		MaxConnsPerClient: cfg.MaxConnsPerClient, Log: e.log, TLS: cfg.TLS, HTTP3: cfg.HTTP3})
	e.reg.MustRegister(e.requests, e.latency, e.bytesSent, e.cacheOut, e.rejected, e.fillErrs, e.cmcdReqs, e.cmcdBad, e.cmcdBuf, e.cmcdRate,
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "abrkit_edge_http3_requests_total", Help: "Requests served over HTTP/3 (QUIC).", ConstLabels: labels}, func() float64 { return float64(e.h3.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "abrkit_edge_active_requests", Help: "Requests in progress.", ConstLabels: labels}, func() float64 { return float64(e.active.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "abrkit_edge_live_origin_fetches_total", Help: "Origin requests for live objects; divided by abrkit_edge_live_objects_total it is origin requests per object.", ConstLabels: labels}, func() float64 { return float64(e.live.snapshot().Fetches) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "abrkit_edge_live_objects_total", Help: "Distinct live objects fetched from the origin.", ConstLabels: labels}, func() float64 { return float64(e.live.snapshot().Objects) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "abrkit_edge_cache_bytes", Help: "Bytes in the cache.", ConstLabels: labels}, func() float64 { return float64(e.cache.Stats().Bytes) }),
	)
	return e, nil
}

// ID returns the edge id.
func (e *Edge) ID() string { return e.cfg.ID }

// Region returns the edge's region.
func (e *Edge) Region() string { return e.cfg.Region }

// Cache returns the edge's cache.
func (e *Edge) Cache() *Cache { return e.cache }

// Registry returns the edge's metrics registry.
func (e *Edge) Registry() *prometheus.Registry { return e.reg }

// Start listens on the configured address (after a Kill, the address it
// had) and serves in the background.
func (e *Edge) Start() error {
	if err := e.srv.Start(); err != nil {
		if errors.Is(err, server.ErrRunning) {
			return ErrRunning
		}
		return err
	}
	return nil
}

// URL returns "http://host:port" (https with TLS) once started.
func (e *Edge) URL() string { return e.srv.URL() }

// Alive reports whether the edge is serving.
func (e *Edge) Alive() bool { return e.srv.Alive() }

// Kill closes the listener and every open connection at once.
func (e *Edge) Kill() error {
	if e.Alive() {
		e.log.Warn("edge killed")
	}
	return e.srv.Kill()
}

// Restart serves again on the same address with an empty cache.
func (e *Edge) Restart() error {
	if e.Alive() {
		return nil
	}
	e.cache.Purge()
	return e.Start()
}

// Close shuts the edge down gracefully within ctx.
func (e *Edge) Close(ctx context.Context) error { return e.srv.Close(ctx) }

// Impair applies a fault's standing damage.
func (e *Edge) Impair(i faults.Impairment) {
	e.imp.Set(i)
	rate := e.cfg.CapacityBps
	if i.BandwidthBps > 0 && (rate == 0 || i.BandwidthBps < rate) {
		rate = i.BandwidthBps
	}
	e.link.SetRate(rate)
}

// Snapshot returns the edge's current report; rates are over the time
// since the previous Snapshot.
func (e *Edge) Snapshot() Report {
	now := e.cfg.Clock.Now()
	st := e.cache.Stats()
	healthy, url := e.Alive(), e.URL()
	e.mu.Lock()
	cur := reportMark{at: now, bytes: e.sent.Load(), served: e.served.Load(), err5s: e.errors5.Load(), hits: st.Hits, lookups: st.Hits + st.Misses + st.Coalesced}
	prev := e.last
	e.last = cur
	e.mu.Unlock()
	e.smu.Lock()
	sessions, starved, cmcdN := len(e.sessions), e.starved, e.cmcdN
	clear(e.sessions)
	e.starved, e.cmcdN = 0, 0
	e.smu.Unlock()
	r := Report{ID: e.cfg.ID, Region: e.cfg.Region, URL: url, Healthy: healthy, Active: int(e.active.Load()), Sessions: sessions, Starved: starved, CMCDRequests: cmcdN,
		MaxConnections: e.cfg.MaxConnections, CapacityBps: e.cfg.CapacityBps, CacheBytes: st.Bytes,
		CacheMaxBytes: e.cfg.CacheBytes, Titles: e.cache.Titles(), At: now, HTTP3: e.cfg.HTTP3 && e.cfg.TLS != nil}
	if dt := now.Sub(prev.at).Seconds(); !prev.at.IsZero() && dt > 0 {
		r.EgressBps = float64(cur.bytes-prev.bytes) * 8 / dt
	}
	if n := cur.served - prev.served; n > 0 {
		r.ErrorRatio = float64(cur.err5s-prev.err5s) / float64(n)
	}
	if n := cur.lookups - prev.lookups; n > 0 {
		r.HitRatio = float64(cur.hits-prev.hits) / float64(n)
	}
	return r
}

// ReportNow sends a report to the steering service, unless the edge is
// down: a killed edge falls silent, which is how steering notices.
func (e *Edge) ReportNow() {
	if !e.Alive() || e.cfg.Report == nil {
		return
	}
	e.cfg.Report(e.Snapshot())
}

// Run reports every interval until ctx ends (the live mode's health loop).
func (e *Edge) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	e.ReportNow()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			e.ReportNow()
		}
	}
}

// ServeHTTP serves /healthz, CORS preflights and signed media paths.
// Metrics and load are on AdminHandler, not here.
func (e *Edge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/healthz" {
		_, _ = io.WriteString(w, "ok\n")
		return
	}
	if r.Method == http.MethodOptions {
		preflight(w, r)
		return
	}
	start := time.Now()
	cw := &countingWriter{ResponseWriter: w, code: http.StatusOK}
	e.serveMedia(cw, r)
	e.served.Add(1)
	if r.ProtoMajor == 3 {
		e.h3.Add(1)
	}
	if cw.code >= 500 {
		e.errors5.Add(1)
	}
	e.sent.Add(cw.n)
	e.bytesSent.Add(float64(cw.n))
	e.requests.WithLabelValues(strconv.Itoa(cw.code)).Inc()
	e.latency.Observe(time.Since(start).Seconds())
}

func (e *Edge) serveMedia(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	var werr error // logged after the slot is released (defers run last first)
	defer func() {
		if werr != nil {
			e.log.Debug("viewer write failed", "path", r.URL.Path, "err", werr)
		}
	}()
	n := e.active.Add(1)
	defer e.active.Add(-1)
	if max := e.cfg.MaxConnections; max > 0 && n > int64(max) {
		e.rejected.Inc()
		w.Header().Set("Retry-After", "1")
		http.Error(w, "edge at its connection limit", http.StatusServiceUnavailable)
		return
	}
	e.noteCMCD(r)
	imp, fail := e.imp.Roll()
	if imp.Latency > 0 {
		if (clock.Real{}).Sleep(r.Context(), imp.Latency) != nil {
			return
		}
	}
	if fail != 0 {
		http.Error(w, "injected failure", fail)
		return
	}
	res, err := e.cfg.Signer.Verify(r.URL.Path, e.cfg.Clock.Now())
	switch {
	case errors.Is(err, signing.ErrBadPath):
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	case err != nil:
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	if g, out, ok := e.liveStream(r, res); ok {
		first, done, err := g.next(r.Context(), 0)
		e.countOutcome(out)
		if e.fillFailed(w, r, res, err) {
			return
		}
		werr = e.sendStream(w, r, res.File, g, first, done, out == Hit, LiveMediaTTL)
		return
	}
	data, release, out, maxAge, err := e.fetch(r, res)
	defer release()
	e.countOutcome(out)
	if e.fillFailed(w, r, res, err) {
		return
	}
	werr = e.send(w, r, res.File, data, out == Hit, maxAge)
}

// countOutcome counts a request's cache outcome.
func (e *Edge) countOutcome(out Outcome) {
	if out == Hit {
		e.hitOK.Inc()
	} else {
		e.cacheOut.WithLabelValues(out.String()).Inc()
	}
}

// fillFailed answers a request whose object could not be had (err not
// nil) and reports whether it did.
func (e *Edge) fillFailed(w http.ResponseWriter, r *http.Request, res signing.Resource, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, origin.ErrNotFound):
		http.Error(w, "not found", http.StatusNotFound)
	case errors.Is(err, origin.ErrBadRequest):
		http.Error(w, err.Error(), http.StatusBadRequest)
	case errors.Is(err, origin.ErrUnavailable):
		w.Header().Set("Retry-After", "1")
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
	default:
		e.fillErrs.Inc()
		e.log.Warn("origin fill failed", "title", res.Title, "file", res.File, "err", err)
		http.Error(w, "origin unavailable", http.StatusBadGateway)
	}
	return true
}

// fetch gets a file from the cache, or for a live title from the live
// store (with the request's LL-HLS query), filling from the origin. It
// returns the max-age viewers may keep it, and the release to call once
// the bytes are sent.
func (e *Edge) fetch(r *http.Request, res signing.Resource) ([]byte, func(), Outcome, time.Duration, error) {
	if e.cfg.Live == nil || !e.cfg.Live(res.Title) {
		data, release, out, err := e.cache.Acquire(r.Context(), res.Title, res.File, func(ctx context.Context) ([]byte, error) {
			return e.cfg.Origin.Fetch(ctx, res.Title, res.File)
		})
		return data, release, out, e.cfg.MaxAge, err
	}
	file, ttl, maxAge := res.File, LiveMediaTTL, LiveMediaTTL
	if origin.IsPlaylist(file) {
		ttl, maxAge = e.cfg.LivePlaylistTTL, 0
		if q := origin.LiveQuery(r.URL.Query()); q != "" {
			file += "?" + q
		}
	}
	data, out, err := e.live.get(r.Context(), res.Title+"/"+file, ttl, func(ctx context.Context) ([]byte, error) {
		return e.cfg.Origin.Fetch(ctx, res.Title, file)
	})
	return data, noRelease, out, maxAge, err
}

// LiveStats returns the counts of live objects served and fetched.
func (e *Edge) LiveStats() LiveStats { return e.live.snapshot() }

// send writes a cached file (or the requested range of it) to a viewer,
// under write deadlines and the link's pacing. It returns the error of
// writing a whole file's body.
func (e *Edge) send(w http.ResponseWriter, r *http.Request, file string, data []byte, hit bool, maxAge time.Duration) error {
	h := w.Header()
	w, closeLink := e.viewerWriter(w, r, file, hit, maxAge)
	defer closeLink()
	if rg := r.Header.Get("Range"); rg != "" {
		if emptySuffixRange(rg) {
			h.Set("Content-Range", "bytes */"+strconv.Itoa(len(data)))
			http.Error(w, "range not satisfiable", http.StatusRequestedRangeNotSatisfiable)
			return nil
		}
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
		return nil
	}
	// Whole file: one write, no 32 KiB copy loop.
	h.Set("Accept-Ranges", "bytes")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, err := w.Write(data)
		return err
	}
	return nil
}

// viewerWriter sets the response headers of a file sent to a viewer and
// wraps w in the write deadlines and the link's pacing; call the close
// returned once the body is written.
func (e *Edge) viewerWriter(w http.ResponseWriter, r *http.Request, file string, hit bool, maxAge time.Duration) (http.ResponseWriter, func()) {
	h := w.Header()
	h.Set("Content-Type", origin.ContentType(file))
	h.Set("Cache-Control", "private, max-age="+strconv.Itoa(int(maxAge.Seconds())))
	h.Set("X-Cache", map[bool]string{true: "HIT", false: "MISS"}[hit])
	h.Set("X-Edge", e.cfg.ID)
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "Content-Length, Content-Range, X-Cache, X-Edge")
	w = &deadlineWriter{ResponseWriter: w, rc: http.NewResponseController(w), base: e.cfg.WriteTimeout, rate: e.cfg.MinSendRate}
	if !e.link.Limited() {
		return w, func() {}
	}
	// pacing wraps the deadlines: a deliberately slow link is not a slow reader
	e.link.open()
	return &pacedWriter{ResponseWriter: w, link: e.link, sleep: func(d time.Duration) bool { return clock.Real{}.Sleep(r.Context(), d) == nil }}, e.link.close
}

// countingWriter records the status and counts body bytes.
type countingWriter struct {
	http.ResponseWriter
	code        int
	n           int64
	wroteHeader bool
}

func (c *countingWriter) WriteHeader(code int) {
	if !c.wroteHeader {
		c.code, c.wroteHeader = code, true
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.wroteHeader = true
	n, err := c.ResponseWriter.Write(p)
	c.n += int64(n)
	return n, err
}

func (c *countingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// Counters returns the media requests served and body bytes sent so far.
func (e *Edge) Counters() (requests, bytes int64) { return e.served.Load(), e.sent.Load() }

// HTTP3Requests returns the requests served over HTTP/3 so far.
func (e *Edge) HTTP3Requests() int64 { return e.h3.Load() }

// Leave tells steering the edge is going away (a report with Healthy
// false), so an orderly shutdown drops it from rankings at once instead of
// after the health interval. Call it after Close.
func (e *Edge) Leave() {
	if e.cfg.Report != nil {
		r := e.Snapshot()
		r.Healthy = false
		e.cfg.Report(r)
	}
}

// maxSessions bounds the session ids kept between two reports.
const maxSessions = 100_000

// noteCMCD records what the request's CMCD says (never fails the request).
func (e *Edge) noteCMCD(r *http.Request) {
	c, ok, err := cmcdFrom(r)
	switch {
	case !ok:
		return
	case err != nil:
		e.cmcdBad.Inc()
		return
	}
	e.cmcdReqs.WithLabelValues(objectType(c.ObjectType), strconv.FormatBool(c.Starved)).Inc()
	if c.BufferLength > 0 {
		e.cmcdBuf.Observe(c.BufferLength.Seconds())
	}
	if c.BitrateKbps > 0 {
		e.cmcdRate.Observe(float64(c.BitrateKbps))
	}
	e.smu.Lock()
	e.cmcdN++
	if c.SessionID != "" && len(e.sessions) < maxSessions {
		e.sessions[c.SessionID] = true
	}
	if c.Starved {
		e.starved++
	}
	e.smu.Unlock()
}
