//go:build !race

package download

const raceEnabled = false
