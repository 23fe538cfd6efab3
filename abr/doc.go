// Package abr holds the adaptive-bitrate decision logic of abrkit:
// bandwidth estimators ([Estimator]), ABR algorithms ([Algorithm], with the
// optional [Abandoner]) and the QoE metric ([QoE]).
//
// Everything here is pure: an algorithm is given a [State] (buffer level,
// bandwidth estimate, ladder, recent history, exact segment sizes when the
// manifest tells them) and answers a level. Nothing reads the clock, sleeps
// or does I/O, so the same code runs in the real-time player, in the
// virtual-time simulator and in the trace-driven evaluator (package
// [github.com/abrkit/abrkit/abr/eval]).
//
// Algorithms are made by name with [New] ([Names] lists them):
//
//   - "throughput": rate-based, the highest level below a safety fraction of
//     the estimate ([Throughput]);
//   - "bb": buffer-based BBA-0 with a reservoir and a cushion ([BB]);
//   - "bola": BOLA-E with a placeholder buffer, as dash.js does ([BOLA]);
//   - "dynamic": dash.js's DYNAMIC strategy, throughput at low buffer and
//     BOLA above it, with the insufficient-buffer and switch-history guards
//     ([Dynamic]);
//   - "mpc" and "robustmpc": model-predictive control over 5 segments with a
//     harmonic-mean forecast; robustmpc discounts it by the recent forecast
//     error and mimics the Pensieve reference code exactly ([MPC]);
//   - "auto": our default, a stochastic MPC with a calibrated
//     throughput-error model and a terminal buffer value ([Auto]).
//
// The offline optimum ("optimal") needs the whole future trace and lives in
// the evaluator.
//
// Estimators are made by name with [NewEstimator]: "ewma" (dual EWMA as
// hls.js, Shaka and dash.js do; the default, see [DefaultEstimator]),
// "percentile" (ExoPlayer's sliding weighted percentile) and "harmonic"
// (harmonic mean of the last N samples, as MPC uses).
package abr
