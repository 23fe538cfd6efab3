package sabre

import "math"

// Throughput rule constants of Sabre.
const (
	tputSafety           = 0.9
	tputAbandonMult      = 1.8
	tputAbandonGraceTime = 500 // ms
)

// Throughput is Sabre's "throughput": the highest level 0.9 × the
// estimate sustains, capped by the insufficient-buffer rule, abandoning a
// download that would take longer than 1.8 segment durations.
type Throughput struct {
	ibrSafety float64
	started   bool
}

var _ Algorithm = (*Throughput)(nil)

// QualityDelay implements [Algorithm].
func (t *Throughput) QualityDelay(s *Session, _ int) (int, float64) {
	if !t.started {
		t.started, t.ibrSafety = true, lowBufferSafetyInit
	}
	m := s.Manifest
	quality := s.qualityFromThroughput(s.Throughput * tputSafety)
	safe := t.ibrSafety * (s.BufferLevel() - s.Latency) * s.Throughput
	t.ibrSafety = math.Max(t.ibrSafety*lowBufferSafetyInit, lowBufferSafety)
	for q := range quality {
		if m.Bitrates[q+1]*m.SegmentTime > safe {
			quality = q
			break
		}
	}
	return quality, 0
}

// ReportDelay implements [Algorithm].
func (*Throughput) ReportDelay(float64) {}

// ReportDownload implements [Algorithm].
func (*Throughput) ReportDownload(*Session, Progress) {}

// CheckAbandon implements [Algorithm].
func (*Throughput) CheckAbandon(s *Session, p Progress, _ float64) int {
	dl := p.Time - p.TimeToFirstBit
	if p.Time < tputAbandonGraceTime || dl <= 0 {
		return -1
	}
	m := s.Manifest
	tput := p.Downloaded / dl
	left := p.Size - p.Downloaded
	if p.Time+left/tput <= tputAbandonMult*m.SegmentTime {
		return -1
	}
	q := s.qualityFromThroughput(tput * tputSafety)
	if q >= p.Quality || p.Size*m.Bitrates[q]/m.Bitrates[p.Quality] >= left {
		return -1
	}
	return q
}

// Dynamic is Sabre's "dynamic": the throughput rule below 10 s of buffer
// and Sabre's BOLA above it, with the throughput rule's abandonment.
type Dynamic struct {
	bola   Bola
	tput   Throughput
	isBola bool
}

var _ Algorithm = (*Dynamic)(nil)

// QualityDelay implements [Algorithm].
func (d *Dynamic) QualityDelay(s *Session, index int) (int, float64) {
	const threshold = 10000 // ms
	level := s.BufferLevel()
	bq, bd := d.bola.QualityDelay(s, index)
	tq, td := d.tput.QualityDelay(s, index)
	if d.isBola {
		if level < threshold && bq < tq {
			d.isBola = false
		}
	} else if level > threshold && bq >= tq {
		d.isBola = true
	}
	if d.isBola {
		return bq, bd
	}
	return tq, td
}

// ReportDelay implements [Algorithm].
func (d *Dynamic) ReportDelay(delay float64) { d.bola.ReportDelay(delay); d.tput.ReportDelay(delay) }

// ReportDownload implements [Algorithm].
func (d *Dynamic) ReportDownload(s *Session, p Progress) {
	d.bola.ReportDownload(s, p)
	d.tput.ReportDownload(s, p)
}

// CheckAbandon implements [Algorithm] with the throughput rule (as
// sabre.py does whatever the mode).
func (d *Dynamic) CheckAbandon(s *Session, p Progress, bl float64) int {
	return d.tput.CheckAbandon(s, p, bl)
}

// DynamicDash is Sabre's "dynamicdash": the throughput rule until the
// buffer exceeds 10 s, BOLA-E until it falls below 5 s, each with its own
// abandonment.
type DynamicDash struct {
	bola   BolaE
	tput   Throughput
	isBola bool
}

var _ Algorithm = (*DynamicDash)(nil)

// QualityDelay implements [Algorithm].
func (d *DynamicDash) QualityDelay(s *Session, index int) (int, float64) {
	level := s.BufferLevel()
	if d.isBola && level < 5000 {
		d.isBola = false
	} else if !d.isBola && level > 10000 {
		d.isBola = true
	}
	if d.isBola {
		return d.bola.QualityDelay(s, index)
	}
	return d.tput.QualityDelay(s, index)
}

// ReportDelay implements [Algorithm].
func (d *DynamicDash) ReportDelay(delay float64) { d.bola.ReportDelay(delay) }

// ReportDownload implements [Algorithm].
func (d *DynamicDash) ReportDownload(s *Session, p Progress) { d.bola.ReportDownload(s, p) }

// CheckAbandon implements [Algorithm].
func (d *DynamicDash) CheckAbandon(s *Session, p Progress, bl float64) int {
	if d.isBola {
		return d.bola.CheckAbandon(s, p, bl)
	}
	return d.tput.CheckAbandon(s, p, bl)
}

// Names lists Sabre's algorithms [New] knows.
func Names() []string { return []string{"bola", "bolae", "dynamic", "dynamicdash", "throughput"} }

// New returns a fresh Sabre algorithm by its sabre.py name, false for an
// unknown one.
func New(name string) (Algorithm, bool) {
	switch name {
	case "bola":
		return &Bola{}, true
	case "bolae":
		return &BolaE{}, true
	case "dynamic":
		return &Dynamic{}, true
	case "dynamicdash":
		return &DynamicDash{}, true
	case "throughput":
		return &Throughput{}, true
	}
	return nil, false
}
