package abr

import (
	"math"
	"time"
)

// levelBelow returns the highest level whose bitrate is at most bps, or 0.
func levelBelow(bitrates []int, bps float64) int {
	l := 0
	for i, b := range bitrates {
		if float64(b) <= bps {
			l = i
		}
	}
	return l
}

// clampLevel keeps l within the ladder.
func clampLevel(bitrates []int, l int) int {
	return max(0, min(l, len(bitrates)-1))
}

// segDur returns the state's segment duration in seconds, 4 s when unset.
func (s *State) segDur() float64 {
	if s.SegmentDuration <= 0 {
		return 4
	}
	return s.SegmentDuration.Seconds()
}

// sizeOf returns the size in bytes of segment index at level: exact when the
// state knows it, else bitrate times duration.
func (s *State) sizeOf(index, level int) float64 {
	if s.SegmentSize != nil {
		if b, ok := s.SegmentSize(index, level); ok {
			return float64(b)
		}
	}
	return float64(s.Bitrates[level]) / 8 * s.segDur()
}

// lastRate returns the throughput of the most recent chunk in bits per
// second, false when there is none.
func (s *State) lastRate() (float64, bool) {
	if len(s.History) == 0 {
		return 0, false
	}
	c := s.History[len(s.History)-1]
	return Sample{Bytes: c.Bytes, Duration: c.Download}.rate()
}

// estimate returns the state's estimate, else the last chunk's rate.
func (s *State) estimate() (float64, bool) {
	if s.EstimateOK && s.Estimate > 0 {
		return s.Estimate, true
	}
	if r, ok := s.lastRate(); ok {
		return r, true
	}
	if s.Estimate > 0 {
		return s.Estimate, true
	}
	return 0, false
}

// abandonForStall is the shared abandon rule (dash.js AbandonRequestsRule):
// once a tenth of the expected time has passed and the remaining transfer
// at the measured rate would outlast the buffer, switch to the highest
// level whose whole segment would fit in the buffer at that rate.
func abandonForStall(s *State, p Progress) (int, bool) {
	if p.Level <= 0 || p.BytesTotal <= 0 || p.BytesLoaded >= p.BytesTotal || p.Elapsed <= 0 || len(s.Bitrates) == 0 {
		return 0, false
	}
	if p.Elapsed < time.Duration(float64(s.SegmentDuration)/10) || p.BytesLoaded == 0 {
		return 0, false
	}
	rate := float64(p.BytesLoaded) / p.Elapsed.Seconds() // bytes per second
	left := float64(p.BytesTotal-p.BytesLoaded) / rate
	buf := s.Buffer.Seconds()
	if left <= buf {
		return 0, false
	}
	for l := p.Level - 1; l >= 0; l-- {
		if s.sizeOf(s.Index, l)/rate < math.Max(buf, 0)*0.8 || l == 0 {
			return l, true
		}
	}
	return 0, true
}
