package control

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/simulator/backend/catalog"
	"github.com/abrkit/abrkit/simulator/backend/edge"
	"github.com/abrkit/abrkit/simulator/backend/faults"
	"github.com/abrkit/abrkit/simulator/backend/origin"
	"github.com/abrkit/abrkit/simulator/backend/queue"
	"github.com/abrkit/abrkit/simulator/backend/server"
	"github.com/abrkit/abrkit/simulator/backend/signing"
	"github.com/abrkit/abrkit/simulator/backend/topology"
)

// ErrNoTopology is returned by New without a topology.
var ErrNoTopology = errors.New("control: no topology")

// Config sets a gateway up. Zero values take the defaults named.
type Config struct {
	// Topology gives the control-plane model, users, TTLs and regions. Required.
	Topology *topology.Topology
	// Titles is the catalog the playback API offers.
	Titles []origin.TitleInfo
	// Addr is the listen address; defaults to "127.0.0.1:0".
	Addr string
	// Clock defaults to the wall clock.
	Clock clock.Clock
	// Log defaults to discarding.
	Log *slog.Logger
	// Sleep waits for service times and injected latency; defaults to a
	// timer. Tests replace it.
	Sleep func(context.Context, time.Duration) error
	// Faults, when set, is served at /admin/v1/faults on the admin
	// listener and gets the gateway and its services registered as targets.
	Faults *faults.Controller
	// InternalAddr is the listener for edge reports; defaults to
	// "127.0.0.1:0". It must not be reachable by viewers.
	InternalAddr string
	// AdminAddr is the listener for faults and metrics; defaults to
	// "127.0.0.1:0".
	AdminAddr string
	// AdminToken is the bearer token of the admin listener; defaults to a
	// random one (see Gateway.AdminToken).
	AdminToken string
	// BodyTimeout bounds reading a whole request, body included; defaults
	// to DefaultBodyTimeout.
	BodyTimeout time.Duration
	// MaxConnsPerClient caps connections per client address on the
	// public listener; 0: no cap.
	MaxConnsPerClient int
	// CORSOrigins are the web origins allowed to call the public API
	// ("https://app.example"; "*" for any); empty: none.
	CORSOrigins []string
	// Gatherers are more metric registries (edges, origin) served with
	// the gateway's own on the admin listener's /metrics.
	Gatherers []prometheus.Gatherer
	// Catalog sets the browse services up (home, rows, search, details,
	// heartbeats); the gateway fills in titles, clock, sleep and metrics.
	Catalog catalog.Config
}

// DefaultBodyTimeout bounds reading a request and its body.
const DefaultBodyTimeout = 10 * time.Second

// Gateway is the control plane's single entry.
type Gateway struct {
	cfg      Config
	topo     *topology.Topology
	signer   *signing.Signer
	clock    clock.Clock
	log      *slog.Logger
	sleep    func(context.Context, time.Duration) error
	titles   map[string]origin.TitleInfo
	order    []origin.TitleInfo
	users    map[string]topology.User
	shed     *Shedder
	limiter  *Limiter
	services map[string]*Service
	mux      http.Handler
	backoff  *Backoff

	pub, internal, admin *server.Server

	// Steering and Telemetry are the in-process services.
	Steering  *Steering
	Telemetry *Telemetry
	// Pipeline is the telemetry pipeline: /v1/events and /v1/heartbeat
	// records share its partitions, consumers and lag; Start runs its
	// consumers, Close stops them.
	Pipeline   *queue.Pipeline
	pipeCancel context.CancelFunc
	pipeDone   chan struct{}
	// Catalog is the browse plane behind /v1/home, /v1/rows, /v1/search,
	// /v1/titles/{id} and /v1/heartbeat.
	Catalog *catalog.Catalog

	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	shedN    prometheus.Counter
	limited  prometheus.Counter
	events   *prometheus.CounterVec
}

var _ faults.Target = (*Gateway)(nil)

