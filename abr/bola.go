package abr

import (
	"math"
	"time"
)

// BOLA defaults (dash.js).
const (
	DefaultBOLAMinBuffer      = 10 * time.Second // MINIMUM_BUFFER_S
	DefaultBOLAPerLevelBuffer = 2 * time.Second  // MINIMUM_BUFFER_PER_BITRATE_LEVEL_S
	DefaultStableBuffer       = 12 * time.Second // stableBufferTime
)

// BOLA is BOLA-E (Spiteri et al., "From theory to practice", MMSys 2018) as
// dash.js runs it: Lyapunov-optimal choice from the buffer level with
// logarithmic utilities, started by throughput, with a placeholder buffer
// that lets it keep a high level after a throughput-based start or a pause,
// and the BOLA-O guard that never climbs above the sustainable throughput
// level (oscillation avoidance).
type BOLA struct {
	MinBuffer    time.Duration // defaults to DefaultBOLAMinBuffer
	StableBuffer time.Duration // defaults to DefaultStableBuffer
	Safety       float64       // throughput safety; defaults to DefaultSafety

	steady      bool
	placeholder float64 // s
	lastNow     time.Duration
	hasLast     bool
	// parameters for the current ladder
	ladder    []int
	utilities []float64
	vp, gp    float64
	maxBuffer float64
}

var (
	_ Algorithm = (*BOLA)(nil)
	_ Abandoner = (*BOLA)(nil)
)

// NewBOLA returns BOLA-E with dash.js's defaults.
func NewBOLA() *BOLA {
	return &BOLA{MinBuffer: DefaultBOLAMinBuffer, StableBuffer: DefaultStableBuffer, Safety: DefaultSafety}
}

// Name returns "bola".
func (*BOLA) Name() string { return "bola" }

func (b *BOLA) setup(bitrates []int, maxBuffer, segment float64) {
	if len(b.ladder) == len(bitrates) && b.maxBuffer == maxBuffer {
		same := true
		for i := range bitrates {
			if b.ladder[i] != bitrates[i] {
				same = false
			}
		}
		if same {
			return
		}
	}
	b.ladder = append(b.ladder[:0], bitrates...)
	b.maxBuffer = maxBuffer
	b.utilities = make([]float64, len(bitrates))
	for i, r := range bitrates {
		b.utilities[i] = math.Log(float64(r)) - math.Log(float64(bitrates[0])) + 1
	}
	minBuf := b.MinBuffer
	if minBuf <= 0 {
		minBuf = DefaultBOLAMinBuffer
	}
	stable := b.StableBuffer
	if stable <= 0 {
		stable = DefaultStableBuffer
	}
	target := math.Max(stable.Seconds(), minBuf.Seconds()+DefaultBOLAPerLevelBuffer.Seconds()*float64(len(bitrates)))
	if maxBuffer > 0 {
		// The top level must be reachable within the player's buffer goal.
		target = math.Max(math.Min(target, maxBuffer-segment), minBuf.Seconds()*1.2)
	}
	top := b.utilities[len(bitrates)-1]
	if len(bitrates) == 1 || top <= 1 {
		b.gp, b.vp = 1, minBuf.Seconds()
		return
	}
	b.gp = (top - 1) / (target/minBuf.Seconds() - 1)
	b.vp = minBuf.Seconds() / b.gp
}

func (b *BOLA) fromBuffer(buf float64) int {
	best, bestScore := 0, math.Inf(-1)
	for i, r := range b.ladder {
		score := (b.vp*(b.utilities[i]+b.gp) - buf) / float64(r)
		if score >= bestScore {
			best, bestScore = i, score
		}
	}
	return best
}

func (b *BOLA) minBufferFor(q int) float64 {
	lo := 0.0
	for i := q - 1; i >= 0; i-- {
		if b.utilities[i] < b.utilities[q] {
			qb, ib := float64(b.ladder[q]), float64(b.ladder[i])
			lvl := b.vp * (b.gp + (qb*b.utilities[i]-ib*b.utilities[q])/(qb-ib))
			lo = math.Max(lo, lvl)
		}
	}
	return lo
}

func (b *BOLA) maxBufferFor(q int) float64 { return b.vp * (b.utilities[q] + b.gp) }

// Choose picks a level from the buffer level plus the placeholder buffer.
func (b *BOLA) Choose(s *State) int {
	if len(s.Bitrates) == 0 {
		return 0
	}
	b.setup(s.Bitrates, s.MaxBuffer.Seconds(), s.segDur())
	safety := b.Safety
	if safety <= 0 {
		safety = DefaultSafety
	}
	buf := s.Buffer.Seconds()
	qThr := 0
	est, ok := s.estimate()
	if ok {
		qThr = levelBelow(s.Bitrates, est*safety)
	}
	// Wall time that passed without downloading drains the placeholder.
	if b.hasLast {
		idle := (s.Now - b.lastNow).Seconds()
		if n := len(s.History); n > 0 {
			idle -= s.History[n-1].Download.Seconds()
		}
		if idle > 0 {
			b.placeholder = math.Max(0, b.placeholder-idle)
		}
	}
	b.lastNow, b.hasLast = s.Now, true

	if !b.steady {
		if buf < s.segDur() && (s.Startup || len(s.History) == 0) {
			q := qThr
			b.placeholder = math.Max(0, b.minBufferFor(q)-buf)
			return q
		}
		b.steady = true
	}
	if s.Rebuffering || buf <= 0 {
		b.placeholder = 0
	}
	q := b.fromBuffer(buf + b.placeholder)
	last := s.Last
	if ok && q > last && q > qThr {
		q = max(qThr, last)
	}
	delay := math.Max(0, buf+b.placeholder-b.maxBufferFor(q))
	if delay <= b.placeholder {
		b.placeholder -= delay
	} else {
		b.placeholder = 0
	}
	return clampLevel(s.Bitrates, q)
}

// Abandon gives up a download that would outlast the buffer.
func (*BOLA) Abandon(s *State, p Progress) (int, bool) { return abandonForStall(s, p) }
