package sabre

import "math"

// Bola is Sabre's "bola": BOLA with utilities ln(r/r0), V from the buffer
// size (shrunk near the start and the end of the video) and γp = 5 s, the
// BOLA-U rule on upward switches (at most one level above what the
// throughput sustains), and BOLA's own abandonment score.
type Bola struct {
	GammaP     float64 // s·utility; defaults to 5
	BufferSize float64 // ms; defaults to the session's buffer

	utilities   []float64
	vp          float64
	lastQuality int
}

var _ Algorithm = (*Bola)(nil)

func (b *Bola) setup(s *Session) {
	if b.utilities != nil {
		return
	}
	if b.GammaP == 0 {
		b.GammaP = DefaultConfig().GammaP
	}
	if b.BufferSize == 0 {
		b.BufferSize = s.MaxBuffer
	}
	b.utilities = s.Manifest.utilities(0)
	b.vp = (b.BufferSize - s.Manifest.SegmentTime) / (b.utilities[len(b.utilities)-1] + b.GammaP)
}

func bolaFromBuffer(level, vp, gp float64, utilities, bitrates []float64) int {
	quality, score := 0, math.Inf(-1)
	for q := range bitrates {
		if sc := (vp*(utilities[q]+gp) - level) / bitrates[q]; sc > score {
			quality, score = q, sc
		}
	}
	return quality
}

// QualityDelay implements [Algorithm].
func (b *Bola) QualityDelay(s *Session, index int) (int, float64) {
	b.setup(s)
	m := s.Manifest
	t := float64(min(index, len(m.Segments)-index))
	t = math.Max(t/2, 3) * m.SegmentTime
	b.vp = (math.Min(b.BufferSize, t) - m.SegmentTime) / (b.utilities[len(b.utilities)-1] + b.GammaP)
	quality := bolaFromBuffer(s.BufferLevel(), b.vp, b.GammaP, b.utilities, m.Bitrates)
	if quality > b.lastQuality {
		qt := s.qualityFromThroughput(s.Throughput)
		switch {
		case quality <= qt:
		case b.lastQuality > qt:
			quality = b.lastQuality
		default:
			quality = qt + 1
		}
	}
	b.lastQuality = quality
	return quality, 0
}

// ReportDelay implements [Algorithm].
func (*Bola) ReportDelay(float64) {}

// ReportDownload implements [Algorithm].
func (*Bola) ReportDownload(*Session, Progress) {}

// CheckAbandon gives up when a lower level scores better on the bits
// still to come.
func (b *Bola) CheckAbandon(s *Session, p Progress, bufferLevel float64) int {
	b.setup(s)
	remain := p.Size - p.Downloaded
	if p.Downloaded <= 0 || remain <= 0 {
		return -1
	}
	m := s.Manifest
	to := -1
	score := (b.vp*(b.GammaP+b.utilities[p.Quality]) - bufferLevel) / remain
	if score < 0 {
		return -1
	}
	for q := range p.Quality {
		other := p.Size * m.Bitrates[q] / m.Bitrates[p.Quality]
		os := (b.vp*(b.GammaP+b.utilities[q]) - bufferLevel) / other
		if other < remain && os > score {
			score, to = os, q
		}
	}
	if to >= 0 {
		b.lastQuality = to
	}
	return to
}
