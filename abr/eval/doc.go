// Package eval is abrkit's trace-driven ABR evaluator: it plays a video
// ([trace.Video]) over bandwidth traces ([trace.Trace]) with each
// algorithm of package abr, scores every session with QoE_lin and
// aggregates per algorithm and per subset of traces ([Evaluate]).
//
// The simulation rules come from a [Config]; [Pensieve] reproduces the
// Pensieve project's simulator exactly (its BB and robustMPC figures match
// the published ones to the last printed digit), [Sabre] reads Sabre's data
// with the same rules and Sabre's 25 s buffer.
//
// "optimal" is the offline optimum: [OptimalPlan] solves a dynamic
// programme over segment x level x discretised buffer knowing the whole
// future trace, and the plan is replayed by [Simulate] like any algorithm,
// so its score is exactly achievable.
//
// Results do not depend on the number of workers: traces run in parallel,
// each session is sequential and deterministic.
//
//	rep, err := eval.Evaluate(eval.Pensieve(), traces, video,
//		[]string{"bb", "robustmpc", "auto", "optimal"}, eval.Options{})
package eval
