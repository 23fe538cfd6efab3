package edge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/simulator/backend/faults"
	"github.com/abrkit/abrkit/simulator/backend/origin"
	"github.com/abrkit/abrkit/simulator/backend/signing"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func fillOf(n int) func(context.Context) ([]byte, error) {
	return func(context.Context) ([]byte, error) { return make([]byte, n), nil }
}

func TestCacheLRU(t *testing.T) {
	c := NewCache(100)
	ctx := context.Background()
	steps := []struct {
		title, file string
		size        int
		want        Outcome
	}{
		{"t1", "a", 40, Miss},
		{"t1", "b", 40, Miss},
		{"t1", "a", 40, Hit},  // a is now most recent
		{"t2", "c", 40, Miss}, // evicts b
		{"t1", "b", 40, Miss},
		{"t1", "a", 40, Miss}, // a was evicted by b's refill (LRU: c, b remain)
		{"t3", "huge", 500, Miss},
		{"t3", "huge", 500, Miss}, // too big to keep
	}
	for i, s := range steps {
		_, out, err := c.Get(ctx, s.title, s.file, fillOf(s.size))
		if err != nil || out != s.want {
			t.Errorf("step %d: Get(%s/%s) = %v, %v; want %v", i, s.title, s.file, out, err, s.want)
		}
	}
	st := c.Stats()
	if st.Bytes > 100 || st.Items != 2 || st.Evictions != 3 {
		t.Errorf("Stats() = %+v; want <= 100 bytes, 2 items, 3 evictions", st)
	}
	if got := c.Titles(); strings.Join(got, ",") != "t1,t2" && strings.Join(got, ",") != "t1" {
		t.Errorf("Titles() = %v", got)
	}
	_, _, err := c.Get(ctx, "t9", "x", func(context.Context) ([]byte, error) { return nil, origin.ErrNotFound })
	if !errors.Is(err, origin.ErrNotFound) {
		t.Errorf("Get with a failing fill = %v; want ErrNotFound", err)
	}
	if _, out, _ := c.Get(ctx, "t9", "x", fillOf(1)); out != Miss {
		t.Errorf("Get after a failed fill = %v; want Miss (errors are not cached)", out)
	}
	c.Purge()
	if st := c.Stats(); st.Bytes != 0 || st.Items != 0 || len(c.Titles()) != 0 {
		t.Errorf("after Purge: %+v %v", st, c.Titles())
	}
}

func TestCacheCoalesces(t *testing.T) {
	c := NewCache(1 << 20)
	var fills atomic.Int32
	release := make(chan struct{})
	started := make(chan struct{})
	fill := func(context.Context) ([]byte, error) {
		fills.Add(1)
		close(started)
		<-release
		return []byte("data"), nil
	}
	var wg sync.WaitGroup
	outs := make([]Outcome, 5)
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, outs[0], _ = c.Get(context.Background(), "t", "f", fill)
	}()
	<-started
	for i := 1; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, outs[i], _ = c.Get(context.Background(), "t", "f", fill)
		}()
	}
	// Wait until the four followers are parked on the fill.
	for c.Stats().Coalesced < 4 {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	if fills.Load() != 1 {
		t.Errorf("fills = %d; want 1", fills.Load())
	}
	if outs[0] != Miss {
		t.Errorf("first outcome = %v; want miss", outs[0])
	}
	for i := 1; i < 5; i++ {
		if outs[i] != Coalesced {
			t.Errorf("outcome %d = %v; want coalesced", i, outs[i])
		}
	}
}

