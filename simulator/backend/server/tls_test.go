package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/quic-go/quic-go"
	"github.com/quic-go/quic-go/http3"
)

// TestTLSAndHTTP3: with a self-signed certificate the server answers
// HTTPS over TCP (announcing HTTP/3 in Alt-Svc) and HTTP/3 over UDP on
// the same port; Kill stops both.
func TestTLSAndHTTP3(t *testing.T) {
	cfg, pemCert, err := SelfSigned([]string{"127.0.0.1"}, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{Name: "edge", TLS: cfg, HTTP3: true, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Proto)
	})})
	if err := s.Start(); err != nil {
		t.Skipf("skipping: %v", err)
	}
	defer s.Kill()
	if !strings.HasPrefix(s.URL(), "https://") {
		t.Fatalf("URL() = %s; want https", s.URL())
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemCert) {
		t.Fatal("the certificate PEM does not parse")
	}
	tlsCfg := &tls.Config{RootCAs: pool}
	tcp := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsCfg, ForceAttemptHTTP2: true}, Timeout: 10 * time.Second}
	h3 := &http3.Transport{TLSClientConfig: tlsCfg, QUICConfig: &quic.Config{HandshakeIdleTimeout: time.Second}}
	defer h3.Close()
	quic := &http.Client{Transport: h3, Timeout: 10 * time.Second}
	for _, tc := range []struct {
		name   string
		client *http.Client
		proto  string
	}{{"tcp", tcp, "HTTP/2.0"}, {"quic", quic, "HTTP/3.0"}} {
		resp, err := tc.client.Get(s.URL() + "/x")
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != tc.proto {
			t.Errorf("%s: served over %s; want %s", tc.name, body, tc.proto)
		}
		if tc.name == "tcp" && !strings.Contains(resp.Header.Get("Alt-Svc"), `h3=":`) {
			t.Errorf("no h3 in Alt-Svc: %q", resp.Header.Get("Alt-Svc"))
		}
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	h3.CloseIdleConnections()
	if _, err := quic.Get(s.URL() + "/x"); err == nil {
		t.Errorf("HTTP/3 still answers after Close")
	}
}
