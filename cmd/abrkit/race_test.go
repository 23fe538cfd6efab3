//go:build race

package main

// raceEnabled: tests that judge real-time runs relax under the race
// detector, which slows the players several times over.
const raceEnabled = true
