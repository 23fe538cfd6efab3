// Package conformance checks that every driver runs the same player: one
// table of cases (a link that collapses mid-segment, an edge killed
// mid-play, a seek, a pause, the end of a title) is played by the
// real-time player.Player over loopback against a bandwidth-shaping
// server, by the live simulator and by the virtual simulator, and the
// decisions they make (levels, servers, abandonments) and their start-up,
// stall and bitrate are compared within stated tolerances.
//
// The package holds only tests; docs/conformance.md has the case ×
// driver table and the reasons for each tolerance.
package conformance
