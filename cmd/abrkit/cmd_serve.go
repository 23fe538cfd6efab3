package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/abrkit/abrkit/simulator/backend"
	"github.com/abrkit/abrkit/simulator/backend/origin"
	"github.com/abrkit/abrkit/simulator/backend/packager"
	"github.com/abrkit/abrkit/simulator/backend/topology"
)

// serveFlags are shared by serve and its component subcommands.
type serveFlags struct {
	config, listen, catalog, content, logLevel string
	summary, grace                             time.Duration
	format                                     string
	// adminListen and internalListen are the admin and internal planes;
	// cors lists the web origins the gateway allows.
	adminListen, internalListen string
	cors                        []string
	maxConnsPerClient           int
	// needKey: separate processes must share a configured key.
	needKey bool
	// memoryBudget is --memory-budget; mem the memory limit load set.
	memoryBudget string
	mem          memLimit
	// runtimeStats is --runtime-stats; stopStats ends its writer.
	runtimeStats string
	stopStats    func()
	// certOut is --tls-cert: where the edges' certificate is written
	// (serving HTTPS and HTTP/3) when set.
	certOut string
	// keyServer is --key-server: the gateway URL the origin's encrypted
	// titles announce (separate-process mode).
	keyServer string
}

// serveAddresses is the first line of `abrkit serve --format json`.
type serveAddresses struct {
	Gateway    string      `json:"gateway"`
	Origin     string      `json:"origin"`
	Edges      []serveEdge `json:"edges"`
	Internal   string      `json:"internal"`
	Admin      string      `json:"admin"`
	AdminToken string      `json:"admin_token"`
	Faults     string      `json:"faults"`
	Metrics    string      `json:"metrics"`
	Titles     int         `json:"titles"`
	KeySource  string      `json:"key_source"`
	// MemoryBudget is the process's budget in bytes; MemoryLimit the
	// runtime memory limit in force (GOMEMLIMIT wins over the budget).
	MemoryBudget int64 `json:"memory_budget"`
	MemoryLimit  int64 `json:"memory_limit"`
}

type serveEdge struct {
	ID     string `json:"id"`
	Region string `json:"region"`
	URL    string `json:"url"`
}

func (f *serveFlags) add(c *cobra.Command, listenDefault string) {
	c.Flags().StringVar(&f.config, "config", "", "topology file (YAML); default: 3 regions x 3 edges, 20 titles")
	c.Flags().StringVar(&f.listen, "listen", listenDefault, "listen address (host:port; port 0 picks a free one)")
	c.Flags().StringVar(&f.catalog, "catalog", "", "packager catalog file (YAML), replaces the topology's catalog")
	c.Flags().StringVar(&f.content, "content", "", "directory of real content (e.g. testdata/content), replaces the catalog")
	c.Flags().StringVar(&f.logLevel, "log-level", "warn", "log level on stderr: debug, info, warn, error")
	c.Flags().DurationVar(&f.grace, "grace", 5*time.Second, "on SIGINT/SIGTERM, wait this long for requests in progress before closing connections")
	memoryBudgetFlag(c, &f.memoryBudget, "default: the topology's memory_budget, else 1GiB. Half of it sizes the edge caches "+
		"the process runs (those without cache_size in the topology); it is the runtime memory limit unless GOMEMLIMIT is set")
	runtimeStatsFlag(c, &f.runtimeStats)
}

// addPlanes adds the admin and internal listener flags.
func (f *serveFlags) addPlanes(c *cobra.Command) {
	c.Flags().StringVar(&f.adminListen, "admin-listen", "127.0.0.1:0", "admin listener (faults, metrics; bearer token from "+backend.EnvAdminToken+" or random)")
	c.Flags().StringVar(&f.internalListen, "internal-listen", "127.0.0.1:0", "internal listener (edge reports)")
	c.Flags().StringSliceVar(&f.cors, "cors-origin", nil, "web origin allowed to call the gateway (repeatable; * for any)")
}

