package eval

import (
	"fmt"
	"strings"
	"time"

	"github.com/abrkit/abrkit/abr"
	"github.com/abrkit/abrkit/abr/sabre"
	"github.com/abrkit/abrkit/abr/trace"
)

// Rules names the simulation rules of a [Config].
type Rules string

// Simulation rules.
const (
	// RulesPensieve: the Pensieve simulator (latency added to the delay
	// without spending trace time, sleep after a segment once the buffer
	// exceeds its size), as the shared traces' README writes it.
	RulesPensieve Rules = "pensieve"
	// RulesSabre: Sabre's simulator (package abr/sabre): latency spends
	// trace time, throughput samples leave it out, the player waits
	// before a request until the segment fits in the buffer, downloads
	// may be abandoned.
	RulesSabre Rules = "sabre"
)

// OursPrefix names abrkit's own algorithm under the sabre rules when
// Sabre has one of the same name ("abrkit-bola" is ours, "bola" Sabre's).
const OursPrefix = "abrkit-"

// SabreNames lists the algorithms that, under the sabre rules, are
// Sabre's own (sabre.py's -a names).
func SabreNames() []string { return sabre.Names() }

// CheckAlgorithm reports whether the named algorithm can run under the
// rules (Sabre's own algorithms only under RulesSabre).
func CheckAlgorithm(r Rules, name string) error {
	if name == abr.Optimal {
		return nil
	}
	if _, ok := sabre.New(name); ok && r == RulesSabre {
		return nil
	}
	_, err := abr.New(strings.TrimPrefix(name, OursPrefix))
	if _, ok := sabre.New(name); ok && err != nil {
		return fmt.Errorf("algorithm %q: Sabre's, runs under the sabre preset only: %w", name, abr.ErrUnknown)
	}
	return err
}

// sabreAlgo returns the named algorithm in Sabre's shape.
func sabreAlgo(cfg Config, tr *trace.Trace, v *trace.Video, name string) (sabre.Algorithm, error) {
	if name == abr.Optimal {
		plan, err := OptimalPlan(cfg, tr, v)
		if err != nil {
			return nil, err
		}
		return sabre.Adapt(&Plan{Levels: plan}), nil
	}
	if a, ok := sabre.New(name); ok {
		return a, nil
	}
	a, err := abr.New(strings.TrimPrefix(name, OursPrefix))
	if err != nil {
		return nil, err
	}
	return sabre.Adapt(a), nil
}

// SimulateSabre plays the video over the trace under Sabre's rules and
// scores it with QoE_lin (a segment's stall is the stall since the
// previous segment arrived) and with Sabre's own metrics.
func SimulateSabre(cfg Config, tr *trace.Trace, v *trace.Video, name string) (TraceResult, error) {
	if v.Segments() == 0 || len(v.Bitrates) == 0 || len(v.Sizes) != len(v.Bitrates) {
		return TraceResult{}, ErrNoVideo
	}
	if err := checkTrace(tr); err != nil {
		return TraceResult{}, err
	}
	cfg.defaults(v)
	alg, err := sabreAlgo(cfg, tr, v, name)
	if err != nil {
		return TraceResult{}, err
	}
	m := sabre.FromVideo(v)
	m.Segments = m.Segments[:cfg.Chunks]
	sc := sabre.DefaultConfig()
	sc.MaxBuffer = float64(cfg.MaxBuffer) / float64(time.Millisecond)
	sc.NoAbandon = !cfg.Abandon
	out, err := sabre.Run(sc, m, sabre.FromTrace(tr, cfg.RTT), alg)
	if err != nil {
		return TraceResult{}, fmt.Errorf("%s: %w", tr.Name, err)
	}
	res := TraceResult{Trace: tr.Name, Chunks: make([]ChunkLog, 0, len(out.Segments)), Abandoned: out.Abandoned}
	if cfg.Subset != nil {
		res.Subset = cfg.Subset(tr.Name)
	}
	metrics := out.Metrics
	res.Sabre = &metrics
	prev := out.Segments[0].Level
	bitSum, scored := 0.0, 0
	for k, s := range out.Segments {
		q := cfg.QoE.Chunk(v.Bitrates[s.Level], v.Bitrates[prev], 0) - cfg.QoE.RebufferPenalty*s.Rebuffer/1000
		res.Chunks = append(res.Chunks, ChunkLog{Level: s.Level, Bytes: int64(s.Bits / 8), DelayS: s.Time / 1000,
			RebufferS: s.Rebuffer / 1000, BufferS: s.Buffer / 1000, QoE: q})
		if k > 0 || !cfg.SkipFirst {
			res.QoE += q
			res.RebufferS += s.Rebuffer / 1000
			bitSum += float64(v.Bitrates[s.Level]) / 1000
			if s.Level != prev {
				res.Switches++
			}
			scored++
		}
		prev = s.Level
	}
	if scored > 0 {
		res.BitrateKbps = bitSum / float64(scored)
	}
	return res, nil
}
