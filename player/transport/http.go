package transport

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/abrkit/abrkit/clock"
)

// Defaults for HTTPConfig fields left zero.
const (
	DefaultConnectTimeout   = 5 * time.Second
	DefaultFirstByteTimeout = 10 * time.Second
	DefaultStallTimeout     = 5 * time.Second
	DefaultMaxAttempts      = 3
	DefaultBackoffBase      = 250 * time.Millisecond
	DefaultBackoffMax       = 8 * time.Second
	DefaultMaxRetryAfter    = 30 * time.Second
)

// HTTPConfig configures an [HTTPFetcher]. Zero fields take the Default*
// values.
type HTTPConfig struct {
	// Client is used as is when set (its Transport decides connect
	// timeouts and HTTP/2); nil builds one from the fields below.
	Client *http.Client
	// ConnectTimeout bounds dialing and the TLS handshake.
	ConnectTimeout time.Duration
	// FirstByteTimeout bounds the time from sending a request to its
	// response headers.
	FirstByteTimeout time.Duration
	// StallTimeout is how long the body may deliver no bytes.
	StallTimeout time.Duration
	// MaxAttempts is the number of attempts per fetch (1: no retries).
	MaxAttempts int
	// BackoffBase and BackoffMax shape the wait before retry n (n >= 1):
	// a uniformly random duration in [0, min(BackoffMax, BackoffBase·2^(n-1))]
	// ("full jitter"). They default to DefaultBackoffBase and
	// DefaultBackoffMax.
	BackoffBase time.Duration
	BackoffMax  time.Duration // cap of a single wait; see BackoffBase
	// MaxRetryAfter: a Retry-After longer than this is not waited for;
	// the fetch fails with the *HTTPError so the caller can decide.
	MaxRetryAfter time.Duration
	// Jitter returns a number in [0, 1); defaults to math/rand/v2.
	Jitter func() float64
	// Clock gives the time and does the backoff waits; defaults to clock.Real.
	Clock clock.Clock
	// TLSConfig is used by the built client (e.g. a test CA).
	TLSConfig *tls.Config
	// DialContext replaces the built client's dialer (e.g. a shaped or
	// simulated network); ConnectTimeout still bounds it.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// Filters run in order on every attempt before it is sent.
	Filters []Filter
	// CMCD says how Request.CMCD is sent; defaults to CMCDQuery.
	CMCD CMCDMode
	// UserAgent is sent when set.
	UserAgent string
	// HTTP3 carries https requests over HTTP/3 when set (h3.New builds
	// one on quic-go), as HTTP3Mode says; a request whose HTTP/3 attempt
	// fails is sent again over TCP, and that origin stays on TCP for a
	// while. DialContext does not apply to it. Ignored when Client is set.
	HTTP3 http.RoundTripper
	// HTTP3Mode is HTTP3AltSvc (the default) or HTTP3Always.
	HTTP3Mode string
	// HTTP3Hosts are origins (host or host:port, 443 when no port) known
	// to serve HTTP/3 on the same port, e.g. the edges a playback API
	// marks h3: with HTTP3 set they are asked over HTTP/3 from the first
	// request, without waiting for an Alt-Svc header.
	HTTP3Hosts []string
}

// HTTPFetcher is the net/http [Fetcher]. It is safe for concurrent use.
type HTTPFetcher struct {
	cfg    HTTPConfig
	client *http.Client
}

var _ Fetcher = (*HTTPFetcher)(nil)

