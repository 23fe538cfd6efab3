package backend

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/simulator/backend/control"
	"github.com/abrkit/abrkit/simulator/backend/edge"
	"github.com/abrkit/abrkit/simulator/backend/faults"
	"github.com/abrkit/abrkit/simulator/backend/origin"
	"github.com/abrkit/abrkit/simulator/backend/packager"
	"github.com/abrkit/abrkit/simulator/backend/server"
	"github.com/abrkit/abrkit/simulator/backend/signing"
	"github.com/abrkit/abrkit/simulator/backend/topology"
)

// Options configure Start. Zero values take the defaults named.
type Options struct {
	// Topology defaults to topology.Default().
	Topology *topology.Topology
	// Catalog, when set, replaces the topology's catalog.
	Catalog *packager.Catalog
	// ContentDir, when set, serves real content from a directory instead
	// (see origin.NewDirSource).
	ContentDir string
	// Listen is the gateway's address; defaults to "127.0.0.1:0". The
	// origin and the edges listen on the same host with free ports.
	Listen string
	// Clock defaults to the wall clock.
	Clock clock.Clock
	// Log defaults to discarding.
	Log *slog.Logger
	// Manual turns off the background loops (health reports, fault
	// schedule, telemetry consumer); the caller drives them.
	Manual bool
	// GatewaySleep replaces the gateway's wait for service times and
	// injected latency (tests).
	GatewaySleep func(context.Context, time.Duration) error
	// InternalListen is the internal listener (edge reports); AdminListen
	// the admin listener (faults, metrics). Both default to
	// "127.0.0.1:0", and should stay off public addresses.
	InternalListen, AdminListen string
	// AdminToken defaults to a random token (Backend.AdminToken).
	AdminToken string
	// MaxConnsPerClient caps connections per client address on the
	// gateway and each edge; 0: no cap (the default, since simulated
	// viewers share the loopback address).
	MaxConnsPerClient int
	// TLS makes the edges serve viewers over HTTPS and HTTP/3 with a
	// certificate made for this start (Backend.CertPEM is what clients
	// trust); the gateway, origin and admin listeners stay plain HTTP.
	TLS bool
	// CORSOrigins are the web origins allowed to call the gateway.
	CORSOrigins []string
	// BodyTimeout bounds reading a request to the gateway; defaults to
	// control.DefaultBodyTimeout.
	BodyTimeout time.Duration
	// EdgeWriteTimeout and EdgeMinSendRate bound writes to viewers;
	// default to edge.DefaultWriteTimeout and edge.DefaultMinSendRate.
	EdgeWriteTimeout time.Duration
	EdgeMinSendRate  int64
}

