//go:build race

package player_test

// raceEnabled: the race detector makes copying tens of MiB slow.
const raceEnabled = true
