// Package report renders simulation results as a self-contained HTML page
// with inline SVG plots: QoE distributions, bitrate and buffer of sample
// viewers over time, sessions and per-edge load over time, cache hit
// ratio per edge, and request errors over time with fault windows shaded.
//
//	err := report.WriteHTML(w, res, res.Summarize())
package report
