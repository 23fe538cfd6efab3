package eval

import (
	"math"
	"time"

	"github.com/abrkit/abrkit/abr"
	"github.com/abrkit/abrkit/abr/trace"
)

// dpNode is one surviving path of the offline optimum's programme: the
// best path into a (level, buffer bin) cell, with its exact player state.
type dpNode struct {
	p      player
	reward float64
	parent int32
	level  int8
}

// OptimalPlan returns the level of every segment that maximises the
// trace's score when the whole future capacity is known. It is a dynamic
// programme over segment x level x buffer (in bins of cfg.OptimalBin): each
// cell keeps its best path with the path's exact, undiscretised player
// state (buffer, trace position), so every plan it returns is feasible and
// its score is exactly what [Simulate] gives when replaying it. The buffer
// discretisation makes it a slight under-estimate of the true optimum.
func OptimalPlan(cfg Config, tr *trace.Trace, v *trace.Video) ([]int, error) {
	if v.Segments() == 0 || len(v.Bitrates) == 0 || len(v.Sizes) != len(v.Bitrates) {
		return nil, ErrNoVideo
	}
	if err := checkTrace(tr); err != nil {
		return nil, err
	}
	cfg.defaults(v)
	levels := len(v.Bitrates)
	binMs := float64(cfg.OptimalBin) / float64(time.Millisecond)
	maxBuf := cfg.MaxBuffer
	if maxBuf <= 0 {
		maxBuf = time.Duration(cfg.Chunks) * v.SegmentDuration
	}
	nbins := int(float64(maxBuf+2*v.SegmentDuration)/float64(time.Millisecond)/binMs) + 1
	cells := make([]int32, levels*nbins)

	// Segment 0 is fixed at the start level.
	start := player{cfg: &cfg, video: v, link: newLink(tr)}
	_, reb, _ := start.step(0, cfg.StartLevel)
	r0 := 0.0
	if !cfg.SkipFirst {
		r0 = cfg.QoE.Chunk(v.Bitrates[cfg.StartLevel], v.Bitrates[cfg.StartLevel], 0) - cfg.QoE.RebufferPenalty*reb/1000
	}
	layers := make([][]dpNode, cfg.Chunks)
	layers[0] = []dpNode{{p: start, reward: r0, parent: -1, level: int8(cfg.StartLevel)}}
	for k := 1; k < cfg.Chunks; k++ {
		for i := range cells {
			cells[i] = -1
		}
		next := make([]dpNode, 0, len(layers[k-1])*2)
		for pi := range layers[k-1] {
			from := &layers[k-1][pi]
			prev := v.Bitrates[from.level]
			for l := range levels {
				n := dpNode{p: from.p, parent: int32(pi), level: int8(l)}
				_, rebufMs, _ := n.p.step(k, l)
				n.reward = from.reward + cfg.QoE.Chunk(v.Bitrates[l], prev, 0) - cfg.QoE.RebufferPenalty*rebufMs/1000
				bin := min(int(n.p.bufferMs/binMs), nbins-1)
				c := l*nbins + bin
				if j := cells[c]; j >= 0 {
					o := &next[j]
					if n.reward > o.reward || (n.reward == o.reward && n.p.bufferMs > o.p.bufferMs) {
						*o = n
					}
					continue
				}
				cells[c] = int32(len(next))
				next = append(next, n)
			}
		}
		layers[k] = next
	}
	last := layers[cfg.Chunks-1]
	best, bestR := 0, math.Inf(-1)
	for i := range last {
		if last[i].reward > bestR {
			best, bestR = i, last[i].reward
		}
	}
	plan := make([]int, cfg.Chunks)
	for k, i := cfg.Chunks-1, best; k >= 0; k-- {
		n := layers[k][i]
		plan[k] = int(n.level)
		i = int(n.parent)
	}
	return plan, nil
}

// Plan is an algorithm that replays a fixed list of levels (for instance an
// [OptimalPlan]); past its end it repeats the last level.
type Plan struct{ Levels []int }

var _ abr.Algorithm = (*Plan)(nil)

// Name returns "optimal".
func (*Plan) Name() string { return abr.Optimal }

// Choose returns the planned level of the segment.
func (p *Plan) Choose(s *abr.State) int {
	if len(p.Levels) == 0 {
		return 0
	}
	return p.Levels[min(max(s.Index, 0), len(p.Levels)-1)]
}

// RunOptimal computes the offline optimum of the trace and replays it.
func RunOptimal(cfg Config, tr *trace.Trace, v *trace.Video) (TraceResult, error) {
	plan, err := OptimalPlan(cfg, tr, v)
	if err != nil {
		return TraceResult{}, err
	}
	return Simulate(cfg, tr, v, &Plan{Levels: plan})
}