// Backend is a running reference backend.
type Backend struct {
	Topology *topology.Topology
	Source   origin.Source
	Origin   *Origin
	Gateway  *control.Gateway
	Edges    []*edge.Edge
	Faults   *faults.Controller
	// KeySource says whether the master key was configured or made at
	// random for this start.
	KeySource KeySource
	// CertPEM is the edges' self-signed certificate with Options.TLS
	// (made at random for this start, valid a week); nil without TLS.
	CertPEM []byte

	clock  clock.Clock
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewSource builds the origin's source: a content directory, else the
// catalog given, else the topology's catalog (file, inline titles or
// generated titles), with the topology's live channels added. Encrypted
// titles get keys derived from the topology's master key and announce
// the key server at keyServer (the gateway's URL, "http://host:port").
func NewSource(t *topology.Topology, cat *packager.Catalog, contentDir, keyServer string) (origin.Source, error) {
	keys := &contentKeys{master: t.SigningKey}
	keys.setBase(keyServer)
	return newSource(t, cat, contentDir, clock.Real{}, keys)
}

// contentKeys gives encrypted titles their keys, derived from the master
// key, and the key server's URLs (known once the gateway listens;
// titles are packaged on first use, after that).
type contentKeys struct {
	master string
	mu     sync.Mutex
	base   string
}

func (k *contentKeys) setBase(u string) {
	k.mu.Lock()
	k.base = strings.TrimSuffix(u, "/")
	k.mu.Unlock()
}

func (k *contentKeys) protection(t packager.Title) (*packager.Protection, error) {
	k.mu.Lock()
	base := k.base
	k.mu.Unlock()
	if base == "" {
		return nil, fmt.Errorf("encrypted title %s: no key server URL", t.ID)
	}
	pr := &packager.Protection{KeyURI: base + control.KeyPath(t.ID), LicenseURL: base + control.LicensePath(t.ID)}
	pr.KID, pr.Key, pr.IV = signing.ContentKey(k.master, t.ID)
	return pr, nil
}

// newSource is NewSource with the topology's live channels running on clk.
func newSource(t *topology.Topology, cat *packager.Catalog, contentDir string, clk clock.Clock, keys *contentKeys) (origin.Source, error) {
	src, err := vodSource(t, cat, contentDir, keys)
	if err != nil || len(t.Channels) == 0 {
		return src, err
	}
	chans := make([]*packager.Channel, 0, len(t.Channels))
	for _, c := range t.Channels {
		ch, err := packager.NewChannel(ChannelConfig(c), clk)
		if err != nil {
			return nil, err
		}
		chans = append(chans, ch)
	}
	return origin.WithChannels(src, chans...)
}

// ChannelConfig is the packager configuration of a topology channel
// (the virtual simulator packages the same channel).
func ChannelConfig(c topology.Channel) packager.ChannelConfig {
	return packager.ChannelConfig{ID: c.ID, SegmentDuration: c.SegmentDuration, PartDuration: c.PartDuration,
		Window: c.Window, LatencyTarget: c.LatencyTarget, LadderKbps: c.LadderKbps, Seed: c.Seed, Source: c.Source}
}

func vodSource(t *topology.Topology, cat *packager.Catalog, contentDir string, keys *contentKeys) (origin.Source, error) {
	if contentDir == "" {
		contentDir = t.Catalog.Content
	}
	if contentDir != "" {
		return origin.NewDirSource(contentDir)
	}
	if cat == nil {
		var err error
		if cat, err = Catalog(t); err != nil {
			return nil, err
		}
	}
	ps, err := origin.NewPackagerSource(cat)
	if err == nil {
		ps.SetProtection(keys.protection)
	}
	return ps, err
}

// Catalog turns the topology's catalog reference into a packager catalog.
func Catalog(t *topology.Topology) (*packager.Catalog, error) {
	c := t.Catalog
	switch {
	case c.File != "":
		return packager.LoadCatalog(c.File)
	case len(c.Titles) > 0:
		cat := &packager.Catalog{}
		for _, ti := range c.Titles {
			cat.Titles = append(cat.Titles, packager.Title{ID: ti.ID, Duration: ti.Duration, SegmentDuration: ti.SegmentDuration, LadderKbps: ti.LadderKbps, Seed: ti.Seed,
				Encryption: packager.Encryption(ti.Encryption)})
		}
		return cat, cat.Validate()
	case c.Generate > 0:
		return packager.DefaultCatalog(c.Generate), nil
	}
	return nil, errors.New("backend: the topology names no catalog")
}

// Start runs origin, edges and gateway; Close stops them.
func Start(ctx context.Context, opts Options) (*Backend, error) {
	t := opts.Topology
	if t == nil {
		t = topology.Default()
	}
	tc := *t // the key is resolved on a copy, never on the caller's value
	t = &tc
	keySrc, err := resolveOrRandom(t)
	if err != nil {
		return nil, fmt.Errorf("backend: %w", err)
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Listen == "" {
		opts.Listen = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(opts.Listen)
	if err != nil {
		return nil, fmt.Errorf("backend: listen address %q: %w", opts.Listen, err)
	}
	keys := &contentKeys{master: t.SigningKey}
	src, err := newSource(t, opts.Catalog, opts.ContentDir, opts.Clock, keys)
	if err != nil {
		return nil, fmt.Errorf("backend: catalog: %w", err)
	}
	b := &Backend{Topology: t, Source: src, Faults: faults.NewController(), KeySource: keySrc, clock: opts.Clock}
	fail := func(err error) (*Backend, error) {
		_ = b.Close(context.Background())
		return nil, err
	}
	osrv := origin.NewServer(src, opts.Log.With("component", "origin"))
	osrv.SetLatency(t.Origin.Latency)
	b.Origin = NewOrigin(osrv, net.JoinHostPort(host, "0"), opts.Log)
	if err := b.Origin.Start(); err != nil {
		return fail(err)
	}
	b.Faults.Register("origin", b.Origin)
	steer := &lateReport{}
	if err := b.startEdges(opts, host, steer.send); err != nil {
		return fail(err)
	}
	gatherers := []prometheus.Gatherer{b.Origin.Server().Registry()}
	for _, ed := range b.Edges {
		gatherers = append(gatherers, ed.Registry())
	}
	gw, err := control.New(control.Config{Topology: t, Titles: src.Titles(), Addr: opts.Listen, Clock: opts.Clock,
		Log: opts.Log, Sleep: opts.GatewaySleep, Faults: b.Faults, InternalAddr: orDefault(opts.InternalListen, "127.0.0.1:0"),
		AdminAddr: orDefault(opts.AdminListen, "127.0.0.1:0"), AdminToken: opts.AdminToken, BodyTimeout: opts.BodyTimeout,
		MaxConnsPerClient: opts.MaxConnsPerClient, CORSOrigins: opts.CORSOrigins, Gatherers: gatherers})
	if err != nil {
		return fail(err)
	}
	b.Gateway = gw
	steer.set(gw.Steering.Report)
	if err := gw.Start(); err != nil {
		return fail(err)
	}
	keys.setBase(gw.URL())
	b.HealthTick()
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	b.cancel = cancel
	if !opts.Manual {
		for _, ed := range b.Edges {
			b.goRun(func() { ed.Run(runCtx, max(t.HealthInterval/2, 10*time.Millisecond)) })
		}
		b.goRun(func() { b.faultLoop(runCtx, opts.Log) })
	}
	return b, nil
}

// startEdges starts the topology's edges on host, filling from the origin
// and reporting to report.
func (b *Backend) startEdges(opts Options, host string, report func(edge.Report)) error {
	signer := signing.New(b.Topology.SigningKey)
	var tlsCfg *tls.Config
	if opts.TLS {
		var err error
		if tlsCfg, b.CertPEM, err = server.SelfSigned([]string{host, "127.0.0.1", "::1", "localhost"}, time.Now(), 7*24*time.Hour); err != nil {
			return fmt.Errorf("edges: TLS certificate: %w", err)
		}
	}
	fill := &origin.Client{Base: b.Origin.URL(), HTTP: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	edges := b.Topology.Edges()
	for _, e := range edges {
		mem := b.Topology.EdgeMemory(e, len(edges))
		ed, err := edge.New(edge.Config{ID: e.ID, Region: e.Region, Addr: net.JoinHostPort(host, "0"), CapacityBps: int64(e.Capacity),
			MaxConnections: e.MaxConnections, CacheBytes: int64(mem.Cache), LiveBytes: int64(mem.Live), Origin: fill, Signer: signer,
			Clock: opts.Clock, Log: opts.Log, Report: report, WriteTimeout: opts.EdgeWriteTimeout,
			MinSendRate: opts.EdgeMinSendRate, MaxConnsPerClient: opts.MaxConnsPerClient,
			Live: b.Topology.IsChannel, NoCollapse: !b.Topology.LiveEdges.Collapsing(), LivePlaylistTTL: b.Topology.LiveEdges.PlaylistTTL,
			TLS: tlsCfg, HTTP3: tlsCfg != nil})
		if err != nil {
			return err
		}
		b.Edges = append(b.Edges, ed)
		if err := ed.Start(); err != nil {
			return err
		}
		b.Faults.Register(e.ID, ed)
	}
	return nil
}

func (b *Backend) goRun(f func()) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		f()
	}()
}

func (b *Backend) faultLoop(ctx context.Context, log *slog.Logger) {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			applied, err := b.FaultTick()
			for _, f := range applied {
				log.Info("scheduled fault applied", "target", f.Target, "kind", f.Kind)
			}
			if err != nil {
				log.Warn("scheduled fault failed", "err", err)
			}
		}
	}
}