// New builds a gateway that is not listening yet.
func New(cfg Config) (*Gateway, error) {
	t := cfg.Topology
	if t == nil {
		return nil, ErrNoTopology
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Sleep == nil {
		cfg.Sleep = clock.Real{}.Sleep
	}
	if cfg.BodyTimeout == 0 {
		cfg.BodyTimeout = DefaultBodyTimeout
	}
	if cfg.AdminToken == "" {
		cfg.AdminToken = server.NewToken()
	}
	cp := t.ControlPlane
	g := &Gateway{cfg: cfg, topo: t, signer: signing.New(t.SigningKey), clock: cfg.Clock, log: cfg.Log.With("component", "gateway"),
		sleep: cfg.Sleep, titles: map[string]origin.TitleInfo{}, order: cfg.Titles, users: map[string]topology.User{},
		shed: NewShedder(cp.MaxInFlight), limiter: NewLimiter(cp.RateLimit.PerSecond, cp.RateLimit.Burst),
		Steering: NewSteering(t.HealthInterval, cp.SteeringTTL, cfg.Clock.Now), reg: prometheus.NewRegistry()}
	// One pipeline for events and heartbeats: the catalog's partitions,
	// each of the catalog's capacity, else control_plane.event_queue.
	parts, capacity := cfg.Catalog.Partitions, cfg.Catalog.PartitionCapacity
	if parts == 0 {
		parts = catalog.DefaultPartitions
	}
	if capacity == 0 {
		capacity = cp.EventQueue
	}
	g.Pipeline = queue.NewPipeline(parts, capacity, cfg.Clock, false)
	g.Telemetry = NewTelemetry(g.Pipeline)
	for _, ti := range cfg.Titles {
		g.titles[ti.ID] = ti
	}
	for _, u := range t.Users {
		g.users[u.Name] = u
	}
	sv := cp.Services
	g.services = map[string]*Service{
		SvcAuth:      newService(SvcAuth, sv.Auth.ServiceTime, cp.Breaker, 11),
		SvcPlayback:  newService(SvcPlayback, sv.Playback.ServiceTime, cp.Breaker, 12),
		SvcSteering:  newService(SvcSteering, sv.Steering.ServiceTime, cp.Breaker, 13),
		SvcTelemetry: newService(SvcTelemetry, sv.Telemetry.ServiceTime, cp.Breaker, 14),
		SvcLicense:   newService(SvcLicense, topology.ServiceTime{}, cp.Breaker, 15),
	}
	if err := g.newCatalog(); err != nil {
		return nil, err
	}
	g.backoff = NewBackoff(cfg.Clock.Now)
	g.metrics()
	g.routes()
	g.listeners()
	if cfg.Faults != nil {
		cfg.Faults.Register("gateway", g)
		for name, s := range g.services {
			cfg.Faults.Register(name, s)
		}
		g.Catalog.Register(cfg.Faults)
	}
	return g, nil
}

func (g *Gateway) metrics() {
	g.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "abrkit_gateway_requests_total", Help: "Gateway requests by route and status code."}, []string{"route", "code"})
	g.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "abrkit_gateway_request_seconds", Help: "Gateway request latency by route.", Buckets: prometheus.ExponentialBuckets(0.0002, 2, 16)}, []string{"route"})
	g.shedN = prometheus.NewCounter(prometheus.CounterOpts{Name: "abrkit_gateway_shed_total", Help: "Requests shed with 503 at the in-flight limit."})
	g.limited = prometheus.NewCounter(prometheus.CounterOpts{Name: "abrkit_gateway_rate_limited_total", Help: "Requests refused with 429 by the per-client rate limit."})
	g.events = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "abrkit_telemetry_events_total", Help: "Telemetry events by outcome (accepted, dropped)."}, []string{"outcome"})
	g.reg.MustRegister(g.requests, g.latency, g.shedN, g.limited, g.events,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "abrkit_gateway_in_flight", Help: "Requests in progress."}, func() float64 { return float64(g.shed.InFlight()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "abrkit_steering_healthy_edges", Help: "Edges steering would rank now."}, func() float64 { return float64(g.Steering.Healthy()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "abrkit_telemetry_queued", Help: "Records (events and heartbeats) waiting in the telemetry pipeline."}, func() float64 { return float64(g.Telemetry.Queued()) }),
	)
	for name, s := range g.services {
		b := s.breaker
		g.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "abrkit_gateway_breaker_state",
			Help: "Circuit breaker state per service: 0 closed, 1 half-open, 2 open.", ConstLabels: prometheus.Labels{"service": name}},
			func() float64 { return float64(b.State()) }))
	}
}

