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
// # How auto works
//
// QoE_lin rewards bitrate, charges 4.3 per second of stall and charges every
// switch by its size. An online algorithm loses against the offline optimum
// in three ways: it stalls when the link falls short of its forecast, it
// plays below what the link would have carried, and it switches more. MPC
// (Yin et al., SIGCOMM 2015) balances the three over a short horizon but
// plans against one throughput value; robustMPC makes that value
// pessimistic by the worst recent error, which costs bitrate on stable
// links and still stalls on links whose errors are larger than the last
// five. [Auto] keeps MPC's exhaustive search but replaces the point
// forecast with a calibrated error model, in the spirit of stochastic MPC
// (Fugu, Yan et al., NSDI 2020):
//
//   - Forecast: harmonic mean of the last 5 segment throughputs (robust to
//     spikes), or the last throughput when it is lower, so a collapse is
//     believed at once and a recovery only gradually.
//   - Uncertainty: each segment records actual/forecast. The plan is
//     scored against 5 scenarios, the 10/30/50/70/90 % quantiles of the
//     last 50 such ratios (the whole record of a short session: the rare
//     deep misses that the low quantiles need are not forgotten after 20
//     segments), shrunk towards a prior (0.6 .. 1.25) while the session is
//     young. The expected QoE over scenarios charges a plan for
//     its stall risk in proportion to its probability instead of the worst
//     case: with a large buffer a pessimistic scenario costs little, so
//     auto plays high; with a small one it costs a lot.
//   - Exact sizes: plans use the real next segment sizes
//     (State.SegmentSize, from the manifest or sidx) and cap the buffer at
//     the player's goal, where the player sleeps, so spare buffer is spent
//     on quality rather than wasted.
//   - Buffer-aware safety beyond the horizon: a plan that ends below a
//     fifth of the player's buffer goal (12 s of Pensieve's 60, 5 s of
//     Sabre's 25; 12 s when the goal is unknown) pays 3 per missing second
//     (unless the video ends within the horizon). Without it a 5-segment
//     plan happily spends all the buffer that the next dip will need; with
//     an absolute 12 s a 25 s buffer is run too cautiously.
//   - Return cost: a plan whose last level is above a scenario's rate
//     still owes the switch down beyond the horizon; it pays the switch
//     penalty per Mbit/s of the excess in that scenario. Without it a
//     5-segment plan climbs on a spell of spare buffer and comes back
//     down after it (mean QoE +0.6% on Pensieve's FCC traces, +1.6% on
//     its Norway logs).
//   - Abandonment: a download that has lasted one segment duration and
//     half the buffer, and whose rest, at the rate measured so far, would
//     outlast the buffer, is given up for the highest level that fits.
//     Checked earlier, the rate of the first fraction of a second
//     (latency included) misjudges fast links: on Sabre's 4G logs auto
//     abandoned up to 34 downloads a session that would have arrived in
//     time. Waiting half the buffer lets a full buffer ride out a short
//     outage instead of refetching a top-level segment at the bottom of
//     the ladder (two switches across it) when waiting costs no stall.
//   - Stability: switches are weighted twice in planning, and auto keeps
//     its level unless the best plan beats the best plan that keeps it by
//     a tenth of a segment at the top bitrate (hysteresis), which damps
//     oscillation between two levels around the link rate (a fifth of the
//     switches on Pensieve's traces, for about 0.2% of the QoE).
//
// A branch-and-bound cut (the rest of a plan can add at most the top
// bitrate per segment) makes the search about ten times faster than plain
// enumeration without changing any decision. Parameters were tuned on
// Pensieve's FCC training traces and a sample of Sabre's hd_fs traces and
// checked on the Norway logs, Sabre's 4G logs and its sd_fs traces; the
// cross-dataset figures are in docs/abr.md of the repository.
//
// Estimators are made by name with [NewEstimator]: "ewma" (dual EWMA as
// hls.js, Shaka and dash.js do; the default, see [DefaultEstimator]),
// "percentile" (ExoPlayer's sliding weighted percentile) and "harmonic"
// (harmonic mean of the last N samples, as MPC uses).
package abr