// NewHTTP returns a fetcher with cfg's settings. Its built client speaks
// HTTP/2 when a TLS server offers it (ALPN) and does not decompress
// bodies, so byte counts are the bytes on the wire.
func NewHTTP(cfg HTTPConfig) *HTTPFetcher {
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	if cfg.FirstByteTimeout <= 0 {
		cfg.FirstByteTimeout = DefaultFirstByteTimeout
	}
	if cfg.StallTimeout <= 0 {
		cfg.StallTimeout = DefaultStallTimeout
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.BackoffBase <= 0 {
		cfg.BackoffBase = DefaultBackoffBase
	}
	if cfg.BackoffMax <= 0 {
		cfg.BackoffMax = DefaultBackoffMax
	}
	if cfg.MaxRetryAfter <= 0 {
		cfg.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if cfg.Jitter == nil {
		cfg.Jitter = rand.Float64
	}
	cfg.Clock = clock.Or(cfg.Clock)
	f := &HTTPFetcher{cfg: cfg, client: cfg.Client}
	if f.client == nil {
		dial := cfg.DialContext
		if dial == nil {
			dial = (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext
		}
		var rt http.RoundTripper = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           connectTimeout(dial, cfg.ConnectTimeout),
			ForceAttemptHTTP2:     true,
			TLSClientConfig:       cfg.TLSConfig,
			TLSHandshakeTimeout:   cfg.ConnectTimeout,
			DisableCompression:    true,
			MaxIdleConnsPerHost:   16,
			IdleConnTimeout:       90 * time.Second,
			ExpectContinueTimeout: time.Second,
		}
		if cfg.HTTP3 != nil {
			sw := newH3Switch(rt, cfg.HTTP3, cfg.HTTP3Mode, cfg.Clock)
			for _, h := range cfg.HTTP3Hosts {
				if o := hostPort(h); len(sw.alt) < maxAltSvcHosts {
					sw.alt[o] = o
				}
			}
			rt = sw
		}
		f.client = &http.Client{Transport: rt}
	}
	return f
}

// connectTimeout bounds dial by d; running out is ErrTimeout.
func connectTimeout(dial func(ctx context.Context, network, addr string) (net.Conn, error), d time.Duration) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		dctx, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		c, err := dial(dctx, network, addr)
		if err != nil && ctx.Err() == nil && dctx.Err() != nil {
			return nil, &stageError{ErrTimeout, fmt.Sprintf("connect to %s: no connection within %v", addr, d)}
		}
		return c, err
	}
}

// CloseIdleConnections closes the client's idle connections.
func (f *HTTPFetcher) CloseIdleConnections() { f.client.CloseIdleConnections() }

// Backoff returns the upper bound of the wait before retry n (n >= 1).
func (f *HTTPFetcher) Backoff(n int) time.Duration {
	d := f.cfg.BackoffBase
	for i := 1; i < n && d < f.cfg.BackoffMax; i++ {
		d *= 2
	}
	return min(d, f.cfg.BackoffMax)
}

// permanent marks an attempt error that a retry cannot fix.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Fetch gets req's bytes. The result is non-nil whenever an attempt was
// made, also with an error (status, headers and bytes of the last
// attempt). TTFB is measured from the call to the first response headers;
// Duration from the call to the end. A body interrupted after some bytes
// is resumed with a range request (If-Range with the ETag), so
// req.Body receives each byte once.
func (f *HTTPFetcher) Fetch(ctx context.Context, req *Request, progress ProgressFunc) (*Result, error) {
	clock := f.cfg.Clock
	st := &fetchState{start: clock.Now(), res: &Result{Size: -1}}
	for attempt := 1; ; attempt++ {
		st.res.Attempts = attempt
		err := f.attempt(ctx, req, st, progress)
		if err == nil {
			st.res.Duration = clock.Now().Sub(st.start)
			return st.res, nil
		}
		st.res.Duration = clock.Now().Sub(st.start)
		fail := func(err error) (*Result, error) {
			var p permanent
			if errors.As(err, &p) {
				err = p.err
			}
			return st.res, &Error{URL: st.url, Attempts: attempt, Err: err}
		}
		if ctx.Err() != nil {
			return fail(ctx.Err())
		}
		var p permanent
		if errors.As(err, &p) || attempt >= f.cfg.MaxAttempts {
			return fail(err)
		}
		wait := time.Duration(f.cfg.Jitter() * float64(f.Backoff(attempt)))
		var he *HTTPError
		if errors.As(err, &he) && he.RetryAfter > 0 {
			if he.RetryAfter > f.cfg.MaxRetryAfter {
				return fail(err)
			}
			wait = he.RetryAfter
		}
		if serr := clock.Sleep(ctx, wait); serr != nil {
			return fail(fmt.Errorf("%w while waiting to retry after: %w", serr, err))
		}
	}
}

