package control

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/abrkit/abrkit/simulator/backend/faults"
	"github.com/abrkit/abrkit/simulator/backend/server"
)

// WriteTimeout bounds a gateway response from the end of its request's
// headers: service times and injected latency stay well below it.
const WriteTimeout = 30 * time.Second

func healthz(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") }

// listeners builds the three planes: the public API, the internal
// listener for edge reports and the admin listener for faults and metrics.
func (g *Gateway) listeners() {
	c := g.cfg
	g.pub = server.New(server.Config{Name: "gateway", Addr: c.Addr, Handler: g, ReadTimeout: c.BodyTimeout, WriteTimeout: WriteTimeout,
		MaxConnsPerClient: c.MaxConnsPerClient, Log: g.log})
	in := http.NewServeMux()
	in.HandleFunc("POST /internal/v1/edges/report", g.report)
	in.HandleFunc("GET /healthz", healthz)
	g.internal = server.New(server.Config{Name: "internal", Addr: c.InternalAddr, Handler: in, ReadTimeout: c.BodyTimeout,
		WriteTimeout: WriteTimeout, Log: g.log})
	ad := http.NewServeMux()
	gs := append(prometheus.Gatherers{g.reg}, c.Gatherers...)
	ad.Handle("GET /metrics", promhttp.HandlerFor(gs, promhttp.HandlerOpts{}))
	if c.Faults != nil {
		ad.Handle("/admin/v1/faults", c.Faults.Handler(g.clock.Now))
	}
	g.admin = server.New(server.Config{Name: "admin", Addr: c.AdminAddr, Handler: server.Admin(c.AdminToken, ad), ReadTimeout: c.BodyTimeout,
		WriteTimeout: WriteTimeout, Log: g.log})
}

// Start listens on the public, internal and admin addresses.
func (g *Gateway) Start() error {
	if g.pipeCancel == nil {
		ctx, cancel := context.WithCancel(context.Background())
		g.pipeCancel, g.pipeDone = cancel, make(chan struct{})
		go func() {
			defer close(g.pipeDone)
			g.Pipeline.Run(ctx)
		}()
	}
	for _, s := range []*server.Server{g.admin, g.internal, g.pub} {
		if err := s.Start(); err != nil && !errors.Is(err, server.ErrRunning) {
			return err
		}
	}
	return nil
}

// URL returns the public API's "http://host:port" once started.
func (g *Gateway) URL() string { return g.pub.URL() }

// InternalURL returns the internal listener's URL: edges post reports to
// InternalURL()+"/internal/v1/edges/report".
func (g *Gateway) InternalURL() string { return g.internal.URL() }

// AdminURL returns the admin listener's URL (/admin/v1/faults, /metrics).
func (g *Gateway) AdminURL() string { return g.admin.URL() }

// AdminToken returns the admin listener's bearer token.
func (g *Gateway) AdminToken() string { return g.cfg.AdminToken }

// Kill closes the public listener and its connections (a fault); the
// admin listener stays up, so the fault can be undone with a restart.
func (g *Gateway) Kill() error { return g.pub.Kill() }

// Restart listens again on the same public address.
func (g *Gateway) Restart() error {
	if err := g.pub.Start(); err != nil && !errors.Is(err, server.ErrRunning) {
		return err
	}
	return nil
}

// Close shuts the three listeners down gracefully within ctx.
func (g *Gateway) Close(ctx context.Context) error {
	defer g.stopPipeline()
	return errors.Join(g.pub.Close(ctx), g.internal.Close(ctx), g.admin.Close(ctx))
}

// stopPipeline stops the telemetry pipeline's consumers.
func (g *Gateway) stopPipeline() {
	if g.pipeCancel != nil {
		g.pipeCancel()
		<-g.pipeDone
		g.pipeCancel = nil
	}
}

// cors answers preflight requests and marks responses for the allowed
// web origins; other origins get no CORS headers, so browsers refuse.
func cors(origins []string, h http.Handler) http.Handler {
	if len(origins) == 0 {
		return h
	}
	any := slices.Contains(origins, "*")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o := r.Header.Get("Origin")
		if o != "" && (any || slices.Contains(origins, o)) {
			hd := w.Header()
			hd.Set("Access-Control-Allow-Origin", o)
			hd.Add("Vary", "Origin")
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				hd.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
				hd.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
				hd.Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// Impair applies latency or an error rate to every service.
func (g *Gateway) Impair(i faults.Impairment) {
	for _, s := range g.services {
		s.Impair(i)
	}
}
