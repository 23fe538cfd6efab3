package abr

import "math"

// DefaultHorizon is MPC's look-ahead in segments.
const DefaultHorizon = 5

// MPC is model-predictive control (Yin et al., SIGCOMM 2015): forecast the
// throughput as the harmonic mean of the last 5 segments, try every level
// combination for the next Horizon segments, simulate the buffer under the
// forecast and fetch the first level of the combination with the best
// QoE_lin. Ties go to the combination enumerated last in lexicographic
// order, as the reference code does.
//
// RobustMPC additionally divides the forecast by 1 + the largest relative
// forecast error of the last 5 segments. [NewRobustMPC] also mimics the
// Pensieve reference code's off-by-one (it reads the sizes of the segments
// one position later than those it chooses for) so that its figures match
// the literature; [NewMPC] reads the right ones.
type MPC struct {
	Horizon int // defaults to DefaultHorizon
	Robust  bool
	// PensieveOffByOne reads segment sizes one index late, as the Pensieve
	// reference robustMPC does. Only for reproducing published figures.
	PensieveOffByOne bool

	name      string
	samples   []float64 // MB/s (KB/ms), the reference code's unit
	estimates []float64 // past harmonic means
	errors    []float64
	lastIdx   int
}

var _ Algorithm = (*MPC)(nil)

// NewMPC returns plain MPC (no error discount, exact sizes).
func NewMPC() *MPC { return &MPC{Horizon: DefaultHorizon, name: "mpc", lastIdx: -1} }

// NewRobustMPC returns robustMPC exactly as the Pensieve reference code
// runs it, off-by-one included.
func NewRobustMPC() *MPC {
	return &MPC{Horizon: DefaultHorizon, Robust: true, PensieveOffByOne: true, name: "robustmpc", lastIdx: -1}
}

// Name returns "mpc" or "robustmpc".
func (m *MPC) Name() string {
	if m.name == "" {
		if m.Robust {
			return "robustmpc"
		}
		return "mpc"
	}
	return m.name
}

// observe takes the newest chunk of the history as a sample, once per
// segment index.
func (m *MPC) observe(s *State) {
	if len(s.History) == 0 || s.Index == m.lastIdx {
		return
	}
	m.lastIdx = s.Index
	c := s.History[len(s.History)-1]
	if c.Bytes <= 0 || c.Download <= 0 {
		return
	}
	delayMs := float64(c.Download) / 1e6
	sample := float64(c.Bytes) / delayMs / 1000 // KB/ms = MB/s
	curErr := 0.0
	if n := len(m.estimates); n > 0 {
		curErr = math.Abs(m.estimates[n-1]-sample) / sample
	}
	m.errors = appendBounded(m.errors, curErr, 5)
	m.samples = appendBounded(m.samples, sample, 5)
}

func appendBounded(v []float64, x float64, n int) []float64 {
	v = append(v, x)
	if len(v) > n {
		copy(v, v[len(v)-n:])
		v = v[:n]
	}
	return v
}

// Choose runs the MPC search.
func (m *MPC) Choose(s *State) int {
	n := len(s.Bitrates)
	if n == 0 {
		return 0
	}
	m.observe(s)
	if len(m.samples) == 0 {
		if est, ok := s.estimate(); ok {
			return levelBelow(s.Bitrates, est)
		}
		return 0
	}
	harmonic := harmonicMean(m.samples)
	future := harmonic
	if m.Robust {
		maxErr := 0.0
		for _, e := range m.errors {
			maxErr = math.Max(maxErr, e)
		}
		future = harmonic / (1 + maxErr)
	}
	m.estimates = appendBounded(m.estimates, harmonic, 5)

	h := m.Horizon
	if h <= 0 {
		h = DefaultHorizon
	}
	if s.Remaining >= 0 && s.Remaining < h {
		h = s.Remaining
	}
	if h <= 0 {
		return clampLevel(s.Bitrates, s.Last)
	}
	off := 0
	if m.PensieveOffByOne {
		off = 1
	}
	sizes := make([]float64, h*n) // MB
	for p := range h {
		for l := range n {
			sizes[p*n+l] = s.sizeOf(s.Index+p+off, l) / 1e6
		}
	}
	last := s.Last
	if last < 0 {
		last = 0
	}
	q := LinQoE(s.Bitrates)
	return mpcSearch(mpcProblem{
		buffer: s.Buffer.Seconds(), last: last, horizon: h, levels: n,
		sizesMB: sizes, bwMBps: future, segDur: s.segDur(),
		bitrates: s.Bitrates, rebufPenalty: q.RebufferPenalty, switchPenalty: q.SwitchPenalty,
	})
}

type mpcProblem struct {
	buffer        float64 // s
	last          int
	horizon       int
	levels        int
	sizesMB       []float64 // [position*levels + level]
	bwMBps        float64
	segDur        float64
	bitrates      []int // bps
	rebufPenalty  float64
	switchPenalty float64
}

// mpcSearch enumerates every combination depth-first in lexicographic order
// (sharing prefixes) and returns the first level of the best one; ties go
// to the last enumerated. The arithmetic follows the reference code step by
// step so that results match it to the last bit.
func mpcSearch(p mpcProblem) int {
	best, bestReward := 0, math.Inf(-1)
	first := 0
	var rec func(depth int, buf, rebuf float64, bitSum, smooth, last int)
	top := p.bitrates[p.levels-1]
	rec = func(depth int, buf, rebuf float64, bitSum, smooth, last int) {
		if depth > 0 && depth < p.horizon {
			// Branch and bound: the rest adds at most the top bitrate per
			// segment. Prune only strictly worse subtrees (with a margin for
			// rounding) so that ties still go to the last enumerated.
			bound := float64(bitSum+(p.horizon-depth)*top)/1e6 - p.rebufPenalty*rebuf - p.switchPenalty*float64(smooth)/1e6
			if bound < bestReward-1e-9 {
				return
			}
		}
		if depth == p.horizon {
			reward := float64(bitSum)/1e6 - p.rebufPenalty*rebuf - p.switchPenalty*float64(smooth)/1e6
			if reward >= bestReward {
				bestReward, best = reward, first
			}
			return
		}
		for l := 0; l < p.levels; l++ {
			if depth == 0 {
				first = l
			}
			dl := p.sizesMB[depth*p.levels+l] / p.bwMBps
			b, r := buf, rebuf
			if b < dl {
				r += dl - b
				b = 0
			} else {
				b -= dl
			}
			b += p.segDur
			d := p.bitrates[l] - p.bitrates[last]
			if d < 0 {
				d = -d
			}
			rec(depth+1, b, r, bitSum+p.bitrates[l], smooth+d, l)
		}
	}
	rec(0, p.buffer, 0, 0, 0, p.last)
	return best
}
