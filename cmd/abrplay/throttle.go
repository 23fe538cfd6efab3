package main

import (
	"context"
	"io"
	"sync/atomic"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/player/transport"
)

// throttle wraps a fetcher and paces response bodies to a bit rate, so a
// viewer can watch the ABR react. Pacing the writer makes the fetcher read
// the socket slower, which TCP turns into a slower sender.
type throttle struct {
	next  transport.Fetcher
	bps   atomic.Int64 // 0: unlimited
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

func newThrottle(next transport.Fetcher) *throttle {
	return &throttle{next: next, now: clock.Real{}.Now, sleep: clock.Real{}.Sleep}
}

func (t *throttle) set(bps int64) { t.bps.Store(bps) }

// Fetch implements transport.Fetcher.
func (t *throttle) Fetch(ctx context.Context, req *transport.Request, progress transport.ProgressFunc) (*transport.Result, error) {
	bps := t.bps.Load()
	if bps <= 0 {
		return t.next.Fetch(ctx, req, progress)
	}
	r := *req
	body := req.Body
	if body == nil {
		body = io.Discard
	}
	r.Body = &pacedWriter{ctx: ctx, w: body, bps: bps, start: t.now(), now: t.now, sleep: t.sleep}
	return t.next.Fetch(ctx, &r, progress)
}

type pacedWriter struct {
	ctx     context.Context
	w       io.Writer
	bps     int64
	start   time.Time
	written int64
	now     func() time.Time
	sleep   func(ctx context.Context, d time.Duration) error
}

func (p *pacedWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.written += int64(n)
	due := p.start.Add(time.Duration(p.written * 8 * int64(time.Second) / p.bps))
	if wait := due.Sub(p.now()); wait > 0 {
		if serr := p.sleep(p.ctx, wait); serr != nil {
			return n, serr
		}
	}
	return n, err
}

// throttleSteps are the network settings the N key cycles through.
var throttleSteps = []struct {
	name string
	bps  int64
}{
	{"unlimited", 0},
	{"4 Mbps", 4_000_000},
	{"2 Mbps", 2_000_000},
	{"1 Mbps", 1_000_000},
	{"500 kbps", 500_000},
}
