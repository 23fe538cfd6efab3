package transport

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// content is a resource with recognisable bytes.
var content = func() []byte {
	b := make([]byte, 200_000)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}()

func serveContent(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("ETag", `"v1"`)
	http.ServeContent(w, r, "x.m4s", time.Time{}, bytes.NewReader(content))
}

// newFetcher returns a fetcher on a fake clock with a fixed jitter.
func newFetcher(cfg HTTPConfig) (*HTTPFetcher, *fakeClock) {
	clk := newFakeClock()
	cfg.Clock = clk
	if cfg.Jitter == nil {
		cfg.Jitter = func() float64 { return 0.5 }
	}
	if cfg.FirstByteTimeout == 0 {
		cfg.FirstByteTimeout = 5 * time.Second
	}
	if cfg.StallTimeout == 0 {
		cfg.StallTimeout = 5 * time.Second
	}
	return NewHTTP(cfg), clk
}

// statusSequence answers the statuses in turn, then serves content.
func statusSequence(hits *atomic.Int32, header http.Header, statuses ...int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n := int(hits.Add(1))
		if n <= len(statuses) {
			for k, v := range header {
				w.Header()[k] = v
			}
			w.WriteHeader(statuses[n-1])
			fmt.Fprintf(w, "error %d", statuses[n-1])
			return
		}
		serveContent(w, r)
	}
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name        string
		statuses    []int
		maxAttempts int
		wantHits    int
		wantStatus  int // of the error; 0 for success
	}{
		{"ok first", nil, 3, 1, 0},
		{"503 then ok", []int{503}, 3, 2, 0},
		{"two 5xx then ok", []int{500, 502}, 3, 3, 0},
		{"gives up", []int{503, 503, 503, 503}, 3, 3, 503},
		{"no retries", []int{503}, 1, 1, 503},
		{"404 not retried", []int{404}, 3, 1, 404},
		{"403 not retried", []int{403}, 3, 1, 403},
		{"410 not retried", []int{410}, 3, 1, 410},
		{"408 retried", []int{408}, 3, 2, 0},
		{"429 retried", []int{429}, 3, 2, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(statusSequence(&hits, nil, tc.statuses...))
			defer srv.Close()
			f, _ := newFetcher(HTTPConfig{MaxAttempts: tc.maxAttempts})
			url := srv.URL + "/v/seg-1.m4s"
			res, err := f.Fetch(context.Background(), &Request{URL: url, Kind: KindMedia}, nil)
			if got := int(hits.Load()); got != tc.wantHits {
				t.Errorf("server hits = %d; want %d", got, tc.wantHits)
			}
			if res == nil || res.Attempts != tc.wantHits {
				t.Fatalf("Result = %+v; want %d attempts", res, tc.wantHits)
			}
			if tc.wantStatus == 0 {
				if err != nil || res.Bytes != int64(len(content)) || res.Status != 200 {
					t.Fatalf("Fetch = %+v, %v; want 200 with %d bytes", res, err, len(content))
				}
				return
			}
			var he *HTTPError
			if !errors.As(err, &he) || he.Status != tc.wantStatus || he.URL != url {
				t.Fatalf("Fetch err = %v; want *HTTPError %d for %s", err, tc.wantStatus, url)
			}
			if !strings.Contains(err.Error(), url) {
				t.Fatalf("error %q does not name the URL", err)
			}
		})
	}
}

func TestBackoffFullJitter(t *testing.T) {
	tests := []struct {
		jitter float64
		want   []time.Duration // waits before retries 1..4
	}{
		{0, []time.Duration{0, 0, 0, 0}},
		{0.5, []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond, 200 * time.Millisecond}},
		{0.999, []time.Duration{99900 * time.Microsecond, 199800 * time.Microsecond, 399600 * time.Microsecond, 399600 * time.Microsecond}},
	}
	for _, tc := range tests {
		var hits atomic.Int32
		srv := httptest.NewServer(statusSequence(&hits, nil, 503, 503, 503, 503, 503))
		f, clk := newFetcher(HTTPConfig{MaxAttempts: 5, BackoffBase: 100 * time.Millisecond, BackoffMax: 400 * time.Millisecond,
			Jitter: func() float64 { return tc.jitter }})
		_, err := f.Fetch(context.Background(), &Request{URL: srv.URL}, nil)
		srv.Close()
		if err == nil {
			t.Fatal("Fetch succeeded; want 503")
		}
		got := clk.Sleeps()
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("jitter %v: waits = %v; want %v", tc.jitter, got, tc.want)
		}
		for n, w := range got {
			if w < 0 || w > f.Backoff(n+1) {
				t.Errorf("wait %d = %v outside [0, %v]", n+1, w, f.Backoff(n+1))
			}
		}
	}
}

