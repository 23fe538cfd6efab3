package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// ErrRunning is returned by Start on a server that is already serving.
var ErrRunning = errors.New("server is already running")

// Defaults for the zero fields of Config.
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultIdleTimeout       = 2 * time.Minute
	DefaultMaxHeaderBytes    = 64 << 10
)

// Config sets a Server up. Zero values take the defaults named.
type Config struct {
	// Name labels log lines and errors ("gateway", "edge eu-1").
	Name string
	// Addr is the listen address; defaults to "127.0.0.1:0".
	Addr    string
	Handler http.Handler
	// ReadHeaderTimeout defaults to 10s.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included; 0: none.
	ReadTimeout time.Duration
	// WriteTimeout bounds writing a response; 0: none (handlers that
	// stream set their own deadlines per write).
	WriteTimeout time.Duration
	// IdleTimeout defaults to 2m.
	IdleTimeout time.Duration
	// MaxHeaderBytes defaults to 64 KiB.
	MaxHeaderBytes int
	// MaxConnsPerClient caps open connections per client IP address;
	// further connections are closed at once. 0: no cap.
	MaxConnsPerClient int
	// Log defaults to discarding.
	Log *slog.Logger
}

// Server is an HTTP listener that can be started, killed and restarted.
type Server struct {
	cfg Config

	mu   sync.Mutex
	srv  *http.Server
	addr string
	caps *clientCaps
}

// New returns a server that is not listening yet.
func New(cfg Config) *Server {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.ReadHeaderTimeout == 0 {
		cfg.ReadHeaderTimeout = DefaultReadHeaderTimeout
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.MaxHeaderBytes == 0 {
		cfg.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Server{cfg: cfg, caps: newClientCaps(cfg.MaxConnsPerClient)}
}

// Start listens on the configured address (after a Kill, on the address
// it had) and serves in the background.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return ErrRunning
	}
	addr := s.cfg.Addr
	if s.addr != "" {
		addr = s.addr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s: %w", s.cfg.Name, err)
	}
	s.addr = ln.Addr().String()
	c := s.cfg
	s.srv = &http.Server{Handler: c.Handler, ReadHeaderTimeout: c.ReadHeaderTimeout, ReadTimeout: c.ReadTimeout,
		WriteTimeout: c.WriteTimeout, IdleTimeout: c.IdleTimeout, MaxHeaderBytes: c.MaxHeaderBytes,
		ErrorLog: slog.NewLogLogger(c.Log.Handler(), slog.LevelDebug)}
	srv := s.srv
	go func() { _ = srv.Serve(s.caps.wrap(ln)) }()
	c.Log.Info(c.Name+" listening", "url", "http://"+s.addr)
	return nil
}

// Addr returns "host:port" once started.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// URL returns "http://host:port" once started.
func (s *Server) URL() string { return "http://" + s.Addr() }

// Alive reports whether the server is serving.
func (s *Server) Alive() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.srv != nil
}

// Rejected counts connections closed at the per-client cap.
func (s *Server) Rejected() int64 { return s.caps.rejected.Load() }

func (s *Server) take() *http.Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	srv := s.srv
	s.srv = nil
	return srv
}

// Kill closes the listener and every open connection at once.
func (s *Server) Kill() error {
	if srv := s.take(); srv != nil {
		return srv.Close()
	}
	return nil
}

// Close shuts down gracefully within ctx, then closes what is still open.
func (s *Server) Close(ctx context.Context) error {
	srv := s.take()
	if srv == nil {
		return nil
	}
	if err := srv.Shutdown(ctx); err != nil {
		_ = srv.Close() // connections still busy when ctx ended
		return err
	}
	return nil
}
