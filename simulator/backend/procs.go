package backend

import (
	"context"
	"errors"
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
	"github.com/abrkit/abrkit/simulator/backend/server"
	"github.com/abrkit/abrkit/simulator/backend/signing"
	"github.com/abrkit/abrkit/simulator/backend/topology"
)

// The functions below run one component each, for the separate-process
// mode (`abrkit serve origin|control|edge`), where a test can kill one
// process with a signal. Edges then fill over HTTP from the origin and
// report to the control plane's internal listener over HTTP (POST
// /internal/v1/edges/report, signed with the report key). The processes
// must share a configured master key: each returns ErrNoKey without one.

// StartOrigin runs only the origin on addr.
func StartOrigin(t *topology.Topology, src origin.Source, addr string, log *slog.Logger) (*Origin, error) {
	if t.SigningKey == "" {
		return nil, ErrNoKey
	}
	srv := origin.NewServer(src, log.With("component", "origin"))
	srv.SetLatency(t.Origin.Latency)
	o := NewOrigin(srv, addr, log)
	return o, o.Start()
}

// ControlProcess configures StartControl; the addresses default to
// "127.0.0.1:0" and AdminToken to a random token.
type ControlProcess struct {
	Addr, InternalAddr, AdminAddr string
	AdminToken                    string
	CORSOrigins                   []string
	Log                           *slog.Logger
}

// StartControl runs only the gateway and its services, with the fault
// admin API for its own services on the admin listener. Edges join by
// reporting to the internal listener.
func StartControl(ctx context.Context, t *topology.Topology, src origin.Source, p ControlProcess) (*control.Gateway, error) {
	if t.SigningKey == "" {
		return nil, ErrNoKey
	}
	gw, err := control.New(control.Config{Topology: t, Titles: src.Titles(), Addr: p.Addr, InternalAddr: p.InternalAddr,
		AdminAddr: p.AdminAddr, AdminToken: p.AdminToken, CORSOrigins: p.CORSOrigins, Log: p.Log, Faults: faults.NewController()})
	if err != nil {
		return nil, err
	}
	if err := gw.Start(); err != nil {
		return nil, err
	}
	return gw, nil
}

// EdgeProcess configures StartEdge.
type EdgeProcess struct {
	ID        string
	Addr      string
	OriginURL string
	// ControlURL is the control process's internal listener.
	ControlURL string
	// AdminAddr is the edge's admin listener (faults, metrics, load);
	// defaults to "127.0.0.1:0". AdminToken defaults to a random token.
	AdminAddr, AdminToken string
	Log                   *slog.Logger
}

// EdgeProc is a running edge process: the edge and its admin listener.
type EdgeProc struct {
	*edge.Edge
	Admin      *server.Server
	AdminToken string
}

// Close stops the edge, then its admin listener.
func (p *EdgeProc) Close(ctx context.Context) error {
	return errors.Join(p.Edge.Close(ctx), p.Admin.Close(ctx))
}

// StartEdge runs one edge of the topology, filling from OriginURL and
// reporting to ControlURL every half health interval until ctx ends. The
// first report is sent before it returns. Call Close then Leave to go away
// cleanly.
func StartEdge(ctx context.Context, t *topology.Topology, p EdgeProcess) (*EdgeProc, error) {
	ref, ok := t.Edge(p.ID)
	if !ok {
		return nil, fmt.Errorf("edge %q is not in the topology: %w", p.ID, topology.ErrInvalid)
	}
	if t.SigningKey == "" {
		return nil, ErrNoKey
	}
	fc := faults.NewController()
	mem := t.EdgeMemory(ref, 1) // the process runs this edge only
	rep := &edge.HTTPReporter{URL: strings.TrimSuffix(p.ControlURL, "/") + "/internal/v1/edges/report", Key: t.SigningKey, Log: p.Log}
	e, err := edge.New(edge.Config{ID: ref.ID, Region: ref.Region, Addr: p.Addr, CapacityBps: int64(ref.Capacity),
		MaxConnections: ref.MaxConnections, CacheBytes: int64(mem.Cache), LiveBytes: int64(mem.Live),
		Origin: &origin.Client{Base: p.OriginURL, HTTP: &http.Client{Timeout: 30 * time.Second}},
		Signer: signing.New(t.SigningKey), Clock: clock.Real{}, Log: p.Log, Report: rep.Send,
		Admin: fc.Handler(time.Now), Live: t.IsChannel, NoCollapse: !t.LiveEdges.Collapsing(), LivePlaylistTTL: t.LiveEdges.PlaylistTTL})
	if err != nil {
		return nil, err
	}
	fc.Register(e.ID(), e)
	if p.AdminToken == "" {
		p.AdminToken = server.NewToken()
	}
	proc := &EdgeProc{Edge: e, AdminToken: p.AdminToken, Admin: server.New(server.Config{Name: "edge admin", Addr: orDefault(p.AdminAddr, "127.0.0.1:0"),
		Handler: server.Admin(p.AdminToken, e.AdminHandler()), ReadTimeout: 10 * time.Second, Log: p.Log})}
	if err := proc.Admin.Start(); err != nil {
		return nil, err
	}
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
		_ = proc.Admin.Kill()
		return nil, err
	}
	e.ReportNow() // registered before the caller announces the edge
	go e.Run(ctx, max(t.HealthInterval/2, 10*time.Millisecond))
	return proc, nil
}
