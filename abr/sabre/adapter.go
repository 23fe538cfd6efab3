package sabre

import (
	"math"
	"time"

	"github.com/abrkit/abrkit/abr"
	"github.com/abrkit/abrkit/abr/trace"
)

// FromTrace returns a trace's intervals as Sabre periods (latency from
// the trace, else rtt). Durations and bandwidths are rounded to 1e-6 of
// Sabre's units: the trace keeps cumulative seconds in Mbit/s, and the
// rounding error of converting back would otherwise flip Sabre's
// threshold decisions on some traces.
func FromTrace(t *trace.Trace, rtt time.Duration) []Period {
	out := make([]Period, 0, len(t.Time))
	for i := 1; i < len(t.Time); i++ {
		d := math.Round((t.Time[i]-t.Time[i-1])*1e9) / 1e6
		p := Period{Time: d, Bandwidth: math.Round(t.Mbps[i]*1e9) / 1e6, Latency: rtt.Seconds() * 1000}
		if t.LatencyMs != nil {
			p.Latency = t.LatencyMs[i]
		}
		out = append(out, p)
	}
	return out
}

// FromVideo returns a video in Sabre's units.
func FromVideo(v *trace.Video) *Manifest {
	m := &Manifest{SegmentTime: float64(v.SegmentDuration) / float64(time.Millisecond)}
	for _, b := range v.Bitrates {
		m.Bitrates = append(m.Bitrates, float64(b)/1000)
	}
	for i := range v.Segments() {
		seg := make([]float64, len(v.Bitrates))
		for l := range seg {
			seg[l] = float64(v.Sizes[l][i]) * 8
		}
		m.Segments = append(m.Segments, seg)
	}
	return m
}

// Adapt runs an abr.Algorithm under Sabre's rules: it sees the buffer,
// Sabre's throughput estimate, the exact segment sizes and its own
// history, never asks for a delay, and abandons through [abr.Abandoner]
// when it implements it.
func Adapt(a abr.Algorithm) Algorithm { return &adapted{alg: a} }

type adapted struct {
	alg     abr.Algorithm
	history []abr.Chunk
	rebuf   float64 // session rebuffer ms at the last completed segment
	// abandonTo is 1 + the level an abandoned download asked to refetch
	// at (0: none). It caps the next choice: the algorithm's history has
	// not changed, so it would ask for the same level again and abandon
	// it again until the buffer ran dry.
	abandonTo int
}

func (a *adapted) state(s *Session, index int, buffer float64) *abr.State {
	m := s.Manifest
	bitrates := make([]int, len(m.Bitrates))
	for i, b := range m.Bitrates {
		bitrates[i] = int(math.Round(b * 1000))
	}
	last := -1
	if n := len(a.history); n > 0 {
		last = a.history[n-1].Level
	}
	return &abr.State{
		Now: msDur(s.now), Buffer: msDur(buffer), MaxBuffer: msDur(s.MaxBuffer),
		SegmentDuration: msDur(m.SegmentTime), Bitrates: bitrates, Last: last,
		Index: index, Remaining: len(m.Segments) - index,
		Estimate: s.Throughput * 1000, EstimateOK: s.Throughput > 0,
		History: a.history,
		SegmentSize: func(i, l int) (int64, bool) {
			if i < 0 || i >= len(m.Segments) || l < 0 || l >= len(m.Bitrates) {
				return 0, false
			}
			return int64(math.Ceil(m.Segments[i][l] / 8)), true
		},
		Rebuffering: buffer <= 0,
	}
}

func msDur(ms float64) time.Duration {
	return time.Duration(math.Round(ms * float64(time.Millisecond)))
}

func (a *adapted) QualityDelay(s *Session, index int) (int, float64) {
	if len(a.history) == 0 && s.first.Size > 0 {
		a.ReportDownload(s, s.first)
	}
	q := a.alg.Choose(a.state(s, index, s.BufferLevel()))
	if a.abandonTo > 0 {
		q = min(q, a.abandonTo-1)
		a.abandonTo = 0
	}
	return q, 0
}

func (a *adapted) ReportDelay(float64) {}

func (a *adapted) ReportDownload(s *Session, p Progress) {
	if p.AbandonTo >= 0 {
		a.abandonTo = p.AbandonTo + 1
		return
	}
	a.history = append(a.history, abr.Chunk{
		Level: p.Quality, Bytes: int64(math.Ceil(p.Size / 8)), Download: msDur(p.Time),
		Rebuffer: msDur(s.metrics.rebufferTime - a.rebuf),
	})
	a.rebuf = s.metrics.rebufferTime
	if len(a.history) > 64 {
		a.history = a.history[1:]
	}
}

func (a *adapted) CheckAbandon(s *Session, p Progress, bufferLevel float64) int {
	ab, ok := a.alg.(abr.Abandoner)
	if !ok {
		return -1
	}
	st := a.state(s, p.Index, bufferLevel)
	l, abandon := ab.Abandon(st, abr.Progress{
		Level: p.Quality, BytesLoaded: int64(p.Downloaded / 8), BytesTotal: int64(math.Ceil(p.Size / 8)),
		Elapsed: msDur(p.Time),
	})
	if !abandon || l < 0 || l >= p.Quality {
		return -1
	}
	return l
}