func (g *Gateway) routes() {
	m := http.NewServeMux()
	m.HandleFunc("POST /v1/login", g.handle("login", SvcAuth, false, MaxLoginBytes, g.loginKey, g.login))
	m.HandleFunc("GET /v1/titles", g.handle("titles", SvcPlayback, false, 0, ipKey, g.listTitles))
	m.HandleFunc("POST /v1/play", g.handle("play", SvcPlayback, true, MaxPlayBytes, userKey, g.play))
	m.HandleFunc("GET /v1/keys/{title}", g.handle("keys", SvcLicense, true, 0, userKey, g.hlsKey))
	m.HandleFunc("POST /v1/license/{title}", g.handle("license", SvcLicense, true, MaxLicenseBytes, userKey, g.license))
	m.HandleFunc("GET /v1/steering/{title}", g.handle("steering", SvcSteering, false, 0, sessionKey, g.steer))
	m.HandleFunc("POST /v1/events", g.handle("events", SvcTelemetry, true, MaxEventsBytes, userKey, g.intake))
	m.HandleFunc("GET /v1/home", g.handle("home", catalog.SvcHome, true, 0, userKey, g.Catalog.ServeHome))
	m.HandleFunc("GET /v1/rows/{id}", g.handle("rows", catalog.SvcRows, true, 0, userKey, g.Catalog.ServeRow))
	m.HandleFunc("GET /v1/search", g.handle("search", catalog.SvcSearch, true, 0, userKey, g.Catalog.ServeSearch))
	m.HandleFunc("GET /v1/titles/{id}", g.handle("details", catalog.SvcDetails, true, 0, userKey, g.Catalog.ServeTitle))
	m.HandleFunc("POST /v1/heartbeat", g.handle("heartbeat", catalog.SvcHeartbeat, true, catalog.MaxHeartbeatBytes, userKey, g.Catalog.ServeHeartbeat))
	m.HandleFunc("GET /healthz", healthz)
	g.mux = cors(g.cfg.CORSOrigins, m)
}

// newCatalog builds the browse plane, each of its services behind its own
// breaker and the datastore client behind one more.
func (g *Gateway) newCatalog() error {
	cc, b := g.cfg.Catalog, g.topo.ControlPlane.Breaker
	for _, ti := range g.cfg.Titles {
		cc.Titles = append(cc.Titles, ti.ID)
	}
	cc.Clock, cc.Sleep, cc.Registerer, cc.Pipeline = g.clock, g.sleep, g.reg, g.Pipeline
	if r := g.topo.Catalog.Release; r != nil && cc.Release == (topology.Release{}) {
		cc.Release = *r
	}
	cc.Breaker = func() catalog.Breaker { return NewBreaker(b.Failures, b.Cooldown) }
	for i, name := range []string{catalog.SvcHome, catalog.SvcRows, catalog.SvcSearch, catalog.SvcDetails, catalog.SvcHeartbeat} {
		g.services[name] = newService(name, topology.ServiceTime{}, b, uint64(21+i))
	}
	c, err := catalog.New(cc)
	g.Catalog = c
	return err
}

// Registry returns the gateway's metrics registry.
func (g *Gateway) Registry() *prometheus.Registry { return g.reg }

// InFlight returns the requests in progress through the gateway.
func (g *Gateway) InFlight() int { return g.shed.InFlight() }

// Service returns a downstream service by name (SvcAuth, ...).
func (g *Gateway) Service(name string) *Service { return g.services[name] }

