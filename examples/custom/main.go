// Command custom plugs a home-made ABR algorithm and a home-made transport
// into the abrkit player through its public API only:
//
//   - Cautious, an abr.Algorithm: the highest level whose bitrate fits in
//     Share of the bandwidth estimate, dropping to the lowest level whenever
//     the buffer runs below Panic;
//   - Delayed, a transport.Fetcher wrapping another one: it adds a fixed
//     latency before each request (as a far-away CDN would) and logs every
//     request with its kind, size, time to first byte and duration.
//
// It plays a local packaged title for a few seconds and prints the request
// log summary and the QoE account.
//
//	custom [-duration 4s] [-segments N] [-latency 80ms] [-share 0.5] [-v]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/abrkit/abrkit/abr"
	"github.com/abrkit/abrkit/examples/internal/content"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/transport"
)

// Cautious is a rate-based ABR with a panic floor.
type Cautious struct {
	Share float64       // fraction of the estimate to spend, defaults to 0.5
	Panic time.Duration // below this buffer take the lowest level, defaults to 2s
}

var _ abr.Algorithm = (*Cautious)(nil)

// Name implements abr.Algorithm.
func (c *Cautious) Name() string { return "cautious" }

// Choose implements abr.Algorithm: the state carries the ladder, the buffer
// and the estimator's answer (EstimateOK false until it trusts its samples).
func (c *Cautious) Choose(s *abr.State) int {
	share, panicLevel := c.Share, c.Panic
	if share <= 0 {
		share = 0.5
	}
	if panicLevel <= 0 {
		panicLevel = 2 * time.Second
	}
	if !s.EstimateOK || (!s.Startup && s.Buffer < panicLevel) {
		return 0
	}
	level := 0
	for i, b := range s.Bitrates {
		if float64(b) <= share*s.Estimate {
			level = i
		}
	}
	return level
}

// Request is one logged fetch.
type Request struct {
	Kind     transport.Kind
	URL      string
	Bytes    int64
	TTFB     time.Duration
	Duration time.Duration
	Err      error
}

// Delayed adds Latency before each request of Next and logs it.
type Delayed struct {
	Next    transport.Fetcher
	Latency time.Duration
	Log     func(Request) // may be nil

	mu    sync.Mutex
	count int
}

var _ transport.Fetcher = (*Delayed)(nil)

// Fetch implements transport.Fetcher. The wait honours ctx, so the player's
// cancellations (seek, abandonment, Close) cut it short. Times reported to
// the player include the added latency, so the ABR sees the slower network.
func (d *Delayed) Fetch(ctx context.Context, req *transport.Request, progress transport.ProgressFunc) (*transport.Result, error) {
	d.mu.Lock()
	d.count++
	d.mu.Unlock()
	t := time.NewTimer(d.Latency)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	var wrapped transport.ProgressFunc
	if progress != nil {
		wrapped = func(b int64, elapsed time.Duration) { progress(b, elapsed+d.Latency) }
	}
	res, err := d.Next.Fetch(ctx, req, wrapped)
	r := Request{Kind: req.Kind, URL: req.URL, Err: err}
	if res != nil {
		res.TTFB += d.Latency
		res.Duration += d.Latency
		r.Bytes, r.TTFB, r.Duration = res.Bytes, res.TTFB, res.Duration
	}
	if d.Log != nil {
		d.Log(r)
	}
	return res, err
}

// Count is how many requests went through.
func (d *Delayed) Count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.count
}

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "custom:", err)
		os.Exit(1)
	}
}

type config struct {
	duration, latency time.Duration
	segments          int
	share             float64
	verbose           bool
}

func parse(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("custom", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.DurationVar(&c.duration, "duration", 4*time.Second, "wall time to play")
	fs.IntVar(&c.segments, "segments", 0, "stop once playing with this many media segments loaded (0: play for -duration)")
	fs.DurationVar(&c.latency, "latency", 80*time.Millisecond, "latency added to each request")
	fs.Float64Var(&c.share, "share", 0.5, "fraction of the bandwidth estimate the ABR spends")
	fs.BoolVar(&c.verbose, "v", false, "log every request")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 || c.duration <= 0 || c.segments < 0 || c.latency < 0 || c.share <= 0 || c.share > 1 {
		return c, errors.New("usage: custom [-duration D>0] [-segments N] [-latency D>=0] [-share 0<F<=1] [-v]")
	}
	return c, nil
}

// kindName names request kinds (transport.Kind has no String method).
var kindName = map[transport.Kind]string{
	transport.KindManifest: "manifest", transport.KindInit: "init", transport.KindMedia: "media", transport.KindSteering: "steering",
}

// stats sums the request log per kind.
type stats struct {
	mu    sync.Mutex
	n     map[transport.Kind]int
	bytes map[transport.Kind]int64
	ttfb  map[transport.Kind]time.Duration
}

func (s *stats) add(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n[r.Kind]++
	s.bytes[r.Kind] += r.Bytes
	s.ttfb[r.Kind] += r.TTFB
}

func run(args []string, stdout, stderr io.Writer) error {
	c, err := parse(args, stderr)
	if err != nil {
		return err
	}
	srv, err := content.Start()
	if err != nil {
		return err
	}
	defer srv.Close()
	srv.Rate = 8_000_000 / 8

	st := &stats{n: map[transport.Kind]int{}, bytes: map[transport.Kind]int64{}, ttfb: map[transport.Kind]time.Duration{}}
	var logMu sync.Mutex
	fetcher := &Delayed{
		// One attempt per request: the player core retries and fails over.
		Next:    transport.NewHTTP(transport.HTTPConfig{MaxAttempts: 1}),
		Latency: c.latency,
		Log: func(r Request) {
			st.add(r)
			if c.verbose {
				logMu.Lock()
				fmt.Fprintf(stdout, "%-8s %8d B ttfb %-8v total %-8v %s\n", kindName[r.Kind], r.Bytes, r.TTFB.Round(time.Millisecond),
					r.Duration.Round(time.Millisecond), r.URL)
				logMu.Unlock()
			}
		},
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.duration)
	defer cancel()
	// The listener runs on the player's goroutine: no lock needed for these.
	loaded, playing := 0, false
	stopper := player.ListenerFunc(func(e player.Event) {
		switch e.Kind {
		case player.EventSegmentLoaded:
			loaded++
		case player.EventPlaying:
			playing = true
		}
		if playing && c.segments > 0 && loaded >= c.segments {
			cancel() // enough: stop by event, not by the clock
		}
	})
	p, err := player.New(player.WithABR(&Cautious{Share: c.share}), player.WithFetcher(fetcher), player.WithListener(stopper))
	if err != nil {
		return err
	}
	defer p.Close()
	if err := p.Load(ctx, srv.HLS("demo")); err != nil {
		return err
	}
	if err := p.Wait(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		return err
	}
	status, q := p.Status(), p.QoE()
	if err := p.Close(); err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	fmt.Fprintf(stdout, "abr %s, %d requests with %v added latency, estimate %s\n", status.ABR, fetcher.Count(), c.latency,
		player.FormatBitrate(status.Throughput))
	for _, k := range []transport.Kind{transport.KindManifest, transport.KindInit, transport.KindMedia} {
		if n := st.n[k]; n > 0 {
			fmt.Fprintf(stdout, "  %-8s %4d requests %10d bytes, mean ttfb %v\n", kindName[k], n, st.bytes[k],
				(st.ttfb[k] / time.Duration(n)).Round(time.Millisecond))
		}
	}
	fmt.Fprintln(stdout)
	return q.WriteText(stdout)
}
