package backend

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/abrkit/abrkit/simulator/backend/faults"
	"github.com/abrkit/abrkit/simulator/backend/origin"
	"github.com/abrkit/abrkit/simulator/backend/server"
)

// Origin runs an origin server on its own address; it is a fault target.
type Origin struct {
	srv  *origin.Server
	http *server.Server
}

var _ faults.Target = (*Origin)(nil)

// NewOrigin wraps srv to listen on addr.
func NewOrigin(srv *origin.Server, addr string, log *slog.Logger) *Origin {
	return &Origin{srv: srv, http: server.New(server.Config{Name: "origin", Addr: addr, Handler: srv,
		ReadTimeout: 30 * time.Second, WriteTimeout: time.Minute, Log: log})}
}

// Server returns the HTTP handler.
func (o *Origin) Server() *origin.Server { return o.srv }

// Start listens (again, on the same address after a Kill).
func (o *Origin) Start() error {
	if err := o.http.Start(); err != nil && !errors.Is(err, server.ErrRunning) {
		return err
	}
	return nil
}

// URL returns "http://host:port".
func (o *Origin) URL() string { return o.http.URL() }

// Kill closes the listener and its connections.
func (o *Origin) Kill() error { return o.http.Kill() }

// Restart listens again.
func (o *Origin) Restart() error { return o.Start() }

// Impair sets latency or an error rate on origin responses.
func (o *Origin) Impair(i faults.Impairment) { o.srv.Impair(i) }

// Close shuts down within ctx.
func (o *Origin) Close(ctx context.Context) error { return o.http.Close(ctx) }