// load reads the topology, catalog and content choices; bad input exits 2.
func (f *serveFlags) load(stderr io.Writer) (*topology.Topology, *packager.Catalog, error) {
	topo := topology.Default()
	if f.config != "" {
		t, err := topology.Load(f.config)
		if err != nil {
			return nil, nil, badInput(err)
		}
		topo = t
	}
	budget, err := parseBudget(f.memoryBudget)
	if err != nil {
		return nil, nil, err
	}
	if budget > 0 {
		topo.MemoryBudget = topology.ByteSize(budget)
	}
	f.mem = setMemoryLimit(int64(topo.Budget()), os.Getenv)
	if f.stopStats, err = startRuntimeStats(f.runtimeStats); err != nil {
		return nil, nil, usageErrorf("--runtime-stats: %v", err)
	}
	var cat *packager.Catalog
	if f.catalog != "" {
		c, err := packager.LoadCatalog(f.catalog)
		if err != nil {
			return nil, nil, badInput(err)
		}
		cat = c
	}
	if f.content != "" {
		if st, err := os.Stat(f.content); err != nil || !st.IsDir() {
			return nil, nil, usageErrorf("--content %s: not a directory", f.content)
		}
	}
	for _, a := range []string{f.listen, f.adminListen, f.internalListen} {
		if a != "" && !loopback(a) {
			fmt.Fprintf(stderr, "abrkit serve: warning: listening on %s, beyond loopback\n", a)
		}
	}
	src, err := backend.ResolveKey(topo, os.Getenv, f.needKey)
	if errors.Is(err, backend.ErrNoKey) {
		return nil, nil, usageErrorf("separate processes must share a signing key: %v", err)
	}
	if err != nil {
		return nil, nil, badInput(err)
	}
	if src == backend.KeyRandom {
		fmt.Fprintf(stderr, "abrkit serve: warning: no signing key configured; using a random key for this run "+
			"(tokens and URLs stop working when it ends). Set %s or signing_key_file in the topology.\n", backend.EnvSigningKey)
	}
	for _, w := range topo.Warnings() {
		fmt.Fprintf(stderr, "abrkit serve: warning: %s\n", w)
	}
	return topo, cat, nil
}

// defaultConnsPerClient caps connections per client address when the
// backend listens beyond loopback.
const defaultConnsPerClient = 64

func loopback(addr string) bool {
	return strings.HasPrefix(addr, "127.") || strings.HasPrefix(addr, "localhost:") || strings.HasPrefix(addr, "[::1]:")
}

// component loads what a separate origin or control process needs: the
// topology, the content source and the logger.
func (f *serveFlags) component(stderr io.Writer) (*topology.Topology, origin.Source, *slog.Logger, error) {
	topo, cat, err := f.load(stderr)
	if err != nil {
		return nil, nil, nil, err
	}
	log, err := f.logger(stderr)
	if err != nil {
		return nil, nil, nil, err
	}
	src, err := f.source(topo, cat)
	if err != nil {
		return nil, nil, nil, err
	}
	return topo, src, log, nil
}

func (f *serveFlags) logger(w io.Writer) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(f.logLevel)); err != nil {
		return nil, usageErrorf("--log-level %q: want debug, info, warn or error", f.logLevel)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: lv})), nil
}

func (f *serveFlags) source(topo *topology.Topology, cat *packager.Catalog) (origin.Source, error) {
	src, err := backend.NewSource(topo, cat, f.content, f.keyServer)
	if err != nil {
		return nil, badInput(err)
	}
	return src, nil
}

// signalContext ends on SIGINT or SIGTERM.
func signalContext(parent context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
}