// GatewayURL is the control plane's entry, "http://127.0.0.1:PORT".
func (b *Backend) GatewayURL() string { return b.Gateway.URL() }

// InternalURL is the internal listener (edge reports).
func (b *Backend) InternalURL() string { return b.Gateway.InternalURL() }

// AdminURL is the admin listener: /admin/v1/faults and /metrics (the
// gateway's, the origin's and every edge's), behind AdminToken.
func (b *Backend) AdminURL() string { return b.Gateway.AdminURL() }

// AdminToken is the admin listener's bearer token.
func (b *Backend) AdminToken() string { return b.Gateway.AdminToken() }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// lateReport forwards edge reports to steering once the gateway exists
// (edges are built first so their metrics join the admin listener's).
type lateReport struct {
	mu sync.Mutex
	f  func(edge.Report)
}

func (l *lateReport) set(f func(edge.Report)) {
	l.mu.Lock()
	l.f = f
	l.mu.Unlock()
}

func (l *lateReport) send(r edge.Report) {
	l.mu.Lock()
	f := l.f
	l.mu.Unlock()
	if f != nil {
		f(r)
	}
}

// Edge returns the edge with id, or nil.
func (b *Backend) Edge(id string) *edge.Edge {
	for _, e := range b.Edges {
		if e.ID() == id {
			return e
		}
	}
	return nil
}

