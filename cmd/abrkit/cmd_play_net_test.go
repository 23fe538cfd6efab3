package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quic-go/quic-go/http3"

	"github.com/abrkit/abrkit/simulator/backend"
)

// TestPlayHTTP3 plays ffmpeg-made HLS from an HTTPS server that announces
// HTTP/3 in Alt-Svc: with --http3 alt-svc most requests arrive over QUIC.
func TestPlayHTTP3(t *testing.T) {
	content, err := filepath.Abs("../../testdata/content")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(content, "hls", "master.m3u8")); err != nil {
		t.Skipf("skipping: no content in %s (run 'make content'; needs ffmpeg)", content)
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Skipf("skipping: no UDP on loopback: %v", err)
	}
	_, port, _ := net.SplitHostPort(pc.LocalAddr().String())
	var h2, h3 atomic.Int64
	files := http.FileServer(http.Dir(content))
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor == 3 {
			h3.Add(1)
		} else {
			h2.Add(1)
		}
		w.Header().Set("Alt-Svc", `h3=":`+port+`"; ma=60`)
		files.ServeHTTP(w, r)
	})
	ts := httptest.NewUnstartedServer(handler)
	ts.EnableHTTP2 = true
	ts.Config.ReadTimeout, ts.Config.WriteTimeout = 10*time.Second, 30*time.Second
	ts.StartTLS()
	srv := &http3.Server{Handler: handler, TLSConfig: http3.ConfigureTLSConfig(&tls.Config{Certificates: ts.TLS.Certificates}), IdleTimeout: 10 * time.Second}
	go srv.Serve(pc)
	t.Cleanup(func() { srv.Close(); pc.Close(); ts.Close() })
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	rep := playJSON(t, "play", ts.URL+"/hls/master.m3u8", "--http3", "alt-svc", "--ca", ca, "--speed", "8", "--format", "json", "--quiet")
	t.Logf("HTTP/2 requests %d, HTTP/3 requests %d; startup %.2fs, stalls %d", h2.Load(), h3.Load(), rep.QoE.StartupSeconds, rep.QoE.Stalls)
	if !rep.QoE.Started || rep.Stopped != "ended" || rep.QoE.Stalls != 0 {
		t.Errorf("started %v stopped %q stalls %d; want a whole session without stalls", rep.QoE.Started, rep.Stopped, rep.QoE.Stalls)
	}
	if h3.Load() < 10 || h2.Load() > 2 {
		t.Errorf("%d requests over HTTP/3 and %d over HTTP/2; want the first over HTTP/2 and the rest over HTTP/3", h3.Load(), h2.Load())
	}
}

func TestPlayNetFlagErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.pem")
	if err := os.WriteFile(bad, []byte("not a certificate"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"play", "https://127.0.0.1:1/m.m3u8", "--http3", "sometimes"}, 2},
		{[]string{"play", "https://127.0.0.1:1/m.m3u8", "--ca", bad}, 2},
	} {
		var out, errOut bytes.Buffer
		if code := run(tc.args, &out, &errOut); code != tc.code {
			t.Errorf("%v: exit %d; want %d\n%s", tc.args, code, tc.code, errOut.String())
		}
	}
}

// TestPlayHTTP3FromServe plays a title of the reference backend whose
// edges serve HTTPS and HTTP/3 (serve --tls-cert): through the playback
// API, trusting the certificate serve wrote, over HTTP/3 from the first
// edge request: the API's answer marks the edges h3.
func TestPlayHTTP3FromServe(t *testing.T) {
	ctx := context.Background()
	b, err := backend.Start(ctx, backend.Options{Topology: twoEdgeTopology(t), TLS: true})
	if err != nil {
		t.Skipf("skipping: backend with TLS and HTTP/3: %v", err)
	}
	t.Cleanup(func() { b.Close(ctx) })
	ca := filepath.Join(t.TempDir(), "edges.pem")
	if err := os.WriteFile(ca, b.CertPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	rep := playJSON(t, "play", "--gateway", b.GatewayURL(), "--title", "t1", "--http3", "alt-svc", "--ca", ca,
		"--speed", "8", "--format", "json", "--quiet")
	var h3, all int64
	for _, e := range b.Edges {
		n, _ := e.Counters()
		all += n
		h3 += e.HTTP3Requests()
	}
	t.Logf("edge requests %d, over HTTP/3 %d; startup %.2fs, stalls %d", all, h3, rep.QoE.StartupSeconds, rep.QoE.Stalls)
	if !rep.QoE.Started || rep.Stopped != "ended" || rep.QoE.Stalls != 0 || all < 5 || h3 != all {
		t.Errorf("started %v stalls %d, %d of %d edge requests over HTTP/3; want a session all over HTTP/3",
			rep.QoE.Started, rep.QoE.Stalls, h3, all)
	}
}