// fetchState carries what survives between attempts.
type fetchState struct {
	start   time.Time
	res     *Result
	written int64 // body bytes delivered
	etag    string
	url     string // URL of the last attempt (after filters)
	gotTTFB bool
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

func (f *HTTPFetcher) attempt(ctx context.Context, orig *Request, st *fetchState, progress ProgressFunc) error {
	r := *orig
	r.Header = orig.Header.Clone()
	resume := st.written > 0
	if resume {
		r.Offset += st.written
		if r.Length > 0 {
			r.Length -= st.written
		}
	}
	st.url = r.URL
	for _, fl := range f.cfg.Filters {
		if err := fl(&r); err != nil {
			return permanent{fmt.Errorf("%w: %w", ErrFilter, err)}
		}
	}
	st.url = r.URL
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	hreq, err := f.newRequest(actx, &r, st, resume)
	if err != nil {
		return permanent{err}
	}
	ranged := r.Offset > 0 || r.Length > 0

	fb := time.AfterFunc(f.cfg.FirstByteTimeout, func() {
		cancel(&stageError{ErrTimeout, fmt.Sprintf("no response headers within %v", f.cfg.FirstByteTimeout)})
	})
	resp, err := f.client.Do(hreq)
	fb.Stop()
	if err != nil {
		return f.classify(ctx, actx, err)
	}
	defer resp.Body.Close()
	if !st.gotTTFB {
		st.gotTTFB = true
		st.res.TTFB = f.cfg.Clock.Now().Sub(st.start)
	}
	st.res.Status = resp.StatusCode
	st.res.Header = resp.Header
	st.res.Proto = resp.Proto
	if err := f.checkResponse(resp, &r, st, ranged); err != nil {
		return err
	}
	if st.etag == "" {
		st.etag = resp.Header.Get("ETag")
	}
	return f.readBody(ctx, actx, cancel, resp.Body, &r, st, progress)
}

// newRequest builds the HTTP request of one attempt: headers, the range
// (with If-Range on a resume), the user agent and CMCD.
func (f *HTTPFetcher) newRequest(ctx context.Context, r *Request, st *fetchState, resume bool) (*http.Request, error) {
	method, body := http.MethodGet, io.Reader(nil)
	if r.Post != nil {
		method, body = http.MethodPost, bytes.NewReader(r.Post)
	}
	hreq, err := http.NewRequestWithContext(ctx, method, r.URL, body)
	if err != nil {
		return nil, err
	}
	for k, v := range r.Header {
		hreq.Header[k] = v
	}
	if r.Offset > 0 || r.Length > 0 {
		hreq.Header.Set("Range", rangeHeader(r.Offset, r.Length))
		if resume && st.etag != "" && !strings.HasPrefix(st.etag, "W/") {
			hreq.Header.Set("If-Range", st.etag)
		}
	}
	if f.cfg.UserAgent != "" {
		hreq.Header.Set("User-Agent", f.cfg.UserAgent)
	}
	if f.cfg.CMCD != CMCDOff && r.CMCD != nil {
		c := *r.CMCD
		if c.ObjectType == "" {
			c.ObjectType = kindObject(r.Kind)
		}
		if f.cfg.CMCD == CMCDHeaders {
			c.SetHeaders(hreq.Header)
		} else if q := c.QueryValue(); q != "" {
			if hreq.URL.RawQuery != "" {
				hreq.URL.RawQuery += "&"
			}
			hreq.URL.RawQuery += q
		}
	}
	return hreq, nil
}

// checkResponse accepts a 2xx answer that matches the range asked for and
// turns any other status into an *HTTPError (temporary ones retryable).
func (f *HTTPFetcher) checkResponse(resp *http.Response, r *Request, st *fetchState, ranged bool) error {
	switch {
	case resp.StatusCode == http.StatusPartialContent:
		cr, err := ParseContentRange(resp.Header.Get("Content-Range"))
		if err != nil {
			return permanent{fmt.Errorf("%w: %w", ErrRange, err)}
		}
		if !ranged || !rangeMatches(cr, r.Offset, r.Length) {
			return permanent{fmt.Errorf("%w: asked %s, got %s", ErrRange, rangeHeader(r.Offset, r.Length), cr)}
		}
		st.res.Size = cr.Size
	case resp.StatusCode == http.StatusOK:
		if ranged {
			return permanent{fmt.Errorf("%w: asked %s, got 200 (whole resource)", ErrRange, rangeHeader(r.Offset, r.Length))}
		}
		st.res.Size = resp.ContentLength
		if et := resp.Header.Get("ETag"); et != "" {
			st.etag = et
		}
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		// 203, 204...: accepted as they are
	default:
		he := &HTTPError{URL: r.URL, Status: resp.StatusCode}
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			// an HTTP-date is read against the server's Date when it sent
			// one, so a skewed client clock does not matter
			base := f.cfg.Clock.Now()
			if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
				base = d
			}
			he.RetryAfter, _ = ParseRetryAfter(ra, base)
		}
		// read a little so the connection can be reused, never the whole body
		_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
		if he.Temporary() {
			return he
		}
		return permanent{he}
	}
	return nil
}

