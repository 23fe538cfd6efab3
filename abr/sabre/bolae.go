package sabre

import "math"

// BOLA-E constants of Sabre (dash.js's BOLA-E).
const (
	bolaEMinBuffer         = 10000 // ms
	bolaEMinBufferPerLevel = 2000  // ms
	lowBufferSafety        = 0.5
	lowBufferSafetyInit    = 0.9
)

// BolaE is Sabre's "bolae": BOLA-E with utilities ln(r/r0)+1, a
// placeholder buffer after a throughput-based start, the BOLA-U rule, the
// insufficient-buffer rule and an abandonment score that discounts the
// latency of a new request.
type BolaE struct {
	utilities   []float64
	vp, gp      float64
	steady      bool
	placeholder float64
	lastQuality int
	ibrSafety   float64
}

var _ Algorithm = (*BolaE)(nil)

func (b *BolaE) setup(s *Session) {
	if b.utilities != nil {
		return
	}
	m := s.Manifest
	b.utilities = m.utilities(1)
	buffer := math.Max(bolaEMinBuffer+bolaEMinBufferPerLevel*float64(len(m.Bitrates)), s.MaxBuffer)
	b.gp = (b.utilities[len(b.utilities)-1] - 1) / (buffer/bolaEMinBuffer - 1)
	b.vp = bolaEMinBuffer / b.gp
}

func (b *BolaE) minBufferFor(m *Manifest, quality int) float64 {
	r, u := m.Bitrates[quality], b.utilities[quality]
	level := 0.0
	for q := range quality {
		if b.utilities[q] < u {
			l := b.vp * (b.gp + (r*b.utilities[q]-m.Bitrates[q]*u)/(r-m.Bitrates[q]))
			level = math.Max(level, l)
		}
	}
	return level
}

func (b *BolaE) maxBufferFor(quality int) float64 { return b.vp * (b.utilities[quality] + b.gp) }

// QualityDelay implements [Algorithm].
func (b *BolaE) QualityDelay(s *Session, _ int) (int, float64) {
	b.setup(s)
	m := s.Manifest
	level := s.BufferLevel()
	if !b.steady {
		b.steady = true
		b.ibrSafety = lowBufferSafetyInit
		q := s.qualityFromThroughput(s.Throughput)
		b.placeholder = math.Max(0, b.minBufferFor(m, q)-level)
		return q, 0
	}
	quality := bolaFromBuffer(level+b.placeholder, b.vp, b.gp, b.utilities, m.Bitrates)
	qt := s.qualityFromThroughput(s.Throughput)
	if quality > b.lastQuality && quality > qt {
		quality = max(b.lastQuality, qt) + 1
	}
	delay := level + b.placeholder - b.maxBufferFor(quality)
	if delay > 0 {
		if delay <= b.placeholder {
			b.placeholder -= delay
			delay = 0
		} else {
			delay -= b.placeholder
			b.placeholder = 0
		}
	} else {
		delay = 0
	}
	if quality == len(m.Bitrates)-1 {
		delay = 0
	}
	// Insufficient buffer rule.
	safe := b.ibrSafety * (level - s.Latency) * s.Throughput
	b.ibrSafety = math.Max(b.ibrSafety*lowBufferSafetyInit, lowBufferSafety)
	for q := range quality {
		if m.Bitrates[q+1]*m.SegmentTime > safe {
			quality, delay = q, 0
			b.placeholder = math.Min(math.Max(0, b.minBufferFor(m, q)-level), b.placeholder)
			break
		}
	}
	return quality, delay
}

// ReportDelay grows the placeholder by a wait the session imposed.
func (b *BolaE) ReportDelay(delay float64) { b.placeholder += delay }

// ReportDownload keeps the placeholder consistent with the level fetched.
func (b *BolaE) ReportDownload(s *Session, p Progress) {
	b.setup(s)
	b.lastQuality = p.Quality
	level := s.BufferLevel()
	if p.AbandonTo >= 0 {
		// Something went wrong: fall back to a conservative placeholder.
		want := float64(bolaEMinBuffer)
		if p.AbandonTo > 0 {
			want = b.minBufferFor(s.Manifest, p.AbandonTo)
		}
		b.placeholder = math.Min(b.placeholder, math.Max(0, want-level))
		return
	}
	was := level + p.Time
	b.placeholder = math.Min(b.placeholder, math.Max(0, b.maxBufferFor(p.Quality)-was))
	if level > 0 {
		b.placeholder = math.Max(b.placeholder, b.minBufferFor(s.Manifest, p.Quality)-was)
	}
}

// CheckAbandon gives up when a lower level scores better once a new
// request's latency is paid.
func (b *BolaE) CheckAbandon(s *Session, p Progress, bufferLevel float64) int {
	b.setup(s)
	remain := p.Size - p.Downloaded
	if p.Downloaded <= 0 || remain <= 0 {
		return -1
	}
	bl := math.Max(0, bufferLevel+b.placeholder-p.TimeToFirstBit)
	tp := p.Downloaded / (p.Time - p.TimeToFirstBit)
	sz := remain - p.TimeToFirstBit*tp
	if sz <= 0 {
		return -1
	}
	m := s.Manifest
	to := -1
	score := (b.vp*(b.gp+b.utilities[p.Quality]) - bl) / sz
	for q := range p.Quality {
		other := p.Size * m.Bitrates[q] / m.Bitrates[p.Quality]
		os := (b.vp*(b.gp+b.utilities[q]) - bl) / other
		if other < sz && os > score {
			score, to = os, q
		}
	}
	return to
}