// ServeHTTP routes a request of the public API.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) { g.mux.ServeHTTP(w, r) }

type keyFunc func(r *http.Request, body []byte, c signing.Claims) string

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func ipKey(r *http.Request, _ []byte, _ signing.Claims) string { return "ip:" + clientIP(r) }

func userKey(_ *http.Request, _ []byte, c signing.Claims) string { return "user:" + c.User }

func sessionKey(r *http.Request, _ []byte, _ signing.Claims) string {
	if s := r.URL.Query().Get("session"); s != "" && len(s) <= 128 {
		return "session:" + s
	}
	return "ip:" + clientIP(r)
}

// loginKey limits logins per user name, so viewers behind one address
// (every simulated viewer on loopback) do not share a bucket.
func (g *Gateway) loginKey(r *http.Request, body []byte, _ signing.Claims) string {
	if req, err := DecodeLogin(body); err == nil {
		return "login:" + req.User
	}
	return "ip:" + clientIP(r)
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, body []byte, c signing.Claims) int

func retryAfter(w http.ResponseWriter, d time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(d.Seconds())))))
}

// handle wraps a service handler with shedding, body limits, auth, rate
// limiting, the service's breaker and its service model.
func (g *Gateway) handle(route, svcName string, auth bool, maxBody int64, key keyFunc, h handlerFunc) http.HandlerFunc {
	svc := g.services[svcName]
	lat := g.latency.WithLabelValues(route)
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		code := g.guarded(w, r, svc, auth, maxBody, key, h)
		g.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
		lat.Observe(time.Since(start).Seconds())
		if code >= 500 {
			g.log.Debug("request failed", "route", route, "code", code)
		}
	}
}

func (g *Gateway) guarded(w http.ResponseWriter, r *http.Request, svc *Service, auth bool, maxBody int64, key keyFunc, h handlerFunc) int {
	// The body is read (under the listener's read deadline) before a slot
	// is taken, so slow senders hold connections, never request slots.
	body, code := readBody(w, r, maxBody)
	if code != 0 {
		return code
	}
	if !g.shed.TryAcquire() {
		g.shedN.Inc()
		retryAfter(w, time.Second)
		return writeError(w, http.StatusServiceUnavailable, "overloaded, retry later")
	}
	defer g.shed.Release()
	var claims signing.Claims
	if auth {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || tok == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="abrkit"`)
			return writeError(w, http.StatusUnauthorized, "missing bearer token (POST /v1/login first)")
		}
		c, err := g.signer.VerifyToken(tok, g.clock.Now())
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="abrkit", error="invalid_token"`)
			return writeError(w, http.StatusUnauthorized, "invalid token: "+err.Error())
		}
		claims = c
	}
	if ok, wait := g.limiter.Allow(key(r, body, claims), g.clock.Now()); !ok {
		g.limited.Inc()
		retryAfter(w, wait)
		return writeError(w, http.StatusTooManyRequests, "rate limit exceeded")
	}
	if ok, wait := svc.breaker.Allow(g.clock.Now()); !ok {
		retryAfter(w, wait)
		w.Header().Set("X-Abrkit-Breaker", "open")
		return writeError(w, http.StatusServiceUnavailable, svc.name+" circuit open")
	}
	code = svc.call(r.Context(), w, g.sleep, func() int { return h(w, r, body, claims) })
	svc.breaker.Record(code < 500, g.clock.Now())
	return code
}

// readBody reads up to maxBody bytes; code is non-zero when it answered.
func readBody(w http.ResponseWriter, r *http.Request, maxBody int64) ([]byte, int) {
	if maxBody <= 0 {
		return nil, 0
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than %d bytes", maxBody))
		}
		return nil, writeError(w, http.StatusBadRequest, "reading body: "+err.Error())
	}
	return data, 0
}

