package abr

import (
	"math"
	"slices"
)

// Auto defaults (tuned on Pensieve's FCC training traces, checked on the
// Norway ones).
const (
	DefaultAutoHorizon        = 5  // segments planned ahead
	DefaultAutoWindow         = 5  // samples in the harmonic-mean forecast
	DefaultAutoErrors         = 50 // forecast errors remembered
	DefaultAutoTerminalTarget = 12 // s of buffer wished for at the horizon's end when the buffer goal is unknown
	DefaultAutoTerminalWeight = 3  // QoE per second missing from it
	DefaultAutoSwitchWeight   = 2  // planner's switch penalty, times the metric's
	// DefaultAutoReturnWeight prices, at the horizon's end, the switch
	// down a plan still owes when it ends above the rate of a scenario:
	// this many times the metric's switch penalty per Mbit/s of excess.
	DefaultAutoReturnWeight = 1
	// DefaultAutoAbandonWait is how long, as a fraction of the buffer,
	// a download must have lasted before auto gives it up.
	DefaultAutoAbandonWait = 0.5
	// DefaultAutoHysteresis is how much better, in segments of the top
	// bitrate, the best plan must score than the best plan that keeps the
	// current level for auto to switch.
	DefaultAutoHysteresis = 0.1
	autoMaxPlans          = 20000
	// DefaultAutoTerminalFraction is the buffer wished for at the
	// horizon's end as a fraction of the player's buffer goal (12 s of
	// Pensieve's 60, 5 s of Sabre's 25).
	DefaultAutoTerminalFraction = 0.2
)

// DefaultAutoPrior returns the throughput-error model before the session
// has its own: multipliers of the forecast at the planned quantiles.
func DefaultAutoPrior() []float64 { return []float64{0.6, 0.85, 1, 1.1, 1.25} }

// DefaultAutoQuantiles returns the error quantiles planned against,
// equally weighted.
func DefaultAutoQuantiles() []float64 { return []float64{0.1, 0.3, 0.5, 0.7, 0.9} }

// Auto is abrkit's default algorithm, a stochastic model-predictive
// controller:
//
//   - forecast: harmonic mean of the last Window segment throughputs, or
//     the last one when it is lower (drop at once, rise slowly);
//   - uncertainty: the session's own record of actual/forecast ratios (the
//     last Errors of them), read at Quantiles and shrunk towards Prior
//     while the record is short (weight n/(n+5));
//   - plan: every level sequence over Horizon segments with the exact
//     segment sizes, each scored by its QoE_lin averaged over the error
//     scenarios (buffer capped at MaxBuffer, as the player sleeps there),
//     switches weighted SwitchWeight times, and a terminal cost of
//     TerminalWeight per second the buffer ends below TerminalTarget
//     (unless the video ends within the horizon), and a return cost of
//     ReturnWeight switch penalties per Mbit/s by which the plan's last
//     level exceeds the scenario's rate (the switch down it still owes);
//   - act: the first level of the best plan, unless the best plan that
//     keeps the current level scores within Hysteresis segments of the
//     top bitrate of it;
//   - abandon: a download still in flight after one segment duration and
//     after AbandonWait of the buffer, whose rest, at the rate measured
//     so far, would outlast the buffer, is given up for the highest level
//     that fits.
//
// The horizon shrinks with large ladders so that at most 20000 plans are
// scored per decision.
type Auto struct {
	Horizon        int       // defaults to DefaultAutoHorizon
	Window         int       // defaults to DefaultAutoWindow
	Errors         int       // defaults to DefaultAutoErrors
	TerminalTarget float64   // s; defaults to DefaultAutoTerminalFraction of State.MaxBuffer, else DefaultAutoTerminalTarget
	TerminalWeight float64   // defaults to DefaultAutoTerminalWeight; negative disables
	SwitchWeight   float64   // defaults to DefaultAutoSwitchWeight
	ReturnWeight   float64   // defaults to DefaultAutoReturnWeight; negative disables
	AbandonWait    float64   // fraction of the buffer; defaults to DefaultAutoAbandonWait; negative disables
	Hysteresis     float64   // defaults to DefaultAutoHysteresis; negative disables
	Prior          []float64 // defaults to DefaultAutoPrior()
	Quantiles      []float64 // defaults to DefaultAutoQuantiles()

	rates    []float64 // bytes/s
	ratios   []float64 // actual / forecast
	forecast float64   // forecast made for the segment in flight
	lastIdx  int
}