// readBody copies the body to r.Body under the stall time-out, reporting
// progress as bytes arrive.
func (f *HTTPFetcher) readBody(ctx, actx context.Context, cancel context.CancelCauseFunc, body io.Reader, r *Request, st *fetchState, progress ProgressFunc) error {
	stall := time.AfterFunc(f.cfg.StallTimeout, func() {
		cancel(&stageError{ErrStalled, fmt.Sprintf("no body bytes for %v", f.cfg.StallTimeout)})
	})
	defer stall.Stop()
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	for {
		n, rerr := body.Read(buf)
		if n > 0 {
			if r.Body != nil {
				stall.Stop() // a slow writer is not a stalled server
				if _, werr := r.Body.Write(buf[:n]); werr != nil {
					return permanent{fmt.Errorf("writing body: %w", werr)}
				}
			}
			stall.Reset(f.cfg.StallTimeout)
			st.written += int64(n)
			st.res.Bytes = st.written
			if progress != nil {
				progress(st.written, f.cfg.Clock.Now().Sub(st.start))
			}
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return f.classify(ctx, actx, rerr)
		}
	}
}

// classify maps a client or body error to a sentinel where it has one.
func (f *HTTPFetcher) classify(ctx, actx context.Context, err error) error {
	if ctx.Err() != nil {
		return permanent{ctx.Err()}
	}
	if cause := context.Cause(actx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return &stageError{ErrTimeout, "connect: " + err.Error()}
	}
	return err
}

// rangeMatches checks a 206's Content-Range against the request. A range
// that runs past the end may come back shorter, ending at the last byte.
func rangeMatches(cr ContentRange, offset, length int64) bool {
	if cr.First != offset {
		return false
	}
	if length <= 0 {
		return cr.Size < 0 || cr.Last == cr.Size-1
	}
	want := offset + length - 1
	if cr.Last == want {
		return true
	}
	return cr.Last < want && cr.Size >= 0 && cr.Last == cr.Size-1
}

func kindObject(k Kind) ObjectType {
	switch k {
	case KindManifest:
		return ObjectManifest
	case KindInit:
		return ObjectInit
	case KindKey:
		return ObjectKey
	}
	return ""
}
