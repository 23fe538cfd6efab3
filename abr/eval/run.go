package eval

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/abrkit/abrkit/abr"
	"github.com/abrkit/abrkit/abr/sabre"
	"github.com/abrkit/abrkit/abr/trace"
)

// Result aggregates one algorithm over a set of traces.
type Result struct {
	Algo            string  `json:"algo"`
	MeanQoE         float64 `json:"mean_qoe"`
	MeanBitrateKbps float64 `json:"mean_bitrate_kbps"`
	MeanRebufferS   float64 `json:"mean_rebuffer_s"`
	MeanSwitches    float64 `json:"mean_switches"`
	MeanAbandoned   float64 `json:"mean_abandoned"`
	// Sabre holds the means of Sabre's own metrics under RulesSabre.
	Sabre    *sabre.Metrics `json:"sabre,omitempty"`
	PerTrace []TraceResult  `json:"per_trace,omitempty"`
}

// Subset is the aggregate of every algorithm over one subset of traces.
type Subset struct {
	Name    string   `json:"name"`
	Traces  int      `json:"traces"`
	Results []Result `json:"results"`
}

// Report is the outcome of [Evaluate].
type Report struct {
	Preset string `json:"preset"`
	// SubsetBy tells how traces were grouped into subsets (data sets).
	SubsetBy string   `json:"subset_by,omitempty"`
	Traces   int      `json:"traces"`
	Results  []Result `json:"results"`
	Subsets  []Subset `json:"subsets,omitempty"`
}

// Options tune [Evaluate].
type Options struct {
	Workers  int  // parallel traces; defaults to runtime.GOMAXPROCS(0)
	PerTrace bool // keep per-trace results in the report
}

// Evaluate runs every algorithm (names of abr.New, plus "optimal") on
// every trace, in parallel over traces, and aggregates the results. The
// report does not depend on the number of workers.
func Evaluate(cfg Config, traces []*trace.Trace, v *trace.Video, algos []string, opt Options) (*Report, error) {
	for _, a := range algos {
		if err := CheckAlgorithm(cfg.Rules, a); err != nil {
			return nil, err
		}
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	per := make([][]TraceResult, len(algos)) // [algo][trace]
	for i := range per {
		per[i] = make([]TraceResult, len(traces))
	}
	errs := make([]error, len(traces))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, len(traces)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ti := range jobs {
				for ai, name := range algos {
					r, err := RunOne(cfg, traces[ti], v, name)
					if err != nil {
						errs[ti] = fmt.Errorf("%s on %s: %w", name, traces[ti].Name, err)
						break
					}
					r.Chunks = nil
					per[ai][ti] = r
				}
			}
		}()
	}
	for i := range traces {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	rep := &Report{Preset: cfg.Name, Traces: len(traces)}
	for ai, name := range algos {
		r := aggregate(name, per[ai])
		if opt.PerTrace {
			r.PerTrace = per[ai]
		}
		rep.Results = append(rep.Results, r)
	}
	if cfg.Subset != nil {
		names := slices.Clone(cfg.Subsets)
		for _, r := range per[0:min(1, len(per))] {
			for _, tr := range r {
				if tr.Subset != "" && !slices.Contains(names, tr.Subset) {
					names = append(names, tr.Subset)
				}
			}
		}
		for _, sn := range names {
			sub := Subset{Name: sn}
			for ai, name := range algos {
				var sel []TraceResult
				for _, tr := range per[ai] {
					if tr.Subset == sn {
						sel = append(sel, tr)
					}
				}
				sub.Traces = len(sel)
				if len(sel) > 0 {
					sub.Results = append(sub.Results, aggregate(name, sel))
				}
			}
			if sub.Traces > 0 {
				rep.Subsets = append(rep.Subsets, sub)
			}
		}
	}
	return rep, nil
}

// RunOne runs one algorithm (or "optimal") on one trace.
func RunOne(cfg Config, tr *trace.Trace, v *trace.Video, name string) (TraceResult, error) {
	if cfg.Rules == RulesSabre {
		return SimulateSabre(cfg, tr, v, name)
	}
	if err := CheckAlgorithm(cfg.Rules, name); err != nil {
		return TraceResult{}, err
	}
	if name == abr.Optimal {
		return RunOptimal(cfg, tr, v)
	}
	alg, err := abr.New(strings.TrimPrefix(name, OursPrefix))
	if err != nil {
		return TraceResult{}, err
	}
	return Simulate(cfg, tr, v, alg)
}

func aggregate(name string, rs []TraceResult) Result {
	r := Result{Algo: name}
	if len(rs) == 0 {
		return r
	}
	var sm sabre.Metrics
	withSabre := 0
	for _, t := range rs {
		r.MeanQoE += t.QoE
		r.MeanBitrateKbps += t.BitrateKbps
		r.MeanRebufferS += t.RebufferS
		r.MeanSwitches += float64(t.Switches)
		r.MeanAbandoned += float64(t.Abandoned)
		if t.Sabre != nil {
			withSabre++
			sm.TimeAveragePlayedBitrate += t.Sabre.TimeAveragePlayedBitrate
			sm.TotalRebuffer += t.Sabre.TotalRebuffer
			sm.RebufferRatio += t.Sabre.RebufferRatio
			sm.TimeAverageBitrateChange += t.Sabre.TimeAverageBitrateChange
			sm.TimeAverageScore += t.Sabre.TimeAverageScore
		}
	}
	n := float64(len(rs))
	r.MeanQoE /= n
	r.MeanBitrateKbps /= n
	r.MeanRebufferS /= n
	r.MeanSwitches /= n
	r.MeanAbandoned /= n
	if withSabre > 0 {
		k := float64(withSabre)
		sm.TimeAveragePlayedBitrate /= k
		sm.TotalRebuffer /= k
		sm.RebufferRatio /= k
		sm.TimeAverageBitrateChange /= k
		sm.TimeAverageScore /= k
		r.Sabre = &sm
	}
	return r
}

// Filter keeps the traces of one subset.
func Filter(cfg Config, traces []*trace.Trace, subset string) []*trace.Trace {
	if subset == "" || cfg.Subset == nil {
		return traces
	}
	var out []*trace.Trace
	for _, t := range traces {
		if cfg.Subset(t.Name) == subset {
			out = append(out, t)
		}
	}
	return out
}
