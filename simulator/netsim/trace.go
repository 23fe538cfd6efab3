package netsim

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"
)

// Trace is a piecewise-constant bandwidth over time that repeats after
// its last interval. It is read-only once built and shared by many links.
type Trace struct {
	Name  string
	ends  []time.Duration // end of each interval, ascending; the first starts at 0
	rates []float64       // bytes per second in each interval
}

// ErrEmptyTrace is returned for traces without a positive-length interval.
var ErrEmptyTrace = errors.New("trace has no intervals")

// NewTrace builds a trace from interval lengths and bandwidths in bits per
// second. Intervals of zero length are dropped.
func NewTrace(name string, steps []time.Duration, bps []float64) (*Trace, error) {
	if len(steps) != len(bps) {
		return nil, fmt.Errorf("netsim: %d steps but %d bandwidths", len(steps), len(bps))
	}
	t := &Trace{Name: name}
	var end time.Duration
	for i, s := range steps {
		if s <= 0 {
			continue
		}
		if bps[i] < 0 || math.IsNaN(bps[i]) || math.IsInf(bps[i], 0) {
			return nil, fmt.Errorf("netsim: trace %s interval %d: bad bandwidth %g", name, i, bps[i])
		}
		end += s
		t.ends = append(t.ends, end)
		t.rates = append(t.rates, bps[i]/8)
	}
	if len(t.ends) == 0 {
		return nil, fmt.Errorf("netsim: trace %s: %w", name, ErrEmptyTrace)
	}
	return t, nil
}

// Constant returns a trace of one bandwidth (bits per second).
func Constant(bps float64) *Trace {
	t, _ := NewTrace(fmt.Sprintf("constant-%g", bps), []time.Duration{time.Hour}, []float64{bps})
	return t
}

// RandomWalk returns a synthetic trace of n steps around mean bits/s: each
// step multiplies the bandwidth by exp(N(0, variation)), pulled back
// towards the mean, and clamped to [mean/10, mean*4].
func RandomWalk(name string, r *rand.Rand, mean float64, variation float64, step time.Duration, n int) *Trace {
	steps := make([]time.Duration, n)
	bps := make([]float64, n)
	x := 0.0 // log deviation from the mean
	for i := range steps {
		steps[i] = step
		x = 0.8*x + variation*r.NormFloat64()
		x = math.Max(math.Log(0.1), math.Min(math.Log(4), x))
		bps[i] = mean * math.Exp(x)
	}
	t, _ := NewTrace(name, steps, bps)
	return t
}

// Period is the length of one repetition.
func (t *Trace) Period() time.Duration { return t.ends[len(t.ends)-1] }

// Mean is the time-weighted mean bandwidth in bits per second.
func (t *Trace) Mean() float64 {
	var sum float64
	var prev time.Duration
	for i, e := range t.ends {
		sum += t.rates[i] * float64(e-prev)
		prev = e
	}
	return sum * 8 / float64(t.Period())
}

// at returns the rate in bytes/s at trace time tt in [0, Period) and how
// long it lasts from there.
func (t *Trace) at(tt time.Duration) (float64, time.Duration) {
	i := sort.Search(len(t.ends), func(i int) bool { return t.ends[i] > tt })
	if i == len(t.ends) {
		i = len(t.ends) - 1
	}
	return t.rates[i], t.ends[i] - tt
}

// atHint is at with a guess of the interval index (the previous one or
// the one after it); it falls back to a binary search.
func (t *Trace) atHint(tt time.Duration, hint int) (float64, time.Duration, int) {
	n := len(t.ends)
	for _, i := range [2]int{hint, hint + 1} {
		if i >= n {
			i = 0
		}
		if i < 0 {
			continue
		}
		lo := time.Duration(0)
		if i > 0 {
			lo = t.ends[i-1]
		}
		if tt >= lo && tt < t.ends[i] {
			return t.rates[i], t.ends[i] - tt, i
		}
	}
	i := sort.Search(n, func(i int) bool { return t.ends[i] > tt })
	if i == n {
		i = n - 1
	}
	return t.rates[i], t.ends[i] - tt, i
}

// Link is a viewer's access link: a shared trace read from an offset and
// scaled. The zero Link has no capacity limit.
type Link struct {
	Trace  *Trace
	Offset time.Duration
	Scale  float64 // multiplies the trace; 0 means 1
}

// Rate returns the link's capacity in bytes/s at time now and when it
// next changes (Never for a constant link).
func (l Link) Rate(now time.Duration) (bytesPerSec float64, next time.Duration) {
	if l.Trace == nil {
		return Unlimited, Never
	}
	p := l.Trace.Period()
	tt := (now + l.Offset) % p
	r, left := l.Trace.at(tt)
	if len(l.Trace.ends) == 1 {
		left = Never - now
	}
	if l.Scale > 0 {
		r *= l.Scale
	}
	return r, now + left
}

// Unlimited is the rate of a link without a trace, in bytes/s (finite so
// that sums stay exact).
const Unlimited = 1e15

// rateHint is Rate with an interval hint; it returns the interval used.
func (l Link) rateHint(now time.Duration, hint int) (bytesPerSec float64, next time.Duration, idx int) {
	if l.Trace == nil {
		return Unlimited, Never, 0
	}
	tt := (now + l.Offset) % l.Trace.Period()
	r, left, idx := l.Trace.atHint(tt, hint)
	if len(l.Trace.ends) == 1 {
		left = Never - now
	}
	if l.Scale > 0 {
		r *= l.Scale
	}
	return r, now + left, idx
}

// Never is a time that never comes.
const Never = time.Duration(math.MaxInt64)

// TransferTime is how long the link alone needs to carry size bytes from
// time start (the live mode's per-viewer shaping). It is Never when the
// link delivers nothing for a whole period.
func (l Link) TransferTime(start time.Duration, size int64) time.Duration {
	if l.Trace == nil {
		return durationOf(float64(size) / Unlimited)
	}
	left := float64(size)
	t := start
	for guard := 0; left > 0; guard++ {
		r, next := l.Rate(t)
		if guard > 4*len(l.Trace.ends)+4 && r == 0 {
			return Never
		}
		if next == Never {
			if r <= 0 {
				return Never
			}
			return t - start + durationOf(left/r)
		}
		span := (next - t).Seconds()
		if r*span >= left {
			return t - start + durationOf(left/r)
		}
		left -= r * span
		t = next
	}
	return t - start
}

// Delivered is how many bytes the link alone carries in the d after
// start (what a viewer has received so far of a link-limited transfer).
func (l Link) Delivered(start, d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	if l.Trace == nil {
		return int64(Unlimited * d.Seconds())
	}
	got := 0.0
	for t, end := start, start+d; t < end; {
		r, next := l.Rate(t)
		if next == Never || next > end {
			next = end
		}
		if next <= t {
			break
		}
		got += r * (next - t).Seconds()
		t = next
	}
	return int64(got)
}
