package server

import (
	"net"
	"sync"
	"sync/atomic"
)

// clientCaps counts open connections per client IP.
type clientCaps struct {
	max      int
	rejected atomic.Int64

	mu   sync.Mutex
	open map[string]int
}

func newClientCaps(max int) *clientCaps { return &clientCaps{max: max, open: map[string]int{}} }

func (c *clientCaps) wrap(ln net.Listener) net.Listener {
	if c.max <= 0 {
		return ln
	}
	return &capListener{Listener: ln, caps: c}
}

func (c *clientCaps) acquire(ip string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open[ip] >= c.max {
		return false
	}
	c.open[ip]++
	return true
}

func (c *clientCaps) release(ip string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open[ip]--; c.open[ip] <= 0 {
		delete(c.open, ip)
	}
}

type capListener struct {
	net.Listener
	caps *clientCaps
}

// Accept closes connections beyond the cap without handing them to the
// HTTP server, so they never hold a handler or a request slot.
func (l *capListener) Accept() (net.Conn, error) {
	for {
		conn, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := hostOf(conn.RemoteAddr())
		if l.caps.acquire(ip) {
			return &capConn{Conn: conn, release: func() { l.caps.release(ip) }}, nil
		}
		l.caps.rejected.Add(1)
		_ = conn.Close()
	}
}

type capConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *capConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}

func hostOf(a net.Addr) string {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.IP.String()
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}