func newServeCmd() *cobra.Command {
	var f serveFlags
	c := &cobra.Command{
		Use:   "serve",
		Short: "Run the reference streaming backend (gateway, steering, edges, origin)",
		Long: `serve runs the reference backend on loopback: an origin with the catalog's
CMAF titles (HLS + DASH), edge caches per region, and the control plane behind
one gateway (POST /v1/login, GET /v1/titles, POST /v1/play, GET /v1/steering/{title},
POST /v1/events). Faults (/admin/v1/faults) and metrics (/metrics) are on a
separate admin listener behind a bearer token (printed; set it with
ABRKIT_ADMIN_TOKEN), and edge reports on an internal listener.

Without a configured key (ABRKIT_SIGNING_KEY, or signing_key_file in the
topology) each run signs with a random key and says so on stderr.

The first URL printed is the gateway's. Every --summary interval a status
line follows when something changed since the last one (an idle backend
stays quiet). SIGINT or SIGTERM shuts down cleanly.

--memory-budget (or memory_budget in the topology; default 1GiB) bounds
the process: half of it is shared by the edge caches (each edge: 80% VOD
cache, 20% live store) unless the topology sets cache_size, and it is the
runtime's memory limit unless GOMEMLIMIT is set. The "memory" line says
how it was applied (docs/memory.md). With --format json
the first line is {"gateway", "origin", "edges": [{"id", "region", "url"}],
"internal", "admin", "admin_token", "faults", "metrics", "titles",
"key_source", "memory_budget", "memory_limit"} and each status line is a JSON object
{"edges", "healthy_edges", "edge_requests", "edge_bytes", "hit_ratio",
"gateway_in_flight", "events_accepted", "events_dropped"}.

The subcommands run one component each (origin, control, edge) as separate
processes (they need ABRKIT_SIGNING_KEY or signing_key_file), 'serve urls'
prints signed, directly playable manifest URLs and 'serve hash-password'
makes a password_hash for the topology's users.`,
		Example: `  abrkit serve
  abrkit serve --config simulator/backend/topology/testdata/default.yaml --listen 127.0.0.1:8080
  abrkit serve --content testdata/content
  abrkit serve urls --gateway http://127.0.0.1:8080 --format json`,
		Args: cobra.NoArgs,
	}
	f.add(c, "127.0.0.1:0")
	f.addPlanes(c)
	c.Flags().DurationVar(&f.summary, "summary", 5*time.Second, "status line interval (0: none)")
	c.Flags().IntVar(&f.maxConnsPerClient, "max-conns-per-client", -1,
		fmt.Sprintf("cap on open connections per client address to the gateway and each edge (0: none; default %d beyond loopback, none on loopback where simulated viewers share one address)", defaultConnsPerClient))
	c.Flags().StringVar(&f.certOut, "tls-cert", "", "edges serve viewers over HTTPS and HTTP/3 with a certificate made for this run, written to this PEM file for players to trust (abrkit play --ca FILE --http3 alt-svc)")
	format := formatFlag(c)
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := checkFormat(*format); err != nil {
			return err
		}
		f.format = *format
		ctx, cancel := signalContext(cmd.Context())
		defer cancel()
		return runServe(ctx, &f, cmd.OutOrStdout(), cmd.ErrOrStderr())
	}
	c.AddCommand(newServeURLsCmd(), newServeOriginCmd(), newServeControlCmd(), newServeEdgeCmd(), newHashPasswordCmd())
	return c
}

// runServe runs the whole backend until ctx ends.
func runServe(ctx context.Context, f *serveFlags, stdout, stderr io.Writer) error {
	topo, cat, err := f.load(stderr)
	if err != nil {
		return err
	}
	log, err := f.logger(stderr)
	if err != nil {
		return err
	}
	if f.summary < 0 || f.maxConnsPerClient < -1 {
		return usageErrorf("--summary and --max-conns-per-client must not be negative")
	}
	if f.maxConnsPerClient == -1 {
		f.maxConnsPerClient = 0
		if !loopback(f.listen) {
			f.maxConnsPerClient = defaultConnsPerClient
		}
	}
	b, err := backend.Start(ctx, backend.Options{Topology: topo, Catalog: cat, ContentDir: f.content, Listen: f.listen, Log: log,
		AdminListen: f.adminListen, InternalListen: f.internalListen, AdminToken: os.Getenv(backend.EnvAdminToken), CORSOrigins: f.cors,
		MaxConnsPerClient: f.maxConnsPerClient, TLS: f.certOut != ""})
	if err != nil {
		var te *topology.Error
		if errors.As(err, &te) || errors.Is(err, packager.ErrInvalidValue) {
			return badInput(err)
		}
		return err
	}
	if f.certOut != "" {
		if err := os.WriteFile(f.certOut, b.CertPEM, 0o644); err != nil {
			_ = b.Close(context.Background())
			return fmt.Errorf("--tls-cert: %w", err)
		}
	}
	if w := topo.CacheWarning(edgeIDs(b)); w != "" {
		fmt.Fprintf(stderr, "abrkit serve: warning: %s\n", w)
	}
	if err := printAddresses(stdout, f.format, b, f.mem); err != nil {
		return err
	}
	var tick <-chan time.Time
	if f.summary > 0 {
		t := time.NewTicker(f.summary)
		defer t.Stop()
		tick = t.C
	}
	var status changeFilter[backend.Summary]
	for {
		select {
		case <-ctx.Done():
			if f.format != "json" {
				fmt.Fprintf(stdout, "shutting down: %s\n", b.Summary())
			}
			return f.shutdown(log, b.Close)
		case <-tick:
			sum := b.Summary()
			if !status.changed(sum) {
				continue
			}
			if f.format == "json" {
				_ = json.NewEncoder(stdout).Encode(sum)
				continue
			}
			fmt.Fprintf(stdout, "%s  %s\n", time.Now().UTC().Format("15:04:05"), sum)
		}
	}
}

