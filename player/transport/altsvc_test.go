package transport

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quic-go/quic-go/http3"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/player/transport/h3"
)

func TestParseAltSvc(t *testing.T) {
	tests := []struct {
		name, header, alt string
		clear             bool
	}{
		{"same port", `h3=":443"; ma=86400`, "a.example:443", false},
		{"other port", `h2=":443", h3=":8443"`, "a.example:8443", false},
		{"draft versions skipped", `h3-29=":443", h3=":444"`, "a.example:444", false},
		{"same host named", `h3="a.example:9000"`, "a.example:9000", false},
		{"other host refused", `h3="evil.example:443"`, "", false},
		{"bad port", `h3=":99999"`, "", false},
		{"no h3", `h2=":443"`, "", false},
		{"clear", ` clear `, "", true},
		{"garbage", `h3`, "", false},
	}
	names, inputs := make([]string, len(tests)), make([]string, len(tests))
	for i, tc := range tests {
		names[i], inputs[i] = tc.name, tc.header
		alt, clear := parseAltSvc("a.example:443", tc.header)
		if alt != tc.alt || clear != tc.clear {
			t.Errorf("%s: parseAltSvc(%q) = %q, %v; want %q, %v", tc.name, tc.header, alt, clear, tc.alt, tc.clear)
		}
	}
	checkSeeds(t, "FuzzParseAltSvc", names, inputs)
}

func FuzzParseAltSvc(f *testing.F) {
	f.Add(`h3=":443"; ma=86400`)
	f.Fuzz(func(t *testing.T, header string) {
		alt, clear := parseAltSvc("a.example:443", header)
		if alt != "" && (clear || !strings.HasPrefix(alt, "a.example:")) {
			t.Fatalf("parseAltSvc(%q) = %q, %v: an alternative on another host", header, alt, clear)
		}
	})
}

// h3Pair is an HTTPS origin over TCP (HTTP/2) that announces an HTTP/3
// server on the same loopback address, both with one test certificate.
type h3Pair struct {
	tcp   *httptest.Server
	h3    *http3.Server
	pc    net.PacketConn
	roots *x509.CertPool

	mu     sync.Mutex
	protos []string
}

func newH3Pair(t *testing.T) *h3Pair {
	t.Helper()
	p := &h3Pair{}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Skipf("skipping: no UDP on loopback: %v", err)
	}
	p.pc = pc
	_, port, _ := net.SplitHostPort(pc.LocalAddr().String())
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.protos = append(p.protos, r.Proto)
		p.mu.Unlock()
		w.Header().Set("Alt-Svc", `h3=":`+port+`"; ma=60`)
		w.Write(bytes.Repeat([]byte("x"), 1000))
	})
	p.tcp = httptest.NewUnstartedServer(handler)
	p.tcp.EnableHTTP2 = true
	p.tcp.StartTLS()
	p.roots = x509.NewCertPool()
	p.roots.AddCert(p.tcp.Certificate())
	p.h3 = &http3.Server{Handler: handler, TLSConfig: http3.ConfigureTLSConfig(&tls.Config{Certificates: p.tcp.TLS.Certificates}),
		IdleTimeout: 5 * time.Second}
	go p.h3.Serve(pc)
	t.Cleanup(func() {
		p.h3.Close()
		pc.Close()
		p.tcp.Close()
	})
	return p
}

func (p *h3Pair) seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.protos...)
}

// TestHTTP3AfterAltSvc: the first request goes over TCP and learns the
// Alt-Svc; the next ones go over HTTP/3; when the HTTP/3 server is gone
// the request is sent again over TCP and succeeds.
func TestHTTP3AfterAltSvc(t *testing.T) {
	p := newH3Pair(t)
	tlsCfg := &tls.Config{RootCAs: p.roots}
	clk := clock.NewFake(time.Unix(0, 0))
	f := NewHTTP(HTTPConfig{MaxAttempts: 1, TLSConfig: tlsCfg, HTTP3: h3.New(tlsCfg, 2*time.Second), Clock: clk})
	defer f.CloseIdleConnections()
	get := func() {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		res, err := f.Fetch(ctx, &Request{URL: p.tcp.URL + "/seg.m4s", Kind: KindMedia}, nil)
		if err != nil || res.Status != 200 || res.Bytes != 1000 {
			t.Fatalf("Fetch = %+v, %v; want 200 and 1000 bytes", res, err)
		}
	}
	get()
	get()
	get()
	if got := strings.Join(p.seen(), " "); got != "HTTP/2.0 HTTP/3.0 HTTP/3.0" {
		t.Fatalf("protocols seen by the servers: %s; want HTTP/2.0 then HTTP/3.0 twice", got)
	}
	p.h3.Close()
	p.pc.Close()
	f.CloseIdleConnections()
	get() // HTTP/3 fails; sent again over TCP
	get() // TCP only for a while
	if got := p.seen(); len(got) != 5 || got[3] != "HTTP/2.0" || got[4] != "HTTP/2.0" {
		t.Errorf("after the HTTP/3 server went away: %v; want two more over HTTP/2", got)
	}
}

// TestHTTP3Always tries HTTP/3 on the first request.
func TestHTTP3Always(t *testing.T) {
	p := newH3Pair(t)
	_, port, _ := net.SplitHostPort(p.pc.LocalAddr().String())
	tlsCfg := &tls.Config{RootCAs: p.roots}
	f := NewHTTP(HTTPConfig{MaxAttempts: 1, TLSConfig: tlsCfg, HTTP3: h3.New(tlsCfg, 2*time.Second), HTTP3Mode: HTTP3Always})
	defer f.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if res, err := f.Fetch(ctx, &Request{URL: "https://127.0.0.1:" + port + "/a", Kind: KindMedia}, nil); err != nil || res.Bytes != 1000 {
		t.Fatalf("Fetch = %+v, %v", res, err)
	}
	if got := p.seen(); len(got) != 1 || got[0] != "HTTP/3.0" {
		t.Errorf("protocols seen: %v; want one HTTP/3.0", got)
	}
}
