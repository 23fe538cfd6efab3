// Package journey describes what viewers do in a streaming app and drives
// a backend with it.
//
// A [Journey] is a weighted graph of steps. Each step may send one HTTP
// request (method, URL, headers and body with {{var}} templating), checks
// the answer's status, extracts JSON fields into the viewer's variables,
// waits a think time drawn from a distribution, then moves to the next
// step chosen by weight. "exit" ends the viewer's session; a new viewer
// takes its place, so a run keeps N viewers busy.
//
// [Default] is abrkit's own journey against `abrkit serve`: app_start
// (login), home, row_page, search, details, play and heartbeat; its
// numbers and where they come from are in docs/journeys.md. The same file
// format drives any HTTP service (the steps are the user's own requests),
// as k6 would, in YAML.
//
// [Run] walks the graph live with one goroutine per viewer and returns
// per-step latency histograms (HDR) and outcomes; [Result.Judge] checks
// SLOs named api.<step>.latency.pNN and api.<step>.availability.
package journey