func (g *Gateway) login(w http.ResponseWriter, r *http.Request, body []byte, _ signing.Claims) int {
	req, err := DecodeLogin(body)
	if err != nil {
		return writeError(w, http.StatusBadRequest, err.Error())
	}
	region := req.Region
	if len(g.users) > 0 {
		keys := []string{"user:" + req.User, "ip:" + clientIP(r)}
		if wait := g.backoff.Wait(keys...); wait > 0 {
			retryAfter(w, wait)
			return writeError(w, http.StatusTooManyRequests, "too many failed logins, retry later")
		}
		u, ok := g.users[req.User]
		if !ok || !checkPassword(u, req.Password) {
			g.backoff.Fail(keys...)
			return writeError(w, http.StatusUnauthorized, "unknown user or wrong password")
		}
		g.backoff.Reset(keys[0])
		if u.Region != "" {
			region = u.Region
		}
	}
	if region != "" {
		if _, ok := g.topo.Region(region); !ok {
			return writeError(w, http.StatusBadRequest, fmt.Sprintf("unknown region %q", region))
		}
	}
	exp := g.clock.Now().Add(g.topo.ControlPlane.TokenTTL)
	tok := g.signer.Token(signing.Claims{User: req.User, Region: region, Expires: exp})
	return writeJSON(w, http.StatusOK, LoginResponse{Token: tok, ExpiresAt: exp.UTC(), Region: region})
}

// checkPassword compares against the bcrypt hash, or (demo topologies)
// the plain-text password in constant time.
func checkPassword(u topology.User, password string) bool {
	if u.PasswordHash != "" {
		return bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) == nil
	}
	return subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) == 1
}

func (g *Gateway) listTitles(w http.ResponseWriter, _ *http.Request, _ []byte, _ signing.Claims) int {
	resp := TitlesResponse{Titles: make([]TitleEntry, 0, len(g.order))}
	for _, t := range g.order {
		resp.Titles = append(resp.Titles, TitleEntry{ID: t.ID, DurationS: t.Duration.Seconds(), HLS: t.HLS != "", DASH: t.DASH != "", Live: t.Live, Encryption: t.Encryption})
	}
	return writeJSON(w, http.StatusOK, resp)
}

// viewerRegion picks the region: the request's, the token's, else one
// chosen by a hash of the user name, so that viewers without a region
// spread over the regions evenly and each keeps the same one.
func (g *Gateway) viewerRegion(req, claims, user string) string {
	for _, r := range []string{req, claims} {
		if _, ok := g.topo.Region(r); ok && r != "" {
			return r
		}
	}
	h := fnv.New32a()
	h.Write([]byte(user))
	return g.topo.Regions[int(h.Sum32()%uint32(len(g.topo.Regions)))].ID
}

