package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/quic-go/quic-go"
	"github.com/quic-go/quic-go/http3"
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
	// TLS serves HTTPS (HTTP/2 and HTTP/1.1 by ALPN) when set.
	TLS *tls.Config
	// HTTP3 also serves HTTP/3 (QUIC, quic-go) on the same port over UDP
	// and announces it in an Alt-Svc header of the TCP responses; it
	// needs TLS. QUIC connections idle out after IdleTimeout and carry at
	// most MaxStreamsPerConn concurrent requests.
	HTTP3 bool
}

// MaxStreamsPerConn bounds the concurrent requests of one HTTP/3
// connection (the per-client limit QUIC has instead of a TCP
// connection cap).
const MaxStreamsPerConn = 100

// Server is an HTTP listener that can be started, killed and restarted.
type Server struct {
	cfg Config

	mu   sync.Mutex
	srv  *http.Server
	h3   *http3.Server // nil without HTTP3
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
	handler := c.Handler
	if c.HTTP3 && c.TLS != nil {
		pc, err := net.ListenPacket("udp", s.addr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("%s: HTTP/3: %w", c.Name, err)
		}
		s.h3 = &http3.Server{Handler: c.Handler, TLSConfig: http3.ConfigureTLSConfig(c.TLS.Clone()), IdleTimeout: c.IdleTimeout,
			MaxHeaderBytes: c.MaxHeaderBytes, QUICConfig: &quic.Config{MaxIdleTimeout: c.IdleTimeout, MaxIncomingStreams: MaxStreamsPerConn,
				HandshakeIdleTimeout: c.ReadHeaderTimeout}}
		h3 := s.h3
		go func() { _ = h3.Serve(pc) }()
		handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_ = h3.SetQUICHeaders(w.Header())
			c.Handler.ServeHTTP(w, r)
		})
	}
	s.srv = &http.Server{Handler: handler, ReadHeaderTimeout: c.ReadHeaderTimeout, ReadTimeout: c.ReadTimeout,
		WriteTimeout: c.WriteTimeout, IdleTimeout: c.IdleTimeout, MaxHeaderBytes: c.MaxHeaderBytes,
		ErrorLog: slog.NewLogLogger(c.Log.Handler(), slog.LevelDebug)}
	if c.TLS != nil {
		s.srv.TLSConfig = c.TLS.Clone() // net/http writes its ALPN list into it; servers share the caller's
	}
	srv, capped := s.srv, s.caps.wrap(ln)
	if c.TLS != nil {
		go func() { _ = srv.ServeTLS(capped, "", "") }()
	} else {
		go func() { _ = srv.Serve(capped) }()
	}
	c.Log.Info(c.Name+" listening", "url", s.scheme()+"://"+s.addr, "http3", s.h3 != nil)
	return nil
}

func (s *Server) scheme() string {
	if s.cfg.TLS != nil {
		return "https"
	}
	return "http"
}

// Addr returns "host:port" once started.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// URL returns "http://host:port" (https with TLS) once started.
func (s *Server) URL() string { return s.scheme() + "://" + s.Addr() }

// Alive reports whether the server is serving.
func (s *Server) Alive() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.srv != nil
}

// Rejected counts connections closed at the per-client cap.
func (s *Server) Rejected() int64 { return s.caps.rejected.Load() }

func (s *Server) take() (*http.Server, *http3.Server) {
	s.mu.Lock()
	defer s.mu.Unlock()
	srv, h3 := s.srv, s.h3
	s.srv, s.h3 = nil, nil
	return srv, h3
}

// Kill closes the listener and every open connection at once.
func (s *Server) Kill() error {
	srv, h3 := s.take()
	if h3 != nil {
		_ = h3.Close()
	}
	if srv != nil {
		return srv.Close()
	}
	return nil
}

// Close shuts down gracefully within ctx, then closes what is still open.
func (s *Server) Close(ctx context.Context) error {
	srv, h3 := s.take()
	if h3 != nil {
		if err := h3.Shutdown(ctx); err != nil {
			_ = h3.Close()
		}
	}
	if srv == nil {
		return nil
	}
	if err := srv.Shutdown(ctx); err != nil {
		_ = srv.Close() // connections still busy when ctx ended
		return err
	}
	return nil
}
