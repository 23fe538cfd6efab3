package transport

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/abrkit/abrkit/clock"
)

// HTTP3 modes of HTTPConfig.HTTP3Mode.
const (
	// HTTP3AltSvc uses HTTP/3 for an https origin once one of its TCP
	// responses announced it in an Alt-Svc header (h3), as browsers do.
	HTTP3AltSvc = "alt-svc"
	// HTTP3Always tries HTTP/3 first for every https URL.
	HTTP3Always = "always"
)

// h3Retry is how long an origin whose HTTP/3 failed is asked over TCP only.
const h3Retry = 5 * time.Minute

// maxAltSvcHosts bounds the origins remembered (hostile headers cannot
// grow the map without limit).
const maxAltSvcHosts = 1024

// h3Switch sends https requests over HTTP/3 where an origin offers it
// and over TCP (HTTP/1.1 or HTTP/2) otherwise, falling back to TCP, for
// a while, when HTTP/3 fails.
type h3Switch struct {
	tcp, h3 http.RoundTripper
	always  bool
	clk     clock.Clock

	mu    sync.Mutex
	alt   map[string]string    // origin host:port -> HTTP/3 host:port announced
	until map[string]time.Time // origin -> TCP only until then
}

func newH3Switch(tcp, h3 http.RoundTripper, mode string, clk clock.Clock) *h3Switch {
	return &h3Switch{tcp: tcp, h3: h3, always: mode == HTTP3Always, clk: clk, alt: map[string]string{}, until: map[string]time.Time{}}
}

// RoundTrip implements http.RoundTripper.
func (s *h3Switch) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "https" {
		return s.tcp.RoundTrip(req)
	}
	origin := hostPort(req.URL.Host)
	if target, ok := s.target(origin); ok {
		r := req
		if target != origin {
			r = req.Clone(req.Context())
			r.URL.Host, r.Host = target, req.Host
			if r.Host == "" {
				r.Host = req.URL.Host
			}
		}
		resp, err := s.h3.RoundTrip(r)
		if err == nil || req.Context().Err() != nil || (req.Body != nil && req.GetBody == nil) {
			return resp, err
		}
		s.mu.Lock()
		s.until[origin] = s.clk.Now().Add(h3Retry)
		s.mu.Unlock()
		if req.Body != nil {
			body, gerr := req.GetBody()
			if gerr != nil {
				return nil, err
			}
			req = req.Clone(req.Context())
			req.Body = body
		}
	}
	resp, err := s.tcp.RoundTrip(req)
	if err == nil {
		if v := resp.Header.Get("Alt-Svc"); v != "" {
			s.learn(origin, v)
		}
	}
	return resp, err
}

// target is where an HTTP/3 request for origin goes, if it goes.
func (s *h3Switch) target(origin string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.until[origin]; ok {
		if s.clk.Now().Before(t) {
			return "", false
		}
		delete(s.until, origin)
	}
	if a, ok := s.alt[origin]; ok {
		return a, true
	}
	return origin, s.always
}

// learn records the h3 alternative of an Alt-Svc header value (RFC 7838),
// or forgets it on "clear".
func (s *h3Switch) learn(origin, header string) {
	alt, clear := parseAltSvc(origin, header)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case clear:
		delete(s.alt, origin)
	case alt != "" && (len(s.alt) < maxAltSvcHosts || s.alt[origin] != ""):
		s.alt[origin] = alt
	}
}

// parseAltSvc finds the first h3 alternative of an Alt-Svc value for
// origin (host:port): the same host at the port given, or another host
// of the same registered name is not followed (only same-host
// alternatives are used, so a header cannot send requests elsewhere).
func parseAltSvc(origin, header string) (alt string, clear bool) {
	if len(header) > 4096 {
		return "", false
	}
	if strings.TrimSpace(header) == "clear" {
		return "", true
	}
	host, _, _ := net.SplitHostPort(origin)
	for _, entry := range strings.Split(header, ",") {
		proto, rest, ok := strings.Cut(strings.TrimSpace(entry), "=")
		if !ok || strings.TrimSpace(proto) != "h3" {
			continue
		}
		authority, _, _ := strings.Cut(rest, ";")
		authority = strings.Trim(strings.TrimSpace(authority), `"`)
		h, p, err := net.SplitHostPort(authority)
		if err != nil || (h != "" && h != host) {
			continue
		}
		if n, err := strconv.Atoi(p); err != nil || n <= 0 || n > 65535 {
			continue
		}
		return net.JoinHostPort(host, p), false
	}
	return "", false
}

// hostPort adds the https default port to a URL host without one.
func hostPort(h string) string {
	if _, _, err := net.SplitHostPort(h); err == nil {
		return h
	}
	return net.JoinHostPort(strings.Trim(h, "[]"), "443")
}

// CloseIdleConnections closes idle connections of both transports.
func (s *h3Switch) CloseIdleConnections() {
	for _, rt := range []http.RoundTripper{s.tcp, s.h3} {
		if c, ok := rt.(interface{ CloseIdleConnections() }); ok {
			c.CloseIdleConnections()
		}
	}
}