func newSession() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (g *Gateway) play(w http.ResponseWriter, _ *http.Request, body []byte, c signing.Claims) int {
	req, err := DecodePlay(body)
	if err != nil {
		return writeError(w, http.StatusBadRequest, err.Error())
	}
	ti, ok := g.titles[req.Title]
	if !ok {
		return writeError(w, http.StatusNotFound, fmt.Sprintf("unknown title %q", req.Title))
	}
	if req.Region != "" {
		if _, ok := g.topo.Region(req.Region); !ok {
			return writeError(w, http.StatusBadRequest, fmt.Sprintf("unknown region %q", req.Region))
		}
	}
	region := g.viewerRegion(req.Region, c.Region, c.User)
	now := g.clock.Now()
	ranked := g.rankForPlay(region, ti.ID, now)
	if len(ranked) == 0 {
		retryAfter(w, g.topo.HealthInterval)
		return writeError(w, http.StatusServiceUnavailable, "no edge available")
	}
	exp := now.Add(g.topo.URLTTL)
	dir := g.signer.Path(ti.ID, "", exp)
	session := newSession()
	resp := PlayResponse{Title: ti.ID, Session: session, Region: region, ExpiresAt: exp.UTC(),
		SteeringURI: SteeringURI(g.URL(), ti.ID, region, session), EventsURL: g.URL() + "/v1/events", Edges: make([]PlayEdge, 0, len(ranked)), Live: ti.Live}
	resp.Encryption = ti.Encryption
	if ti.Encryption == EncryptionAES128 || ti.Encryption == EncryptionCBCS {
		resp.KeyURL = g.URL() + KeyPath(ti.ID)
	}
	if ti.Encryption == EncryptionCENC || ti.Encryption == EncryptionCBCS {
		kid, _, _ := signing.ContentKey(g.topo.SigningKey, ti.ID)
		resp.LicenseURL, resp.KeyIDs = g.URL()+LicensePath(ti.ID), []string{hex.EncodeToString(kid[:])}
	}
	for i, e := range ranked {
		pe := PlayEdge{ID: e.ID, Region: e.Region, Rank: i, URL: strings.TrimSuffix(e.URL, "/") + dir, Load: math.Round(e.Load()*1000) / 1000,
			Protocols: edgeProtocols(e.URL, e.HTTP3)}
		pe.H3 = pe.Protocols[0] == "h3"
		if ti.HLS != "" {
			pe.HLS = pe.URL + ti.HLS
		}
		if ti.DASH != "" {
			pe.DASH = pe.URL + ti.DASH
		}
		resp.Edges = append(resp.Edges, pe)
	}
	resp.HLS, resp.DASH = resp.Edges[0].HLS, resp.Edges[0].DASH
	return writeJSON(w, http.StatusOK, resp)
}

// rankForPlay asks the steering service through its breaker; when steering
// is down the playback API degrades to the last reports it saw, ranked by
// region only, rather than failing playback.
func (g *Gateway) rankForPlay(region, title string, now time.Time) []Ranked {
	st := g.services[SvcSteering]
	if ok, _ := st.breaker.Allow(now); ok && !st.Down() {
		r := g.Steering.Rank(region, title)
		st.breaker.Record(true, now)
		return r
	} else if ok {
		st.breaker.Record(false, now)
	}
	return Rank(g.Steering.Edges(), region, title, now, time.Duration(math.MaxInt64))
}

func (g *Gateway) steer(w http.ResponseWriter, r *http.Request, _ []byte, _ signing.Claims) int {
	return g.Steering.serveManifest(w, r, g.URL())
}

func (g *Gateway) intake(w http.ResponseWriter, _ *http.Request, body []byte, _ signing.Claims) int {
	req, err := DecodeEvents(body, g.topo.ControlPlane.MaxEventBatch)
	if err != nil {
		return writeError(w, http.StatusBadRequest, err.Error())
	}
	resp := g.Telemetry.Offer(req)
	g.events.WithLabelValues("accepted").Add(float64(resp.Accepted))
	g.events.WithLabelValues("dropped").Add(float64(resp.Dropped))
	return writeJSON(w, http.StatusAccepted, resp)
}

// report takes an edge's health report on the internal listener. Only
// edges of the topology are taken, signed with the report key.
func (g *Gateway) report(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxReportBytes))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "report too large")
		return
	}
	if !signing.VerifyReport(g.topo.SigningKey, data, r.Header.Get(edge.ReportHeader)) {
		writeError(w, http.StatusUnauthorized, "bad report signature")
		return
	}
	rep, err := decodeReport(data)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if _, ok := g.topo.Edge(rep.ID); !ok {
		writeError(w, http.StatusForbidden, fmt.Sprintf("edge %q is not in the topology", rep.ID))
		return
	}
	g.Steering.Report(rep)
	w.WriteHeader(http.StatusNoContent)
}

// edgeProtocols lists the HTTP versions an edge serves, in ALPN names:
// plain HTTP is HTTP/1.1 only, HTTPS adds h2, and h3 when the edge said
// it serves HTTP/3.
func edgeProtocols(edgeURL string, h3 bool) []string {
	if !strings.HasPrefix(edgeURL, "https:") {
		return []string{"http/1.1"}
	}
	if h3 {
		return []string{"h3", "h2", "http/1.1"}
	}
	return []string{"h2", "http/1.1"}
}