func TestPace(t *testing.T) {
	tests := []struct {
		next  time.Duration
		n     int
		share float64
		want  time.Duration
	}{
		{0, 1000, 1000, time.Second},
		{-time.Second, 500, 1000, 490 * time.Millisecond}, // idle time is banked up to maxCredit only
		{-5 * time.Millisecond, 500, 1000, 495 * time.Millisecond},
		{2 * time.Second, 1000, 2000, 2500 * time.Millisecond},
		{0, 1000, 0, 0}, // unlimited
	}
	for _, tt := range tests {
		if got := Pace(t0, t0.Add(tt.next), tt.n, tt.share).Sub(t0); got != tt.want {
			t.Errorf("Pace(next %v, %d B, %v B/s) = +%v; want +%v", tt.next, tt.n, tt.share, got, tt.want)
		}
	}
	l := NewLink(8000)
	l.open()
	l.open()
	if got := l.Share(); got != 500 {
		t.Errorf("Share() with 2 transfers on 1000 B/s = %v; want 500", got)
	}
}

type blockingOrigin struct {
	entered chan struct{}
	release chan struct{}
}

func (b *blockingOrigin) Fetch(ctx context.Context, title, file string) ([]byte, error) {
	if file == "missing.m4s" {
		return nil, fmt.Errorf("%w", origin.ErrNotFound)
	}
	if file == "broken.m4s" {
		return nil, errors.New("origin down")
	}
	if b.entered != nil && file == "slow.m4s" {
		b.entered <- struct{}{}
		<-b.release
	}
	return []byte("payload-" + title + "-" + file), nil
}

func newTestEdge(t *testing.T, cfg Config) (*Edge, *clock.Fake) {
	t.Helper()
	fc := clock.NewFake(t0)
	cfg.ID, cfg.Region, cfg.Clock = "eu-1", "eu", fc
	if cfg.Signer == nil {
		cfg.Signer = signing.New("k")
	}
	if cfg.Origin == nil {
		cfg.Origin = &blockingOrigin{}
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close(context.Background()) })
	return e, fc
}

func get(t *testing.T, url string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestEdgeServe(t *testing.T) {
	e, _ := newTestEdge(t, Config{})
	s := signing.New("k")
	p := func(f string) string { return e.URL() + s.Path("t1", f, t0.Add(time.Hour)) }
	tests := []struct {
		name, url string
		code      int
		body      string
	}{
		{"miss", p("v1/seg_1.m4s"), 200, "payload-t1-v1/seg_1.m4s"},
		{"hit", p("v1/seg_1.m4s"), 200, "payload-t1-v1/seg_1.m4s"},
		{"not found", p("missing.m4s"), 404, ""},
		{"origin error", p("broken.m4s"), 502, ""},
		{"forged", strings.Replace(p("a.m4s"), "/t1/", "/t2/", 1), 403, ""},
		{"expired", e.URL() + s.Path("t1", "a.m4s", t0), 403, ""},
		{"traversal", e.URL() + "/s/1/x/t1/../../etc/passwd", 400, ""},
		{"healthz", e.URL() + "/healthz", 200, "ok\n"},
	}
	for _, tt := range tests {
		code, body, _ := get(t, tt.url)
		if code != tt.code || (tt.body != "" && body != tt.body) {
			t.Errorf("%s: GET = %d %q; want %d %q", tt.name, code, body, tt.code, tt.body)
		}
	}
	if st := e.Cache().Stats(); st.Hits != 1 || st.Misses != 3 {
		t.Errorf("cache stats = %+v; want 1 hit, 3 misses", st)
	}
	resp, err := http.Post(p("v1/seg_1.m4s"), "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST = %d; want 405", resp.StatusCode)
	}
	for _, path := range []string{"/load", "/metrics"} {
		if code, _, _ := get(t, e.URL()+path); code != http.StatusBadRequest {
			t.Errorf("GET %s on the public address = %d; want 400 (not served there)", path, code)
		}
	}
	adm := httptest.NewServer(e.AdminHandler())
	defer adm.Close()
	var rep Report
	_, body, _ := get(t, adm.URL+"/load")
	if err := json.Unmarshal([]byte(body), &rep); err != nil || rep.ID != "eu-1" || !rep.Healthy || len(rep.Titles) != 1 {
		t.Errorf("GET /load = %s (%v)", body, err)
	}
	if _, body, _ := get(t, adm.URL+"/metrics"); !strings.Contains(body, `abrkit_edge_cache_lookups_total{edge="eu-1",outcome="hit",region="eu"} 1`) {
		t.Errorf("metrics lack the hit counter:\n%s", body)
	}
}

