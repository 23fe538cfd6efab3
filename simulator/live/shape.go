package live

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"
	"time"

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
	res, err := f.inner.Fetch(ctx, req, progress)
	status := 0
	var n int64
	if res != nil {
		status, n = res.Status, res.Bytes
	}
	if err == nil {
		need := f.rtt + f.link.TransferTime(due.Sub(f.start), n)
		if wait := need - time.Since(due); wait > 0 && need < time.Hour {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return nil, ctx.Err()
			}
		}
		res.Duration = time.Since(due)
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