// printAddresses writes where each plane listens (the gateway first).
func printAddresses(w io.Writer, format string, b *backend.Backend, mem memLimit) error {
	gw, adm := b.GatewayURL(), b.AdminURL()
	if format == "json" {
		a := serveAddresses{Gateway: gw, Origin: b.Origin.URL(), Internal: b.InternalURL(), Admin: adm, AdminToken: b.AdminToken(),
			Faults: adm + "/admin/v1/faults", Metrics: adm + "/metrics", Titles: len(b.Source.Titles()), KeySource: string(b.KeySource),
			MemoryBudget: int64(b.Topology.Budget()), MemoryLimit: mem.Limit}
		for _, e := range b.Edges {
			a.Edges = append(a.Edges, serveEdge{ID: e.ID(), Region: e.Region(), URL: e.URL()})
		}
		return json.NewEncoder(w).Encode(a)
	}
	fmt.Fprintf(w, "gateway  %s\n", gw)
	fmt.Fprintf(w, "origin   %s\n", b.Origin.URL())
	for _, e := range b.Edges {
		fmt.Fprintf(w, "edge     %s  %-8s %s\n", e.URL(), e.ID(), e.Region())
	}
	fmt.Fprintf(w, "internal %s\nadmin    %s (Authorization: Bearer %s)\n", b.InternalURL(), adm, b.AdminToken())
	fmt.Fprintf(w, "faults   %s/admin/v1/faults\nmetrics  %s/metrics\n", adm, adm)
	fmt.Fprintf(w, "titles   %d (abrkit serve urls --gateway %s)\n", len(b.Source.Titles()), gw)
	fmt.Fprintf(w, "memory   %s\n", memoryLine(b.Topology, edgeIDs(b), mem))
	return nil
}

// edgeIDs lists the ids of the backend's edges.
func edgeIDs(b *backend.Backend) []string {
	ids := make([]string, 0, len(b.Edges))
	for _, e := range b.Edges {
		ids = append(ids, e.ID())
	}
	return ids
}

func newServeURLsCmd() *cobra.Command {
	var gateway, user, password string
	c := &cobra.Command{
		Use:   "urls --gateway URL",
		Short: "Log in and print signed, directly playable manifest URLs for every title",
		Example: `  abrkit serve urls --gateway http://127.0.0.1:8080
  abrkit serve urls --gateway http://127.0.0.1:8080 --format json`,
		Args: cobra.NoArgs,
	}
	format := formatFlag(c)
	c.Flags().StringVar(&gateway, "gateway", "", "gateway URL (required)")
	c.Flags().StringVar(&user, "user", "demo", "user name")
	c.Flags().StringVar(&password, "password", "demo", "password")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := checkFormat(*format); err != nil {
			return err
		}
		if gateway == "" {
			return usageErrorf("--gateway is required")
		}
		ctx, cancel := context.WithTimeout(cmd.Context(), 30*time.Second)
		defer cancel()
		cl := &backend.Client{Gateway: gateway, HTTP: &http.Client{Timeout: 10 * time.Second}}
		urls, err := cl.PlayableURLs(ctx, user, password)
		if err != nil {
			return err
		}
		if *format == "json" {
			return writeJSON(cmd.OutOrStdout(), struct {
				Titles []backend.TitleURLs `json:"titles"`
			}{urls})
		}
		for _, u := range urls {
			if u.Live {
				fmt.Fprintf(cmd.OutOrStdout(), "%s (live)\n  hls     %s\n  dash    %s\n  ll-dash %s\n", u.ID, u.HLS, u.DASH, u.LLDASH)
				continue
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s\n  hls  %s\n  dash %s\n", u.ID, u.HLS, u.DASH)
		}
		return nil
	}
	return c
}

func newServeOriginCmd() *cobra.Command {
	var f serveFlags
	c := &cobra.Command{Use: "origin", Short: "Run only the origin (separate-process mode)", Args: cobra.NoArgs}
	f.add(c, "127.0.0.1:0")
	c.Flags().StringVar(&f.keyServer, "key-server", "", "gateway URL that encrypted titles name as their key and license server (http://host:port of `serve control`)")
	f.needKey = true
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		topo, src, log, err := f.component(cmd.ErrOrStderr())
		if err != nil {
			return err
		}
		ctx, cancel := signalContext(cmd.Context())
		defer cancel()
		o, err := backend.StartOrigin(topo, src, f.listen, log)
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "origin   %s\nmemory   %s\n", o.URL(), memoryLine(topo, nil, f.mem))
		<-ctx.Done()
		return f.shutdown(log, o.Close)
	}
	return c
}

