//go:build race

package download

// raceEnabled: timings under the race detector are several times slower.
const raceEnabled = true
