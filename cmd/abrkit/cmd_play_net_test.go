package main

import (
	"bytes"
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