func TestRetryAfter(t *testing.T) {
	date := newFakeClock().Now().Add(9 * time.Second).Format(http.TimeFormat)
	tests := []struct {
		name     string
		status   int
		value    string
		wantWait time.Duration
		wantErr  bool // Retry-After beyond MaxRetryAfter: no retry
	}{
		{"429 seconds", 429, "7", 7 * time.Second, false},
		{"408 seconds", 408, "2", 2 * time.Second, false},
		{"503 seconds", 503, "3", 3 * time.Second, false},
		{"429 http-date", 429, date, 9 * time.Second, false},
		{"429 too long", 429, "3600", 0, true},
		{"429 http-date, no Date: client clock", 429, date, 9 * time.Second, false},
		{"429 http-date against server Date", 429, "Sun, 06 Nov 1994 08:49:42 GMT", 5 * time.Second, false},
		{"429 garbage uses backoff", 429, "later", 125 * time.Millisecond, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int32
			hdr := http.Header{"Retry-After": {tc.value}}
			switch {
			case strings.Contains(tc.name, "no Date"):
				hdr["Date"] = nil // suppresses the server's Date header
			case strings.Contains(tc.name, "server Date"):
				hdr.Set("Date", "Sun, 06 Nov 1994 08:49:37 GMT") // the client clock is 32 years ahead
			case strings.Contains(tc.name, "http-date"):
				hdr.Set("Date", newFakeClock().Now().Format(http.TimeFormat)) // server and client agree
			}
			srv := httptest.NewServer(statusSequence(&hits, hdr, tc.status))
			defer srv.Close()
			f, clk := newFetcher(HTTPConfig{MaxAttempts: 3})
			_, err := f.Fetch(context.Background(), &Request{URL: srv.URL}, nil)
			if tc.wantErr {
				var he *HTTPError
				if !errors.As(err, &he) || he.RetryAfter != time.Hour || hits.Load() != 1 {
					t.Fatalf("Fetch err = %v after %d hits; want HTTPError with RetryAfter 1h, 1 hit", err, hits.Load())
				}
				return
			}
			if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			if got := clk.Sleeps(); len(got) != 1 || got[0] != tc.wantWait {
				t.Fatalf("waits = %v; want [%v]", got, tc.wantWait)
			}
		})
	}
}

func TestRange(t *testing.T) {
	tests := []struct {
		name           string
		offset, length int64
		handler        http.HandlerFunc
		want           []byte
		wantErr        error
	}{
		{"middle", 1000, 5000, serveContent, content[1000:6000], nil},
		{"to the end", 199_000, 0, serveContent, content[199_000:], nil},
		{"past the end", 199_000, 5000, serveContent, content[199_000:], nil},
		{"ignored range", 1000, 5000, func(w http.ResponseWriter, r *http.Request) { w.Write(content) }, nil, ErrRange},
		{"wrong range", 1000, 5000, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Range", "bytes 0-4999/200000")
			w.WriteHeader(206)
			w.Write(content[:5000])
		}, nil, ErrRange},
		{"bad content-range", 1000, 5000, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Range", "bytes 1000-5999")
			w.WriteHeader(206)
		}, nil, ErrRange},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			f, _ := newFetcher(HTTPConfig{})
			var body bytes.Buffer
			res, err := f.Fetch(context.Background(), &Request{URL: srv.URL, Offset: tc.offset, Length: tc.length, Body: &body}, nil)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || res.Attempts != 1 {
					t.Fatalf("Fetch = %+v, %v; want %v after 1 attempt", res, err, tc.wantErr)
				}
				return
			}
			if err != nil || res.Status != 206 || !bytes.Equal(body.Bytes(), tc.want) || res.Size != int64(len(content)) {
				t.Fatalf("Fetch = %+v, %v, %d bytes; want 206 with %d bytes, size %d", res, err, body.Len(), len(tc.want), len(content))
			}
		})
	}
}

