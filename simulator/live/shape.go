package live

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"
	"sync/atomic"
	"time"

	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/transport"
	"github.com/abrkit/abrkit/simulator/netsim"
	"github.com/abrkit/abrkit/simulator/results"
)

// shaped is a viewer's fetcher: the real HTTP fetch on loopback, then a
// wait until the viewer's access link (its trace) would have delivered
// the bytes plus one round trip. Bodies are counted, never kept.
type shaped struct {
	r     *run
	inner transport.Fetcher
	link  netsim.Link
	rtt   time.Duration
	start time.Time
}

func (f *shaped) Fetch(ctx context.Context, req *transport.Request, progress transport.ProgressFunc) (*transport.Result, error) {
	due := time.Now()
	at := due.Sub(f.start)
	rtt := f.rtt + f.r.rttTo(req.URL)
	var got atomic.Int64
	// The loopback edge delivers faster than the viewer's link: what the
	// player hears of a transfer in progress is what the link would have
	// carried by now (after the round trip), never more than arrived.
	linkHas := func() int64 {
		return min(got.Load(), f.link.Delivered(at, time.Since(due)-rtt))
	}
	inner := progress
	if progress != nil {
		inner = func(n int64, _ time.Duration) {
			got.Store(n)
			progress(linkHas(), time.Since(due))
		}
	}
	res, err := f.inner.Fetch(ctx, req, inner)
	status := 0
	var n int64
	if res != nil {
		status, n = res.Status, res.Bytes
	}
	if err == nil {
		got.Store(n)
		need := rtt + f.link.TransferTime(at, n)
		if err = f.wait(ctx, due, need, progress, linkHas); err != nil {
			return nil, err
		}
		res.Duration = time.Since(due)
	}
	if ctx.Err() != nil {
		// cancelled by the player (an abandonment) or the run: the
		// virtual driver does not count those either
		return res, err
	}
	class := results.ClassManifest
	switch req.Kind {
	case transport.KindMedia:
		class = results.ClassSegment
	case transport.KindInit:
		class = results.ClassInit
	}
	f.r.record(class, "GET", req.URL, due, status, n, err)
	return res, err
}

// wait holds a finished loopback transfer until the link would have
// delivered it (need after due), reporting progress as the link would.
func (f *shaped) wait(ctx context.Context, due time.Time, need time.Duration, progress transport.ProgressFunc, linkHas func() int64) error {
	if need >= time.Hour {
		return nil
	}
	for {
		left := need - time.Since(due)
		if left <= 0 {
			return nil
		}
		if progress != nil {
			left = min(left, player.DefaultProgressInterval)
		}
		t := time.NewTimer(left)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
		if progress != nil && time.Since(due) < need {
			progress(linkHas(), time.Since(due))
		}
	}
}

func pick(r *rand.Rand, w []float64) int {
	if len(w) == 0 {
		return 0
	}
	sum := 0.0
	for _, x := range w {
		sum += x
	}
	u := r.Float64() * sum
	for i, x := range w {
		if u < x {
			return i
		}
		u -= x
	}
	return len(w) - 1
}

func searchCum(cum []float64, u float64) int {
	return min(sort.SearchFloat64s(cum, u), len(cum)-1)
}

func pow(x, y float64) float64 { return math.Pow(x, y) }
