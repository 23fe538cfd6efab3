package backend

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/simulator/backend/control"
	"github.com/abrkit/abrkit/simulator/backend/edge"
	"github.com/abrkit/abrkit/simulator/backend/faults"
	"github.com/abrkit/abrkit/simulator/backend/origin"
	"github.com/abrkit/abrkit/simulator/backend/signing"
	"github.com/abrkit/abrkit/simulator/backend/topology"
)

// The functions below run one component each, for the separate-process
// mode (`abrkit serve origin|control|edge`), where a test can kill one
// process with a signal. Edges then fill over HTTP from the origin and
// report to the control plane over HTTP (POST /internal/v1/edges/report,
// HMAC-signed with the topology's key).

// StartOrigin runs only the origin on addr.
func StartOrigin(t *topology.Topology, src origin.Source, addr string, log *slog.Logger) (*Origin, error) {
	srv := origin.NewServer(src, log.With("component", "origin"))
	srv.SetLatency(t.Origin.Latency)
	o := NewOrigin(srv, addr, log)
	return o, o.Start()
}

// StartControl runs only the gateway and its services on addr, with the
// fault admin endpoint for its own services. Edges join by reporting.
func StartControl(ctx context.Context, t *topology.Topology, src origin.Source, addr string, log *slog.Logger) (*control.Gateway, error) {
	gw, err := control.New(control.Config{Topology: t, Titles: src.Titles(), Addr: addr, Log: log, Faults: faults.NewController()})
	if err != nil {
		return nil, err
	}
	if err := gw.Start(); err != nil {
		return nil, err
	}
	go gw.Telemetry.Run(ctx)
	return gw, nil
}

// EdgeProcess configures StartEdge.
type EdgeProcess struct {
	ID         string
	Addr       string
	OriginURL  string
	ControlURL string
	Log        *slog.Logger
}

// StartEdge runs one edge of the topology, filling from OriginURL and
// reporting to ControlURL every half health interval until ctx ends. The
// first report is sent before it returns. Call Close then Leave to go away
// cleanly.
func StartEdge(ctx context.Context, t *topology.Topology, p EdgeProcess) (*edge.Edge, error) {
	ref, ok := t.Edge(p.ID)
	if !ok {
		return nil, fmt.Errorf("edge %q is not in the topology: %w", p.ID, topology.ErrInvalid)
	}
	fc := faults.NewController()
	rep := &edge.HTTPReporter{URL: strings.TrimSuffix(p.ControlURL, "/") + "/internal/v1/edges/report", Key: t.SigningKey, Log: p.Log}
	e, err := edge.New(edge.Config{ID: ref.ID, Region: ref.Region, Addr: p.Addr, CapacityBps: int64(ref.Capacity),
		MaxConnections: ref.MaxConnections, CacheBytes: int64(ref.CacheSize),
		Origin: &origin.Client{Base: p.OriginURL, HTTP: &http.Client{Timeout: 30 * time.Second}},
		Signer: signing.New(t.SigningKey), Clock: clock.Real{}, Log: p.Log, Report: rep.Send,
		Admin: fc.Handler(time.Now)})
	if err != nil {
		return nil, err
	}
	fc.Register(e.ID(), e)
	go func() {
		tk := time.NewTicker(50 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-tk.C:
				_, _ = fc.Tick(now)
			}
		}
	}()
	if err := e.Start(); err != nil {
		return nil, err
	}
	e.ReportNow() // registered before the caller announces the edge
	go e.Run(ctx, max(t.HealthInterval/2, 10*time.Millisecond))
	return e, nil
}
