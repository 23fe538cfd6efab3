// Package slo parses and judges service-level objectives written as
// thresholds, such as
//
//	startup_time.p95 < 2s
//	rebuffer_ratio.mean < 0.5%
//	play_failures.rate < 0.1%
//	api.play.latency.p99 < 300ms
//	availability > 99.9%
//
// [Parse] turns an expression into an [Objective]; [Evaluate] judges a list
// of objectives against a [Source] of observed values and returns one
// [Verdict] each. [Metrics] lists the metric names and their units.
package slo
