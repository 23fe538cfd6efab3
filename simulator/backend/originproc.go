package backend

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/abrkit/abrkit/simulator/backend/faults"
	"github.com/abrkit/abrkit/simulator/backend/origin"
)

// Origin runs an origin server on its own address; it is a fault target.
type Origin struct {
	srv  *origin.Server
	addr string
	log  *slog.Logger

	mu   sync.Mutex
	http *http.Server
}

var _ faults.Target = (*Origin)(nil)

// NewOrigin wraps srv to listen on addr.
func NewOrigin(srv *origin.Server, addr string, log *slog.Logger) *Origin {
	return &Origin{srv: srv, addr: addr, log: log}
}

// Server returns the HTTP handler.
func (o *Origin) Server() *origin.Server { return o.srv }

// Start listens (again, on the same address after a Kill).
func (o *Origin) Start() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.http != nil {
		return nil
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("origin: %w", err)
	}
	o.addr = ln.Addr().String()
	o.http = &http.Server{Handler: o.srv, ReadHeaderTimeout: 10 * time.Second}
	h := o.http
	go func() { _ = h.Serve(ln) }()
	o.log.Info("origin listening", "url", "http://"+o.addr)
	return nil
}

// URL returns "http://host:port".
func (o *Origin) URL() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return "http://" + o.addr
}

// Kill closes the listener and its connections.
func (o *Origin) Kill() error {
	o.mu.Lock()
	h := o.http
	o.http = nil
	o.mu.Unlock()
	if h == nil {
		return nil
	}
	return h.Close()
}

// Restart listens again.
func (o *Origin) Restart() error { return o.Start() }

// Impair sets latency or an error rate on origin responses.
func (o *Origin) Impair(i faults.Impairment) { o.srv.Impair(i) }

// Close shuts down within ctx.
func (o *Origin) Close(ctx context.Context) error {
	o.mu.Lock()
	h := o.http
	o.http = nil
	o.mu.Unlock()
	if h == nil {
		return nil
	}
	if err := h.Shutdown(ctx); err != nil {
		_ = h.Close() // connections still busy when ctx ended
		return err
	}
	return nil
}