func TestEdgeConnectionLimit(t *testing.T) {
	bo := &blockingOrigin{entered: make(chan struct{}, 1), release: make(chan struct{})}
	e, _ := newTestEdge(t, Config{MaxConnections: 1, Origin: bo})
	s := signing.New("k")
	slow := e.URL() + s.Path("t1", "slow.m4s", t0.Add(time.Hour))
	done := make(chan int)
	go func() {
		code, _, _ := get(t, slow)
		done <- code
	}()
	<-bo.entered
	code, _, h := get(t, e.URL()+s.Path("t1", "other.m4s", t0.Add(time.Hour)))
	if code != 503 || h.Get("Retry-After") == "" {
		t.Errorf("second request at the limit = %d (Retry-After %q); want 503 with Retry-After", code, h.Get("Retry-After"))
	}
	close(bo.release)
	if code := <-done; code != 200 {
		t.Errorf("first request = %d; want 200", code)
	}
}

func TestEdgeKillRestartImpair(t *testing.T) {
	var reports []Report
	e, fc := newTestEdge(t, Config{Report: func(r Report) { reports = append(reports, r) }})
	s := signing.New("k")
	u := e.URL() + s.Path("t1", "a.m4s", t0.Add(time.Hour))
	get(t, u)
	e.ReportNow()
	if err := e.Kill(); err != nil {
		t.Fatal(err)
	}
	e.ReportNow() // silent while killed
	if _, err := http.Get(u); err == nil {
		t.Error("GET on a killed edge succeeded")
	}
	fc.Advance(time.Second)
	if err := e.Restart(); err != nil {
		t.Fatal(err)
	}
	if code, _, h := get(t, u); code != 200 || h.Get("X-Cache") != "MISS" {
		t.Errorf("GET after restart = %d %s; want 200 MISS (cache emptied)", code, h.Get("X-Cache"))
	}
	e.ReportNow()
	if len(reports) != 2 || !reports[1].Healthy || reports[1].EgressBps <= 0 {
		t.Errorf("reports = %+v; want 2, the second with egress", reports)
	}
	e.Impair(faults.Impairment{ErrorRate: 1, Status: 500})
	if code, _, _ := get(t, u); code != 500 {
		t.Errorf("GET with error rate 1 = %d; want 500", code)
	}
	e.Impair(faults.Impairment{})
	if code, _, _ := get(t, u); code != 200 {
		t.Errorf("GET after clearing = %d; want 200", code)
	}
}

func TestHTTPReporter(t *testing.T) {
	got := make(chan bool, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- signing.VerifyReport("k", body, r.Header.Get(ReportHeader)) && strings.Contains(string(body), `"id":"eu-1"`)
	}))
	defer srv.Close()
	(&HTTPReporter{URL: srv.URL, Key: "k"}).Send(Report{ID: "eu-1"})
	if !<-got {
		t.Error("report arrived without a valid signature")
	}
}

func TestPacedWriter(t *testing.T) {
	l := NewLink(8000) // 1000 B/s
	l.open()
	var waits []time.Duration
	w := &pacedWriter{ResponseWriter: httptest.NewRecorder(), link: l, sleep: func(d time.Duration) bool {
		waits = append(waits, d)
		return true
	}}
	n, err := w.Write(make([]byte, 2*chunk))
	if n != 2*chunk || err != nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	// 64 KiB at 1000 B/s: the second chunk may start only ~65.5 s in.
	if len(waits) != 2 || waits[1] < 65*time.Second || waits[1] > 66*time.Second {
		t.Errorf("waits = %v; want 2, the last about 65.5s", waits)
	}
	l.open() // a second transfer halves the share
	waits = nil
	w.next = time.Time{}
	_, _ = w.Write(make([]byte, chunk))
	if len(waits) != 1 || waits[0] < 65*time.Second || waits[0] > 66*time.Second {
		t.Errorf("waits with two transfers = %v; want one of about 65.5s", waits)
	}
}
