package download

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/abrkit/abrkit/player/transport"
)

// HTTPFetcher is a lean net/http transport.Fetcher for bulk downloads:
// one attempt per call (the manager retries per segment), Range requests
// for byte ranges and resumed segments, 256 KiB writes, a *StatusError for
// answers other than 200 and 206, and a stall timeout. The player's
// transport.NewHTTP works too (see Config.Fetcher); this one is faster for
// large bodies.
type HTTPFetcher struct {
	Client *http.Client // defaults to a client with a tuned transport
	// StallTimeout fails a fetch whose body delivers nothing for this
	// long; defaults to DefaultStallTimeout.
	StallTimeout time.Duration
}

// DefaultStallTimeout is HTTPFetcher's default stall timeout.
const DefaultStallTimeout = 20 * time.Second

// ErrStalled is the cause of a fetch whose body stopped flowing.
var ErrStalled = errors.New("download stalled")

var defaultClient = &http.Client{Transport: &http.Transport{
	Proxy:                 http.ProxyFromEnvironment,
	DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
	TLSHandshakeTimeout:   10 * time.Second,
	ResponseHeaderTimeout: 20 * time.Second,
	MaxIdleConnsPerHost:   16,
	IdleConnTimeout:       90 * time.Second,
	ForceAttemptHTTP2:     true,
}}

// Fetch implements transport.Fetcher.
func (h *HTTPFetcher) Fetch(ctx context.Context, req *transport.Request, progress transport.ProgressFunc) (*transport.Result, error) {
	c := h.Client
	if c == nil {
		c = defaultClient
	}
	start := time.Now()
	stall := h.StallTimeout
	if stall <= 0 {
		stall = DefaultStallTimeout
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	timer := time.AfterFunc(stall, func() { cancel(ErrStalled) })
	defer timer.Stop()
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, req.URL, nil)
	if err != nil {
		return nil, err
	}
	for k, v := range req.Header {
		hr.Header[k] = v
	}
	if req.Offset > 0 || req.Length > 0 {
		if req.Length > 0 {
			hr.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", req.Offset, req.Offset+req.Length-1))
		} else {
			hr.Header.Set("Range", fmt.Sprintf("bytes=%d-", req.Offset))
		}
	}
	resp, err := c.Do(hr)
	if err != nil {
		if errors.Is(context.Cause(ctx), ErrStalled) {
			err = fmt.Errorf("GET %s: %w: no answer in %v", redact(req.URL), ErrStalled, stall)
		}
		return nil, err
	}
	defer resp.Body.Close()
	res := &transport.Result{Status: resp.StatusCode, Header: resp.Header, TTFB: time.Since(start), Attempts: 1}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusPartialContent {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return res, &StatusError{URL: req.URL, Status: resp.StatusCode}
	}
	w := req.Body
	if w == nil {
		w = io.Discard
	}
	if progress != nil {
		w = &progressWriter{w: w, f: progress, start: start}
	}
	w = &stallWriter{w: w, t: timer, d: stall}
	bp := copyBufs.Get().(*[]byte)
	n, err := io.CopyBuffer(onlyWriter{w}, resp.Body, *bp)
	copyBufs.Put(bp)
	res.Bytes = n
	res.Duration = time.Since(start)
	if err != nil {
		if errors.Is(context.Cause(ctx), ErrStalled) {
			err = fmt.Errorf("GET %s: %w: no bytes for %v", redact(req.URL), ErrStalled, stall)
		}
		return res, err
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return res, fmt.Errorf("GET %s: %w: %d of %d bytes", redact(req.URL), io.ErrUnexpectedEOF, n, resp.ContentLength)
	}
	return res, nil
}

// copyBufs holds 256 KiB copy buffers: fewer, larger writes than io.Copy's 32 KiB.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// stallWriter pushes the stall deadline back on every write.
type stallWriter struct {
	w io.Writer
	t *time.Timer
	d time.Duration
}

func (s *stallWriter) Write(p []byte) (int, error) {
	s.t.Reset(s.d)
	return s.w.Write(p)
}

// onlyWriter hides ReaderFrom so that io.CopyBuffer uses the buffer.
type onlyWriter struct{ io.Writer }

type progressWriter struct {
	w     io.Writer
	f     transport.ProgressFunc
	n     int64
	start time.Time
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.n += int64(n)
	p.f(p.n, time.Since(p.start))
	return n, err
}

// contentRangeStart returns the first byte of a 206 answer's Content-Range.
func contentRangeStart(h http.Header) (int64, bool) {
	v := h.Get("Content-Range") // bytes a-b/n
	var a, b int64
	var rest string
	if _, err := fmt.Sscanf(v, "bytes %d-%d/%s", &a, &b, &rest); err != nil {
		return 0, false
	}
	return a, true
}

var _ transport.Fetcher = (*HTTPFetcher)(nil)
