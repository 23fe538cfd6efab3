package policy

import "time"

// Progress is how far a run has got, as both drivers report it.
type Progress struct {
	Now      time.Duration // time simulated (live: time since the start)
	Horizon  time.Duration // when the run is expected to end, in the same time
	Started  int           // sessions begun (viewers arrived)
	InFlight int           // sessions begun and not finished
	Finished int
	Total    int // sessions the run will have
}

// Fraction is the share of the run done, from 0 to 1: sessions finished,
// or time passed against the horizon while sessions are still playing,
// whichever is further (long sessions finish late, all at once).
func (p Progress) Fraction() float64 {
	f := 0.0
	if p.Total > 0 {
		f = float64(p.Finished) / float64(p.Total)
	}
	if p.Horizon > 0 {
		f = max(f, min(float64(p.Now)/float64(p.Horizon), 0.99))
	}
	if p.Total > 0 && p.Finished == p.Total {
		f = 1
	}
	return min(f, 1)
}

// Horizon estimates when a run ends: the last arrival plus the mean
// watch time (or the scenario's duration when it cuts the run first).
func Horizon(lastArrival, meanWatch, duration time.Duration) time.Duration {
	h := lastArrival + meanWatch
	if duration > 0 && duration < h {
		h = duration
	}
	return h
}