var (
	_ Algorithm = (*Auto)(nil)
	_ Abandoner = (*Auto)(nil)
)

// NewAuto returns the default algorithm.
func NewAuto() *Auto {
	return &Auto{
		Horizon: DefaultAutoHorizon, Window: DefaultAutoWindow, Errors: DefaultAutoErrors,
		TerminalWeight: DefaultAutoTerminalWeight,
		SwitchWeight:   DefaultAutoSwitchWeight,
		ReturnWeight:   DefaultAutoReturnWeight,
		AbandonWait:    DefaultAutoAbandonWait,
		Prior:          DefaultAutoPrior(), Quantiles: DefaultAutoQuantiles(),
		lastIdx: -1,
	}
}

// Name returns "auto".
func (*Auto) Name() string { return "auto" }

func (a *Auto) observe(s *State) {
	if len(s.History) == 0 || s.Index == a.lastIdx {
		return
	}
	a.lastIdx = s.Index
	c := s.History[len(s.History)-1]
	if c.Bytes <= 0 || c.Download <= 0 {
		return
	}
	r := float64(c.Bytes) / c.Download.Seconds()
	if a.forecast > 0 {
		a.ratios = appendBounded(a.ratios, r/a.forecast, orDefault(a.Errors, DefaultAutoErrors))
	}
	a.rates = appendBounded(a.rates, r, orDefault(a.Window, DefaultAutoWindow))
}

// scenarios returns the throughput multipliers to plan against.
func (a *Auto) scenarios() []float64 {
	// The zero value plans against the default quantiles, and quantiles
	// without a prior fall back on the default one.
	quants, prior := a.Quantiles, a.Prior
	if len(quants) == 0 {
		quants = DefaultAutoQuantiles()
	}
	if len(prior) == 0 {
		prior = DefaultAutoPrior()
		if len(prior) != len(quants) {
			prior = []float64{1}
		}
	}
	n := len(quants)
	out := make([]float64, n)
	sorted := slices.Clone(a.ratios)
	slices.Sort(sorted)
	// Blend the empirical quantiles with the prior by sample count.
	w := float64(len(sorted)) / float64(len(sorted)+5)
	for i, q := range quants {
		p := prior[min(i, len(prior)-1)]
		if len(sorted) == 0 {
			out[i] = p
			continue
		}
		emp := sorted[min(int(q*float64(len(sorted))), len(sorted)-1)]
		out[i] = w*emp + (1-w)*p
	}
	return out
}