// HealthTick makes every live edge report to steering now (a killed edge
// stays silent). In Manual mode this is the health loop.
func (b *Backend) HealthTick() {
	for _, e := range b.Edges {
		e.ReportNow()
	}
}

// FaultTick applies the scheduled faults due at the backend clock's now.
func (b *Backend) FaultTick() ([]faults.Fault, error) { return b.Faults.Tick(b.clock.Now()) }

// Close stops everything within ctx.
func (b *Backend) Close(ctx context.Context) error {
	if b.cancel != nil {
		b.cancel()
	}
	var errs []error
	if b.Gateway != nil {
		errs = append(errs, b.Gateway.Close(ctx))
	}
	for _, e := range b.Edges {
		errs = append(errs, e.Close(ctx))
	}
	if b.Origin != nil {
		errs = append(errs, b.Origin.Close(ctx))
	}
	b.wg.Wait()
	return errors.Join(errs...)
}

// Summary is a snapshot of the backend for the live status line.
type Summary struct {
	Edges        int     `json:"edges"`
	HealthyEdges int     `json:"healthy_edges"`
	EdgeRequests int64   `json:"edge_requests"`
	EdgeBytes    int64   `json:"edge_bytes"`
	HitRatio     float64 `json:"hit_ratio"`
	InFlight     int     `json:"gateway_in_flight"`
	Events       int64   `json:"events_accepted"`
	Dropped      int64   `json:"events_dropped"`
}

// Summary gathers the counters.
func (b *Backend) Summary() Summary {
	s := Summary{Edges: len(b.Edges), HealthyEdges: b.Gateway.Steering.Healthy(), InFlight: b.Gateway.InFlight()}
	var hits, lookups int64
	for _, e := range b.Edges {
		n, by := e.Counters()
		s.EdgeRequests += n
		s.EdgeBytes += by
		st := e.Cache().Stats()
		hits += st.Hits
		lookups += st.Hits + st.Misses + st.Coalesced
	}
	if lookups > 0 {
		s.HitRatio = float64(hits) / float64(lookups)
	}
	ts := b.Gateway.Telemetry.Stats()
	s.Events, s.Dropped = ts.Accepted, ts.Dropped
	return s
}

// String formats the summary as one status line.
func (s Summary) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "edges %d/%d healthy | edge requests %d, %.1f MB, hit ratio %.0f%% | gateway in flight %d | events %d (%d dropped)",
		s.HealthyEdges, s.Edges, s.EdgeRequests, float64(s.EdgeBytes)/1e6, s.HitRatio*100, s.InFlight, s.Events, s.Dropped)
	return sb.String()
}
