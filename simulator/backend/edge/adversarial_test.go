package edge

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"
)

type bigOrigin struct{ size int }

func (b bigOrigin) Fetch(context.Context, string, string) ([]byte, error) {
	return make([]byte, b.size), nil
}

// signal is a log handler that closes ch at the first record with msg.
type signal struct {
	msg string
	ch  chan struct{}
}

func (s *signal) Enabled(context.Context, slog.Level) bool { return true }
func (s *signal) Handle(_ context.Context, r slog.Record) error {
	if r.Message == s.msg {
		select {
		case <-s.ch:
		default:
			close(s.ch)
		}
	}
	return nil
}
func (s *signal) WithAttrs([]slog.Attr) slog.Handler { return s }
func (s *signal) WithGroup(string) slog.Handler      { return s }

// A viewer that never reads loses its connection at the write deadline,
// and with it the edge's slot (issue: 900 such clients held 500 of 512
// slots for a minute).
func TestAdversarialNeverReadingViewer(t *testing.T) {
	sig := &signal{msg: "viewer write failed", ch: make(chan struct{})}
	e, fc := newTestEdge(t, Config{Origin: bigOrigin{16 << 20}, MaxConnections: 1,
		WriteTimeout: 100 * time.Millisecond, MinSendRate: 1 << 20, Log: slog.New(sig)})
	path := e.cfg.Signer.Path("t1", "big.m4s", fc.Now().Add(time.Hour))
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	conn, err := d.Dial("tcp", strings.TrimPrefix(e.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-sig.ch:
	case <-time.After(20 * time.Second):
		t.Fatal("the edge kept writing to a viewer that never reads")
	}
	if n := e.active.Load(); n != 0 {
		t.Errorf("active requests after the write deadline = %d; want 0", n)
	}
	// The slot is free: another viewer is served.
	code, _, _ := get(t, e.URL()+e.cfg.Signer.Path("t1", "small.m4s", fc.Now().Add(time.Hour)))
	if code != http.StatusOK {
		t.Errorf("GET after the stalled viewer = %d; want 200", code)
	}
}

func TestAdversarialRanges(t *testing.T) {
	e, fc := newTestEdge(t, Config{})
	u := e.URL() + e.cfg.Signer.Path("t1", "v1/seg_1.m4s", fc.Now().Add(time.Hour))
	tests := []struct {
		rng  string
		want int
	}{
		{"bytes=-0", http.StatusRequestedRangeNotSatisfiable},
		{"bytes=-00", http.StatusRequestedRangeNotSatisfiable},
		{"bytes=-1", http.StatusPartialContent},
		{"bytes=0-3", http.StatusPartialContent},
		{"bytes=1000-", http.StatusRequestedRangeNotSatisfiable},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest("GET", u, nil)
		req.Header.Set("Range", tt.rng)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("Range %s = %d (Content-Range %q); want %d", tt.rng, resp.StatusCode, resp.Header.Get("Content-Range"), tt.want)
		}
	}
}

func TestAdversarialExpirySpellings(t *testing.T) {
	e, fc := newTestEdge(t, Config{})
	good := e.cfg.Signer.Path("t1", "a.m4s", fc.Now().Add(time.Hour))
	parts := strings.SplitN(good, "/", 4) // "", "s", exp, rest
	for _, exp := range []string{"+" + parts[2], "0" + parts[2]} {
		if code, _, _ := get(t, e.URL()+"/s/"+exp+"/"+parts[3]); code == http.StatusOK {
			t.Errorf("GET with expiry %q = 200; want refused", exp)
		}
	}
	if code, _, _ := get(t, e.URL()+good); code != http.StatusOK {
		t.Errorf("GET canonical = %d; want 200", code)
	}
}

// Browser players send CMCD as headers: the preflight must allow them.
func TestAdversarialPreflight(t *testing.T) {
	e, fc := newTestEdge(t, Config{})
	u := e.URL() + e.cfg.Signer.Path("t1", "a.m4s", fc.Now().Add(time.Hour))
	req, _ := http.NewRequest("OPTIONS", u, nil)
	req.Header.Set("Origin", "https://player.example")
	req.Header.Set("Access-Control-Request-Method", "GET")
	req.Header.Set("Access-Control-Request-Headers", "cmcd-request,cmcd-object,cmcd-status,cmcd-session,range")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	allow := strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers"))
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") == "" {
		t.Fatalf("preflight = %d %v; want 204 with Access-Control-Allow-Origin", resp.StatusCode, resp.Header)
	}
	for _, h := range []string{"cmcd-request", "cmcd-object", "cmcd-status", "cmcd-session", "range"} {
		if !strings.Contains(allow, h) {
			t.Errorf("Access-Control-Allow-Headers %q lacks %s", allow, h)
		}
	}
}

func TestAdversarialCMCDCounted(t *testing.T) {
	e, fc := newTestEdge(t, Config{})
	p := e.cfg.Signer.Path("t1", "v1/seg_1.m4s", fc.Now().Add(time.Hour))
	for _, q := range []string{`ot=v,bs,sid="s1"`, `ot=v,sid="s1"`, `ot=a,sid="s2"`, `ot=zz`} {
		if code, _, _ := get(t, e.URL()+p+"?CMCD="+urlQuery(q)); code != 200 {
			t.Fatalf("GET with CMCD %s = %d", q, code)
		}
	}
	adm := httptest.NewServer(e.AdminHandler())
	defer adm.Close()
	_, m, _ := get(t, adm.URL+"/metrics")
	for _, want := range []string{
		`abrkit_edge_cmcd_requests_total{bs="true",edge="eu-1",ot="v",region="eu"} 1`,
		`abrkit_edge_cmcd_requests_total{bs="false",edge="eu-1",ot="v",region="eu"} 1`,
		`abrkit_edge_cmcd_requests_total{bs="false",edge="eu-1",ot="a",region="eu"} 1`,
		`abrkit_edge_cmcd_requests_total{bs="false",edge="eu-1",ot="other",region="eu"} 1`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	r := e.Snapshot()
	if r.Sessions != 2 || r.Starved != 1 || r.CMCDRequests != 4 {
		t.Errorf("report sessions %d, starved %d, cmcd requests %d; want 2, 1, 4", r.Sessions, r.Starved, r.CMCDRequests)
	}
}

func urlQuery(s string) string {
	return strings.NewReplacer(`"`, "%22", ",", "%2C", "=", "%3D").Replace(s)
}

func FuzzEmptySuffixRange(f *testing.F) {
	for _, s := range []string{"bytes=-0", "bytes=-00, -0", "bytes=-1", "bytes=0-", "bytes=", "bytes=-", "items=-0", " bytes=-0 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		if !emptySuffixRange(h) {
			return
		}
		spec, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
		if !ok || strings.ContainsAny(spec, "123456789") || !strings.Contains(spec, "-0") {
			t.Fatalf("emptySuffixRange(%q) = true for a range that is not an empty suffix", h)
		}
	})
}
