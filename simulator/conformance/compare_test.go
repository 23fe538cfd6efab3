package conformance

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Tolerances between a driver and the virtual simulator (the reference:
// deterministic, no scheduling noise). docs/conformance.md says why each
// is what it is.
const (
	startupTol   = 500 * time.Millisecond
	stallTol     = time.Second
	bitrateTol   = 0.4 // relative to the virtual driver's mean bitrate
	abandonTol   = 1
	topLevelTol  = 1
	matrixLevels = 6 // rungs of the catalog's ladder
)

// compare returns how got (from a real-time driver) disagrees with want
// (the virtual driver) for case c; empty when they agree.
func compare(c Case, want, got Trace) []string {
	var out []string
	bad := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
	if !slices.Equal(got.Servers, want.Servers) {
		bad("servers %v; want %v", got.Servers, want.Servers)
	}
	if got.Abandons < c.MinAbandons || want.Abandons < c.MinAbandons {
		bad("abandons %d (virtual %d); want at least %d in every driver", got.Abandons, want.Abandons, c.MinAbandons)
	}
	if d := got.Abandons - want.Abandons; d < -abandonTol || d > abandonTol {
		bad("abandons %d; want %d ± %d", got.Abandons, want.Abandons, abandonTol)
	}
	if g, w := top(got.Levels), top(want.Levels); g < w-topLevelTol || g > w+topLevelTol {
		bad("highest level %d; want %d ± %d (levels %v vs %v)", g, w, topLevelTol, got.Levels, want.Levels)
	}
	if got.Ended != want.Ended {
		bad("ended %v; want %v", got.Ended, want.Ended)
	}
	if d := got.Startup - want.Startup; d.Abs() > startupTol {
		bad("start-up %v; want %v ± %v", got.Startup, want.Startup, startupTol)
	}
	if d := got.Stall - want.Stall; d.Abs() > stallTol {
		bad("stall %v; want %v ± %v", got.Stall, want.Stall, stallTol)
	}
	if want.Bitrate > 0 && math.Abs(got.Bitrate-want.Bitrate)/want.Bitrate > bitrateTol {
		bad("bitrate %.0f; want %.0f ± %.0f%%", got.Bitrate, want.Bitrate, bitrateTol*100)
	}
	return out
}

func top(levels []int) int {
	t := 0
	for _, l := range levels {
		t = max(t, min(l, matrixLevels-1))
	}
	return t
}
