//go:build race

package conformance

// raceEnabled: the race detector slows the real-time drivers several
// times over, so their timing is not compared (the runs still check for
// data races).
const raceEnabled = true