func newServeControlCmd() *cobra.Command {
	var f serveFlags
	c := &cobra.Command{Use: "control", Short: "Run only the gateway and control-plane services (separate-process mode)", Args: cobra.NoArgs}
	f.add(c, "127.0.0.1:0")
	f.addPlanes(c)
	f.needKey = true
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		topo, src, log, err := f.component(cmd.ErrOrStderr())
		if err != nil {
			return err
		}
		ctx, cancel := signalContext(cmd.Context())
		defer cancel()
		gw, err := backend.StartControl(ctx, topo, src, backend.ControlProcess{Addr: f.listen, InternalAddr: f.internalListen,
			AdminAddr: f.adminListen, AdminToken: os.Getenv(backend.EnvAdminToken), CORSOrigins: f.cors, Log: log})
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "gateway  %s\ninternal %s\nadmin    %s (Authorization: Bearer %s)\nmemory   %s\n",
			gw.URL(), gw.InternalURL(), gw.AdminURL(), gw.AdminToken(), memoryLine(topo, nil, f.mem))
		<-ctx.Done()
		return f.shutdown(log, gw.Close)
	}
	return c
}

func newServeEdgeCmd() *cobra.Command {
	var f serveFlags
	var id, originURL, controlURL string
	c := &cobra.Command{Use: "edge --id ID --origin URL --control URL", Short: "Run one edge cache of the topology (separate-process mode)", Args: cobra.NoArgs}
	f.add(c, "127.0.0.1:0")
	f.needKey = true
	c.Flags().StringVar(&id, "id", "", "edge id from the topology (required)")
	c.Flags().StringVar(&originURL, "origin", "", "origin URL (required)")
	c.Flags().StringVar(&controlURL, "control", "", "control process's internal listener URL to report health to (required)")
	c.Flags().StringVar(&f.adminListen, "admin-listen", "127.0.0.1:0", "the edge's admin listener (faults, metrics, load)")
	_ = c.Flags().MarkHidden("catalog") // an edge fills from the origin
	_ = c.Flags().MarkHidden("content")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		if id == "" || originURL == "" || controlURL == "" {
			return usageErrorf("--id, --origin and --control are required")
		}
		topo, _, err := f.load(cmd.ErrOrStderr())
		if err != nil {
			return err
		}
		log, err := f.logger(cmd.ErrOrStderr())
		if err != nil {
			return err
		}
		ctx, cancel := signalContext(cmd.Context())
		defer cancel()
		e, err := backend.StartEdge(ctx, topo, backend.EdgeProcess{ID: id, Addr: f.listen, OriginURL: originURL, ControlURL: controlURL,
			AdminAddr: f.adminListen, AdminToken: os.Getenv(backend.EnvAdminToken), Log: log})
		if errors.Is(err, topology.ErrInvalid) {
			return badInput(err)
		}
		if err != nil {
			return err
		}
		if w := topo.CacheWarning([]string{id}); w != "" {
			fmt.Fprintf(cmd.ErrOrStderr(), "abrkit serve edge: warning: %s\n", w)
		}
		fmt.Fprintf(cmd.OutOrStdout(), "edge     %s  %s\nadmin    %s (Authorization: Bearer %s)\nmemory   %s\n",
			e.URL(), e.ID(), e.Admin.URL(), e.AdminToken, memoryLine(topo, []string{id}, f.mem))
		<-ctx.Done()
		err = f.shutdown(log, e.Close)
		e.Leave()
		return err
	}
	return c
}

// shutdown closes gracefully within --grace; connections still busy then
// are closed, which is logged, not an error.
func (f *serveFlags) shutdown(log *slog.Logger, closeFn func(context.Context) error) error {
	if f.stopStats != nil {
		defer f.stopStats()
	}
	grace := f.grace
	if grace <= 0 {
		grace = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := closeFn(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		log.Warn("connections still open after the grace period were closed", "grace", grace)
		return nil
	}
	return err
}

// changeFilter passes a value only when it differs from the last one
// passed: serve's status line repeats nothing while the backend is idle.
type changeFilter[T comparable] struct {
	last T
	seen bool
}

func (c *changeFilter[T]) changed(v T) bool {
	if c.seen && v == c.last {
		return false
	}
	c.last, c.seen = v, true
	return true
}