// TestResume: the first response dies half way; the retry asks for the
// rest with Range and If-Range, and the body gets every byte once.
func TestResume(t *testing.T) {
	var hits atomic.Int32
	var mu sync.Mutex
	var ranges []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ranges = append(ranges, r.Header.Get("Range")+"|"+r.Header.Get("If-Range"))
		mu.Unlock()
		if hits.Add(1) == 1 {
			w.Header().Set("ETag", `"v1"`)
			w.Header().Set("Content-Length", fmt.Sprint(len(content)))
			w.Write(content[:70_000])
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		}
		serveContent(w, r)
	}))
	defer srv.Close()
	f, _ := newFetcher(HTTPConfig{})
	var body bytes.Buffer
	res, err := f.Fetch(context.Background(), &Request{URL: srv.URL, Body: &body}, nil)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if !bytes.Equal(body.Bytes(), content) || res.Bytes != int64(len(content)) || res.Attempts != 2 {
		t.Fatalf("Fetch = %+v with %d body bytes; want all %d bytes in 2 attempts", res, body.Len(), len(content))
	}
	mu.Lock()
	defer mu.Unlock()
	if len(ranges) != 2 || ranges[0] != "|" || !strings.HasPrefix(ranges[1], "bytes=") || !strings.HasSuffix(ranges[1], `-|"v1"`) {
		t.Fatalf("Range|If-Range headers = %q; want none, then bytes=N-|\"v1\"", ranges)
	}
}

// blocker is a handler that stops at a point until released or the
// request ends (bounded by 10s so a broken test cannot hang).
type blocker struct{ release chan struct{} }

func (b blocker) wait(r *http.Request) {
	select {
	case <-b.release:
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
	}
}

func TestStallAndFirstByteTimeouts(t *testing.T) {
	tests := []struct {
		name    string
		handler func(b blocker) http.HandlerFunc
		want    error
	}{
		{"stall", func(b blocker) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "100000")
				if rg := r.Header.Get("Range"); rg != "" { // the resume stalls too
					w.Header().Set("Content-Length", "99000")
					w.Header().Set("Content-Range", "bytes 1000-99999/100000")
					w.WriteHeader(206)
				}
				w.Write(content[:1000])
				w.(http.Flusher).Flush()
				b.wait(r)
			}
		}, ErrStalled},
		{"first byte", func(b blocker) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) { b.wait(r) }
		}, ErrTimeout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := blocker{release: make(chan struct{})}
			srv := httptest.NewServer(tc.handler(b))
			defer srv.Close()
			defer close(b.release)
			f, _ := newFetcher(HTTPConfig{MaxAttempts: 2, StallTimeout: 50 * time.Millisecond, FirstByteTimeout: 50 * time.Millisecond})
			res, err := f.Fetch(context.Background(), &Request{URL: srv.URL + "/slow.m4s"}, nil)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Fetch err = %v; want %v", err, tc.want)
			}
			if res.Attempts != 2 || !strings.Contains(err.Error(), srv.URL+"/slow.m4s") {
				t.Fatalf("Fetch = %+v, %v; want 2 attempts and the URL in the error", res, err)
			}
		})
	}
}

func TestProgressAndDiscard(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(serveContent))
	defer srv.Close()
	f, _ := newFetcher(HTTPConfig{})
	var calls []int64
	res, err := f.Fetch(context.Background(), &Request{URL: srv.URL}, func(n int64, _ time.Duration) { calls = append(calls, n) })
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) == 0 || calls[len(calls)-1] != int64(len(content)) || res.Bytes != int64(len(content)) {
		t.Fatalf("progress = %v, Bytes = %d; want ending at %d", calls, res.Bytes, len(content))
	}
	for i := 1; i < len(calls); i++ {
		if calls[i] <= calls[i-1] {
			t.Fatalf("progress not increasing: %v", calls)
		}
	}
	if res.Size != int64(len(content)) || res.Proto != "HTTP/1.1" {
		t.Fatalf("Result = %+v; want Size %d over HTTP/1.1", res, len(content))
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, io.ErrShortWrite }

func TestBodyWriteErrorNotRetried(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(statusSequence(&hits, nil))
	defer srv.Close()
	f, _ := newFetcher(HTTPConfig{})
	_, err := f.Fetch(context.Background(), &Request{URL: srv.URL, Body: failWriter{}}, nil)
	if !errors.Is(err, io.ErrShortWrite) || hits.Load() != 1 {
		t.Fatalf("Fetch err = %v after %d hits; want ErrShortWrite after 1", err, hits.Load())
	}
}

func TestContextCancelStopsRetries(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(statusSequence(&hits, nil, 503, 503, 503))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	clk := newFakeClock()
	f := NewHTTP(HTTPConfig{Clock: sleepHook{clk, cancel}, MaxAttempts: 3})
	_, err := f.Fetch(ctx, &Request{URL: srv.URL}, nil)
	var he *HTTPError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &he) || he.Status != 503 {
		t.Fatalf("Fetch err = %v; want context.Canceled wrapping the 503", err)
	}
	if hits.Load() != 1 {
		t.Fatalf("hits = %d; want 1 (cancelled during the backoff wait)", hits.Load())
	}
}

// sleepHook cancels the context when the fetcher starts waiting.
type sleepHook struct {
	*fakeClock
	cancel func()
}

