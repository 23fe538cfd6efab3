package sabre

import (
	"errors"
	"fmt"
)

// Algorithm is an ABR algorithm in Sabre's shape: it answers a level and
// a delay before the request, hears about delays and downloads, and may
// abandon a download in flight.
type Algorithm interface {
	// QualityDelay chooses the level of segment index and how many ms to
	// wait before requesting it.
	QualityDelay(s *Session, index int) (level int, delay float64)
	// ReportDelay tells of a wait the session imposed (buffer full).
	ReportDelay(delay float64)
	// ReportDownload tells of a download that completed or was abandoned.
	ReportDownload(s *Session, p Progress)
	// CheckAbandon returns the level to abandon to, or -1 to go on;
	// bufferLevel is what the buffer holds now, in ms.
	CheckAbandon(s *Session, p Progress, bufferLevel float64) int
}

// Config is Sabre's command-line setup.
type Config struct {
	MaxBuffer float64 // ms; Sabre's -b (25 s)
	GammaP    float64 // s; Sabre's -gp (5)
	NoAbandon bool    // Sabre's -noa
}

// DefaultConfig returns Sabre's defaults: 25 s buffer, γp = 5 s,
// abandonment on.
func DefaultConfig() Config { return Config{MaxBuffer: 25000, GammaP: 5} }

// Segment is one completed segment download of a session.
type Segment struct {
	Level    int
	Bits     float64
	Time     float64 // ms, request to last byte, of the successful attempt
	Rebuffer float64 // ms of stall since the previous segment completed
	Buffer   float64 // ms buffered once it arrived
}

// Outcome is one session: Sabre's metrics and the segment log.
type Outcome struct {
	Metrics   Metrics
	Segments  []Segment
	Abandoned int // downloads given up
}

// ErrInput is returned for a manifest or trace Sabre could not play.
var ErrInput = errors.New("sabre: unplayable input")

func checkInput(m *Manifest, periods []Period) error {
	if m == nil || len(m.Segments) == 0 || len(m.Bitrates) == 0 || !(m.SegmentTime > 0) {
		return fmt.Errorf("%w: empty manifest", ErrInput)
	}
	for i, seg := range m.Segments {
		if len(seg) != len(m.Bitrates) {
			return fmt.Errorf("%w: segment %d has %d sizes for %d levels", ErrInput, i, len(seg), len(m.Bitrates))
		}
	}
	total := 0.0
	for _, p := range periods {
		if p.Time < 0 || p.Bandwidth < 0 || p.Latency < 0 {
			return fmt.Errorf("%w: negative period", ErrInput)
		}
		total += p.Time * p.Bandwidth
	}
	if !(total > 0) {
		return fmt.Errorf("%w: trace has no capacity", ErrInput)
	}
	return nil
}

// Run plays the manifest over the periods with alg under Sabre's rules
// (sabre.py's main loop): the first segment at level 0; before each
// request, wait until the buffer has room for one more segment; the
// algorithm's own delay; the download spends one latency of trace time
// and may be abandoned; throughput samples leave the latency out and
// come only from completed downloads. After an abandonment the algorithm
// is asked again, as sabre.py does.
func Run(cfg Config, m *Manifest, periods []Period, alg Algorithm) (Outcome, error) {
	if err := checkInput(m, periods); err != nil {
		return Outcome{}, err
	}
	if cfg.MaxBuffer <= 0 {
		cfg.MaxBuffer = DefaultConfig().MaxBuffer
	}
	if cfg.GammaP == 0 {
		cfg.GammaP = DefaultConfig().GammaP
	}
	s := &Session{Manifest: m, MaxBuffer: cfg.MaxBuffer, lastPlayed: -1}
	net := newNetwork(periods)
	est := newEWMA(m.SegmentTime)
	var out Outcome

	p := net.fetch(m.Segments[0][0], 0, 0, 0, nil)
	s.first = p
	dl := p.Time - p.TimeToFirstBit
	s.buffer = append(s.buffer, 0)
	s.Throughput, s.Latency = est.push(dl, p.Size/dl, p.TimeToFirstBit)
	s.now += p.Time
	out.Segments = append(out.Segments, Segment{Level: 0, Bits: p.Size, Time: p.Time, Buffer: s.BufferLevel()})
	check := alg.CheckAbandon
	rebufMark := s.metrics.rebufferTime
	for s.nextSegment = 1; s.nextSegment < len(m.Segments); {
		if full := s.BufferLevel() + m.SegmentTime - cfg.MaxBuffer; full > 0 {
			s.deplete(full)
			net.delay(full)
			alg.ReportDelay(full)
		}
		q, delay := alg.QualityDelay(s, s.nextSegment)
		if q < 0 || q >= len(m.Bitrates) {
			return out, fmt.Errorf("%w: algorithm chose level %d of %d", ErrInput, q, len(m.Bitrates))
		}
		if delay > 0 {
			s.deplete(delay)
			net.delay(delay)
		}
		var ab abandonCheck
		if !cfg.NoAbandon {
			ab = func(p Progress, bl float64) int { return check(s, p, bl) }
		}
		p := net.fetch(m.Segments[s.nextSegment][q], s.nextSegment, q, s.BufferLevel(), ab)
		s.deplete(p.Time)
		if p.AbandonTo < 0 {
			s.buffer = append(s.buffer, q)
			s.nextSegment++
			out.Segments = append(out.Segments, Segment{Level: q, Bits: p.Size, Time: p.Time,
				Rebuffer: s.metrics.rebufferTime - rebufMark, Buffer: s.BufferLevel()})
			rebufMark = s.metrics.rebufferTime
		} else {
			out.Abandoned++
		}
		alg.ReportDownload(s, p)
		dl := p.Time - p.TimeToFirstBit
		if p.AbandonTo < 0 {
			s.Throughput, s.Latency = est.push(dl, p.Downloaded/dl, p.TimeToFirstBit)
		}
	}
	out.Metrics = s.result(cfg.GammaP)
	return out, nil
}
