package sabre

import "math"

// Manifest is a video in Sabre's units.
type Manifest struct {
	SegmentTime float64     // ms
	Bitrates    []float64   // kbit/s, ascending
	Segments    [][]float64 // [segment][level] bits
}

// utilities returns ln(bitrate / lowest bitrate) + offset per level.
func (m *Manifest) utilities(offset float64) []float64 {
	u := make([]float64, len(m.Bitrates))
	for i, b := range m.Bitrates {
		u[i] = math.Log(b) - math.Log(m.Bitrates[0]) + offset
	}
	return u
}

// Session is the player state an algorithm may read: what Sabre keeps in
// globals (buffer contents, throughput and latency estimates).
type Session struct {
	Manifest *Manifest
	// MaxBuffer is the buffer size in ms (Sabre's -b, 25 s by default).
	MaxBuffer float64
	// Throughput (kbit/s) and Latency (ms) are the estimator's current
	// values; they are set from the first segment on.
	Throughput, Latency float64

	buffer      []int   // levels of the buffered segments, playing first
	fcc         float64 // ms of buffer[0] already played
	lastPlayed  int
	now         float64 // ms: Sabre's total play time (start-up included)
	nextSegment int
	first       Progress // the start-up download
	metrics     sessionMetrics
}

type sessionMetrics struct {
	rebufferTime, playedUtility, playedBitrate, bitrateChange float64
	rebufferEvents                                            int
}

// BufferLevel returns the media buffered ahead of the playhead, in ms.
func (s *Session) BufferLevel() float64 {
	return s.Manifest.SegmentTime*float64(len(s.buffer)) - s.fcc
}

// Segments returns the number of segments of the video.
func (s *Session) Segments() int { return len(s.Manifest.Segments) }

// qualityFromThroughput is the highest level whose segment, fetched at
// tput after one latency, arrives within a segment duration.
func (s *Session) qualityFromThroughput(tput float64) int {
	p := s.Manifest.SegmentTime
	q := 0
	for q+1 < len(s.Manifest.Bitrates) && s.Latency+p*s.Manifest.Bitrates[q+1]/tput <= p {
		q++
	}
	return q
}

// deplete plays t ms of media (Sabre's deplete_buffer); what the buffer
// cannot cover is rebuffering.
func (s *Session) deplete(t float64) {
	seg := s.Manifest.SegmentTime
	if len(s.buffer) == 0 {
		s.metrics.rebufferTime += t
		s.now += t
		return
	}
	if s.fcc > 0 {
		if t+s.fcc < seg {
			s.fcc += t
			s.now += t
			return
		}
		t -= seg - s.fcc
		s.now += seg - s.fcc
		s.buffer = s.buffer[1:]
		s.fcc = 0
	}
	for t > 0 && len(s.buffer) > 0 {
		s.startPlaying(s.buffer[0])
		if t >= seg {
			s.buffer = s.buffer[1:]
			s.now += seg
			t -= seg
		} else {
			s.fcc = t
			s.now += t
			t = 0
		}
	}
	if t > 0 {
		s.metrics.rebufferTime += t
		s.now += t
		s.metrics.rebufferEvents++
	}
}

// startPlaying counts a segment whose playback begins.
func (s *Session) startPlaying(q int) {
	m := s.Manifest
	s.metrics.playedUtility += math.Log(m.Bitrates[q]) - math.Log(m.Bitrates[0])
	s.metrics.playedBitrate += m.Bitrates[q]
	if s.lastPlayed >= 0 && q != s.lastPlayed {
		s.metrics.bitrateChange += math.Abs(m.Bitrates[q] - m.Bitrates[s.lastPlayed])
	}
	s.lastPlayed = q
}

// Metrics are Sabre's own figures for one session, as it prints them.
type Metrics struct {
	TimeAveragePlayedBitrate float64 `json:"time_average_played_bitrate"` // kbit/s
	TotalRebuffer            float64 `json:"total_rebuffer"`              // s
	RebufferRatio            float64 `json:"rebuffer_ratio"`
	TimeAverageBitrateChange float64 `json:"time_average_bitrate_change"` // kbit/s per segment
	TimeAverageScore         float64 `json:"time_average_score"`
}

// result plays out the buffer and returns Sabre's metrics; gp is the
// rebuffer weight of the score (Sabre's -gp, 5 s by default).
func (s *Session) result(gp float64) Metrics {
	s.deplete(s.BufferLevel())
	s.buffer, s.fcc = s.buffer[:0], 0
	seg := s.Manifest.SegmentTime
	avg := seg / s.now
	m := s.metrics
	return Metrics{
		TimeAveragePlayedBitrate: m.playedBitrate * avg,
		TotalRebuffer:            m.rebufferTime / 1000,
		RebufferRatio:            m.rebufferTime / s.now,
		TimeAverageBitrateChange: m.bitrateChange * avg,
		TimeAverageScore:         avg * (m.playedUtility - gp*m.rebufferTime/seg),
	}
}

// ewma is Sabre's default throughput and latency estimator: two EWMAs
// (half-lives 3 s and 8 s of download time for throughput, the same in
// segments for latency), zero-bias corrected, the lower throughput and
// the higher latency.
type ewma struct {
	halfLife, latHalfLife []float64
	tput, lat             []float64
	wTput, wLat           float64
}

func newEWMA(segmentTime float64) *ewma {
	e := &ewma{halfLife: []float64{3000, 8000}}
	for _, h := range e.halfLife {
		e.latHalfLife = append(e.latHalfLife, h/segmentTime)
	}
	e.tput = make([]float64, len(e.halfLife))
	e.lat = make([]float64, len(e.halfLife))
	return e
}

// push adds a sample of t ms of transfer at tput kbit/s after lat ms of
// latency and returns the new estimates.
func (e *ewma) push(t, tput, lat float64) (throughput, latency float64) {
	for i := range e.halfLife {
		a := math.Pow(0.5, t/e.halfLife[i])
		e.tput[i] = a*e.tput[i] + (1-a)*tput
		a = math.Pow(0.5, 1/e.latHalfLife[i])
		e.lat[i] = a*e.lat[i] + (1-a)*lat
	}
	e.wTput += t
	e.wLat++
	for i := range e.halfLife {
		tp := e.tput[i] / (1 - math.Pow(0.5, e.wTput/e.halfLife[i]))
		l := e.lat[i] / (1 - math.Pow(0.5, e.wLat/e.latHalfLife[i]))
		if i == 0 || tp < throughput {
			throughput = tp
		}
		if i == 0 || l > latency {
			latency = l
		}
	}
	return throughput, latency
}