func (s sleepHook) Sleep(ctx context.Context, d time.Duration) error {
	s.cancel()
	return s.fakeClock.Sleep(ctx, d)
}

func TestFilters(t *testing.T) {
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.URL.RawQuery + "|" + r.Header.Get("Authorization"))
	}))
	defer srv.Close()
	sign := func(r *Request) error { r.URL += "?sig=abc"; return nil }
	f, _ := newFetcher(HTTPConfig{Filters: []Filter{sign, HeaderFilter("Authorization", "Bearer t")}})
	req := &Request{URL: srv.URL + "/a.m4s"}
	if _, err := f.Fetch(context.Background(), req, nil); err != nil {
		t.Fatal(err)
	}
	if g := got.Load(); g != "sig=abc|Bearer t" {
		t.Fatalf("server saw %q; want sig=abc|Bearer t", g)
	}
	if req.URL != srv.URL+"/a.m4s" || req.Header != nil {
		t.Fatalf("filters changed the caller's request: %+v", req)
	}
	boom := errors.New("no key")
	f, _ = newFetcher(HTTPConfig{Filters: []Filter{func(*Request) error { return boom }}})
	got.Store("")
	_, err := f.Fetch(context.Background(), &Request{URL: srv.URL}, nil)
	if !errors.Is(err, ErrFilter) || !errors.Is(err, boom) || got.Load() != "" {
		t.Fatalf("Fetch err = %v; want ErrFilter wrapping the filter's error, no request", err)
	}
}

func TestCMCDOnTheWire(t *testing.T) {
	type seen struct {
		query string
		hdr   http.Header
	}
	var last atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		last.Store(seen{r.URL.RawQuery, r.Header.Clone()})
	}))
	defer srv.Close()

	f, _ := newFetcher(HTTPConfig{CMCD: CMCDQuery})
	c := specCMCD
	if _, err := f.Fetch(context.Background(), &Request{URL: srv.URL + "/v.m4s?tok=1", CMCD: &c}, nil); err != nil {
		t.Fatal(err)
	}
	if q := last.Load().(seen).query; q != "tok=1&"+specQuery {
		t.Fatalf("query = %s; want tok=1&%s", q, specQuery)
	}

	f, _ = newFetcher(HTTPConfig{CMCD: CMCDHeaders})
	if _, err := f.Fetch(context.Background(), &Request{URL: srv.URL + "/v.m4s", CMCD: &c}, nil); err != nil {
		t.Fatal(err)
	}
	s := last.Load().(seen)
	for name, want := range specHeaders {
		if got := s.hdr.Get(name); got != want {
			t.Errorf("%s = %s; want %s", name, got, want)
		}
	}
	if s.query != "" {
		t.Errorf("header mode also sent query %q", s.query)
	}

	// ot from Kind when unset
	f, _ = newFetcher(HTTPConfig{CMCD: CMCDHeaders})
	if _, err := f.Fetch(context.Background(), &Request{URL: srv.URL, Kind: KindManifest, CMCD: &CMCD{SessionID: "s"}}, nil); err != nil {
		t.Fatal(err)
	}
	if got := last.Load().(seen).hdr.Get(HeaderCMCDObject); got != "ot=m" {
		t.Errorf("CMCD-Object = %q; want ot=m from KindManifest", got)
	}
}

func TestHTTP2WhenOffered(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(serveContent))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	f, _ := newFetcher(HTTPConfig{TLSConfig: tlsConfig(pool)})
	defer f.CloseIdleConnections()
	res, err := f.Fetch(context.Background(), &Request{URL: srv.URL, Offset: 10, Length: 10}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Proto != "HTTP/2.0" || res.Status != 206 || res.Bytes != 10 {
		t.Fatalf("Result = %+v; want a 10-byte 206 over HTTP/2.0", res)
	}
}

func TestConnectTimeout(t *testing.T) {
	var dials atomic.Int32
	hang := func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(10 * time.Second):
			return nil, errors.New("test dialer not cancelled")
		}
	}
	f, _ := newFetcher(HTTPConfig{DialContext: hang, ConnectTimeout: 30 * time.Millisecond, MaxAttempts: 2})
	res, err := f.Fetch(context.Background(), &Request{URL: "http://127.0.0.1:1/x.m4s"}, nil)
	if !errors.Is(err, ErrTimeout) || res.Attempts != 2 || dials.Load() != 2 {
		t.Fatalf("Fetch = %+v, %v after %d dials; want ErrTimeout after 2 attempts", res, err, dials.Load())
	}
	if !strings.Contains(err.Error(), "http://127.0.0.1:1/x.m4s") || !strings.Contains(err.Error(), "connect") {
		t.Fatalf("error %q should name the URL and the connect stage", err)
	}
}
