package arrival

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/abrkit/abrkit/simulator/scenario"
)

// Pacer returns the vegeta pacer for deterministic processes (constant,
// ramp, sine); ok is false for the others (instant, poisson, flash).
func Pacer(a scenario.Arrival) (p vegeta.Pacer, ok bool) {
	switch a.Process {
	case "constant":
		return rate(float64(a.Rate)), true
	case "ramp":
		from := math.Max(float64(a.From), 1e-3)
		slope := (float64(a.To) - float64(a.From)) / a.Over.D().Seconds()
		return rampPacer{vegeta.LinearPacer{StartAt: rate(from), Slope: slope}, float64(a.To), a.Over.D()}, true
	case "sine":
		return vegeta.SinePacer{Period: a.Period.D(), Mean: rate(float64(a.Rate)), Amp: rate(float64(a.Amplitude)), StartAt: vegeta.MeanUp}, true
	}
	return nil, false
}

// rate converts events/s to a vegeta rate with microsecond resolution.
func rate(perSec float64) vegeta.Rate {
	if perSec >= 1 && perSec == math.Trunc(perSec) {
		return vegeta.Rate{Freq: int(perSec), Per: time.Second}
	}
	return vegeta.Rate{Freq: int(math.Round(perSec * 1000)), Per: 1000 * time.Second}
}

// rampPacer holds the final rate once the ramp is over.
type rampPacer struct {
	vegeta.LinearPacer
	to   float64
	over time.Duration
}

func (p rampPacer) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	if elapsed <= p.over {
		return p.LinearPacer.Pace(elapsed, hits)
	}
	// Hits due: those of the ramp plus `to` per second since its end.
	due := p.hitsAt(p.over) + p.to*(elapsed-p.over).Seconds()
	if float64(hits) < due {
		return 0, false
	}
	return time.Duration((float64(hits) + 1 - due) / p.to * float64(time.Second)), false
}

func (p rampPacer) hitsAt(t time.Duration) float64 {
	a := p.Slope
	b := p.StartAt.Rate(0)
	x := t.Seconds()
	return a*x*x/2 + b*x
}

func (p rampPacer) Rate(elapsed time.Duration) float64 {
	if elapsed > p.over {
		return p.to
	}
	return p.LinearPacer.Rate(elapsed)
}

// Times returns the arrival time of each of n viewers, ascending.
// Deterministic processes follow vegeta's pacers; poisson and flash draw
// from r.
func Times(a scenario.Arrival, n int, r *rand.Rand) ([]time.Duration, error) {
	out := make([]time.Duration, 0, n)
	switch a.Process {
	case "", "instant":
		for i := 0; i < n; i++ {
			var t time.Duration
			if a.Over > 0 {
				t = time.Duration(float64(a.Over) * float64(i) / float64(n))
			}
			out = append(out, t)
		}
		return out, nil
	case "poisson":
		var t float64
		for i := 0; i < n; i++ {
			out = append(out, time.Duration(t*float64(time.Second)))
			t += r.ExpFloat64() / float64(a.Rate)
		}
		return out, nil
	case "flash":
		if a.Burst > n {
			return nil, fmt.Errorf("arrival: a burst of %d is more than the %d viewers", a.Burst, n)
		}
		base := n - a.Burst
		p := rate(float64(a.Rate))
		out = pace(p, base, out)
		burst := make([]time.Duration, a.Burst)
		for i := range burst {
			// Arrivals in a flash crowd fall off exponentially over `over`:
			// most come early, none after the window.
			u := r.Float64()
			x := -math.Log(1-u*(1-math.Exp(-4))) / 4
			burst[i] = a.At.D() + time.Duration(x*float64(a.Over))
		}
		out = append(out, burst...)
		sortDurations(out)
		return out, nil
	}
	p, ok := Pacer(a)
	if !ok {
		return nil, fmt.Errorf("arrival: unknown process %q", a.Process)
	}
	return pace(p, n, out), nil
}

// pace walks a pacer as vegeta's attacker does, in virtual time.
func pace(p vegeta.Pacer, n int, out []time.Duration) []time.Duration {
	var t time.Duration
	var hits uint64
	for len(out) < cap(out) && int(hits) < n {
		wait, stop := p.Pace(t, hits)
		if stop {
			break
		}
		if wait <= 0 {
			out = append(out, t)
			hits++
			continue
		}
		t += wait
	}
	return out
}

func sortDurations(d []time.Duration) { slices.Sort(d) }