// Choose plans the next segments against several throughput scenarios and
// returns the first level of the plan with the best expected QoE.
func (a *Auto) Choose(s *State) int {
	n := len(s.Bitrates)
	if n == 0 {
		return 0
	}
	a.observe(s)
	if len(a.rates) == 0 {
		if est, ok := s.estimate(); ok {
			return levelBelow(s.Bitrates, est*0.8)
		}
		return 0
	}
	f := harmonicMean(a.rates)
	// Drop at once when the last segment came in below the forecast.
	f = math.Min(f, a.rates[len(a.rates)-1])
	a.forecast = f
	h := a.Horizon
	if h <= 0 {
		h = DefaultAutoHorizon
	}
	for h > 1 && math.Pow(float64(n), float64(h)) > autoMaxPlans {
		h--
	}
	if s.Remaining >= 0 && s.Remaining < h {
		h = s.Remaining
	}
	if h <= 0 {
		return clampLevel(s.Bitrates, s.Last)
	}
	sc := a.scenarios()
	q := LinQoE(s.Bitrates)
	seg := s.segDur()
	swMul := a.SwitchWeight
	if swMul <= 0 {
		swMul = DefaultAutoSwitchWeight
	}
	maxBuf := s.MaxBuffer.Seconds()
	// dl[p][l][j]: download seconds of position p at level l in scenario j.
	S := len(sc)
	dl := make([]float64, h*n*S)
	for p := range h {
		for l := range n {
			size := s.sizeOf(s.Index+p, l)
			for j, m := range sc {
				dl[(p*n+l)*S+j] = size / (f * m)
			}
		}
	}
	last := max(s.Last, 0)
	bufs := make([]float64, (h+1)*S)
	rebs := make([]float64, (h+1)*S)
	for j := range S {
		bufs[j] = s.Buffer.Seconds()
	}
	terminal := !(s.Remaining >= 0 && s.Remaining <= h)
	tw, tt := a.TerminalWeight, a.terminalTarget(s)
	if tw == 0 {
		tw = DefaultAutoTerminalWeight
	}
	rw := a.ReturnWeight
	if rw == 0 {
		rw = DefaultAutoReturnWeight
	}
	best, bestV, first := 0, math.Inf(-1), 0
	last0, stayV := last, math.Inf(-1)

	var rec func(p int, gain float64, last int)
	top := float64(s.Bitrates[n-1]) / 1e6
	rec = func(p int, gain float64, last int) {
		if p > 0 && p < h {
			// Branch and bound: the rest can add at most the top bitrate
			// per segment; stalls and the terminal cost only subtract.
			reb := 0.0
			for j := range S {
				reb += rebs[p*S+j]
			}
			if gain-q.RebufferPenalty*reb/float64(S)+float64(h-p)*top <= bestV {
				return
			}
		}
		if p == h {
			v := 0.0
			for j := range S {
				v -= q.RebufferPenalty * rebs[p*S+j]
				if terminal && tw > 0 {
					v -= tw * math.Max(0, tt-bufs[p*S+j])
				}
				if terminal && rw > 0 {
					// f is in bytes/s, the ladder in bit/s.
					v -= rw * q.SwitchPenalty * math.Max(0, float64(s.Bitrates[last])-8*f*sc[j]) / 1e6
				}
			}
			v = gain + v/float64(S)
			if v > bestV {
				best, bestV = first, v
			}
			if first == last0 && v > stayV {
				stayV = v
			}
			return
		}
		for l := range n {
			if p == 0 {
				first = l
			}
			for j := range S {
				b, r := bufs[p*S+j], rebs[p*S+j]
				d := dl[(p*n+l)*S+j]
				if b < d {
					r += d - b
					b = 0
				} else {
					b -= d
				}
				b += seg
				if maxBuf > 0 && b > maxBuf {
					b = maxBuf
				}
				bufs[(p+1)*S+j], rebs[(p+1)*S+j] = b, r
			}
			g := float64(s.Bitrates[l])/1e6 - swMul*q.SwitchPenalty*math.Abs(float64(s.Bitrates[l]-s.Bitrates[last]))/1e6
			rec(p+1, gain+g, l)
		}
	}
	rec(0, 0, last)
	hm := a.Hysteresis
	if hm == 0 {
		hm = DefaultAutoHysteresis
	}
	if s.Last >= 0 && stayV > math.Inf(-1) && bestV-stayV < hm*top {
		return last0
	}
	return best
}

// terminalTarget returns the buffer in seconds wished for at the
// horizon's end.
func (a *Auto) terminalTarget(s *State) float64 {
	switch {
	case a.TerminalTarget > 0:
		return a.TerminalTarget
	case s.MaxBuffer > 0:
		return DefaultAutoTerminalFraction * s.MaxBuffer.Seconds()
	}
	return DefaultAutoTerminalTarget
}

func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// Abandon gives up a download that would outlast the buffer and refetches
// at the highest level that fits (dash.js's AbandonRequestsRule), once the
// download has lasted one segment duration and AbandonWait of the buffer:
// earlier, the rate measured over a fraction of a second (the request's
// latency included) misjudges the link and abandons downloads that would
// have finished in time, and with a full buffer a short outage would drop
// a top-level segment to the bottom of the ladder (two switches across
// it) although waiting it out costs no stall.
func (a *Auto) Abandon(s *State, p Progress) (int, bool) {
	el := p.Elapsed.Seconds()
	if el < s.segDur() {
		return 0, false
	}
	w := a.AbandonWait
	if w == 0 {
		w = DefaultAutoAbandonWait
	}
	if w > 0 && el < w*s.Buffer.Seconds() {
		return 0, false
	}
	return abandonForStall(s, p)
}
