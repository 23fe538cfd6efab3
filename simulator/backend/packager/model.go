package packager

import (
	"math"
	"time"
)

// Segment sizes come from a seeded per-title complexity process shared by
// all renditions of a title: scenes of random length (about four segments
// on average) each have a log-normal complexity, segments inside a scene
// vary around it (AR(1)), and each rendition adds a small private noise. So
// the sizes of one segment are strongly correlated across the ladder, as
// with a real encoder. Each rendition's sizes are then capped at
// MaxPeakRatio times the average and scaled so that its average bitrate
// (whole segment files) equals the nominal rung bitrate.
// Inside a segment the IDR picture is about eight P pictures big, with
// ±25 % per-picture jitter.

const videoTimescale = 90000

// MaxPeakRatio caps a segment's bitrate at this multiple of its
// rendition's average (before box overhead and rounding).
const MaxPeakRatio = 2.0

// rng is splitmix64: small, fast, and the same on every platform.
type rng struct{ s uint64 }

func newRNG(seed int64, stream ...uint64) *rng {
	r := &rng{s: uint64(seed) ^ 0x9e3779b97f4a7c15}
	for _, v := range stream {
		r.s ^= v * 0xbf58476d1ce4e5b9
		r.next()
	}
	return r
}

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// float returns a uniform value in (0, 1).
func (r *rng) float() float64 { return (float64(r.next()>>11) + 0.5) / (1 << 53) }

// norm returns a standard normal value (Box-Muller).
func (r *rng) norm() float64 {
	return math.Sqrt(-2*math.Log(r.float())) * math.Cos(2*math.Pi*r.float())
}

// timing is the frame and segment grid of a title.
type timing struct {
	sampleDur    uint32 // ticks of the 90 kHz clock per frame
	framesPerSeg int
	totalFrames  int
	nSegs        int
}

func newTiming(t Title) timing {
	sd := uint32(math.Round(videoTimescale / t.FrameRate))
	ticks := func(d time.Duration) int {
		return int(math.Round(d.Seconds() * videoTimescale / float64(sd)))
	}
	tm := timing{sampleDur: sd, framesPerSeg: max(1, ticks(t.SegmentDuration)), totalFrames: max(1, ticks(t.Duration))}
	tm.nSegs = (tm.totalFrames + tm.framesPerSeg - 1) / tm.framesPerSeg
	return tm
}

// frames is the number of frames of segment k (0-based).
func (tm timing) frames(k int) int {
	if k == tm.nSegs-1 {
		return tm.totalFrames - k*tm.framesPerSeg
	}
	return tm.framesPerSeg
}

// start is the decode time of segment k in 90 kHz ticks; start(nSegs) is the end.
func (tm timing) start(k int) uint64 {
	f := k * tm.framesPerSeg
	if k >= tm.nSegs {
		f = tm.totalFrames
	}
	return uint64(f) * uint64(tm.sampleDur)
}

// audioFrame is the first AAC frame of segment k: the frame nearest to the
// video segment boundary, so audio segments differ by at most one frame.
// The last segment gets at least one frame.
func (tm timing) audioFrame(k int) int {
	num := tm.start(k) * aacSampleRate
	den := uint64(videoTimescale * aacFrameSamples)
	a := int((2*num + den) / (2 * den))
	if k >= tm.nSegs && k > 0 {
		a = max(a, tm.audioFrame(tm.nSegs-1)+1)
	}
	return a
}

// complexity returns one factor per segment for each of nRenditions,
// shared scene structure plus a small per-rendition noise, each scaled to
// a duration-weighted mean of 1.
func complexity(seed int64, tm timing, variability float64, nRenditions int) [][]float64 {
	sigma := math.Sqrt(math.Log(1 + variability*variability))
	sceneSigma, segSigma, ownSigma := sigma*math.Sqrt(0.6), sigma*math.Sqrt(0.3), sigma*math.Sqrt(0.1)
	r := newRNG(seed, 1)
	shared := make([]float64, tm.nSegs)
	var scene, ar float64
	left := 0
	for k := range shared {
		if left == 0 { // a new scene
			scene = sceneSigma * r.norm()
			left = 1 + int(-4*math.Log(r.float()))
		}
		left--
		ar = 0.5*ar + math.Sqrt(1-0.25)*segSigma*r.norm()
		shared[k] = scene + ar
	}
	out := make([][]float64, nRenditions)
	for j := range out {
		rr := newRNG(seed, 2, uint64(j))
		c := make([]float64, tm.nSegs)
		var sum, weight float64
		for k := range c {
			c[k] = math.Exp(shared[k] + ownSigma*rr.norm())
			w := float64(tm.frames(k))
			sum += c[k] * w
			weight += w
		}
		// Scale to a mean of 1, capping like an encoder's VBV at
		// MaxPeakRatio times the average (Apple's authoring limit).
		for iter := 0; iter < 8; iter++ {
			scale := weight / sum
			sum = 0
			for k := range c {
				c[k] = min(c[k]*scale, MaxPeakRatio)
				sum += c[k] * float64(tm.frames(k))
			}
		}
		for k := range c {
			c[k] *= weight / sum
		}
		out[j] = c
	}
	return out
}

// frameWeights returns relative picture sizes of segment seg of rendition
// rend: the IDR picture first.
func frameWeights(seed int64, rend, seg, n int, dst []float64) []float64 {
	r := newRNG(seed, 3, uint64(rend), uint64(seg))
	dst = dst[:0]
	for i := 0; i < n; i++ {
		w := 1.0
		if i == 0 {
			w = 8
		}
		dst = append(dst, w*(0.75+0.5*r.float()))
	}
	return dst
}

// splitPayload splits extra bytes over frames by weight, on top of each
// frame's minimum, so that every frame's padding is 0 or at least minPad.
// It returns the sizes; their sum is sum(mins)+extra when extra is 0 or at
// least minPad, else sum(mins).
func splitPayload(mins []int, weights []float64, extra, minPad int, dst []int) []int {
	dst = append(dst[:0], mins...)
	if extra < minPad {
		return dst
	}
	var total float64
	for _, w := range weights {
		total += w
	}
	var acc float64
	given := 0
	carry := 0
	for i := range dst {
		acc += weights[i]
		upto := int(math.Round(acc / total * float64(extra)))
		pad := upto - given + carry
		given = upto
		carry = 0
		if pad > 0 && pad < minPad {
			carry, pad = pad, 0
		}
		dst[i] += pad
	}
	if carry > 0 { // the last frames got too little: give it to the largest padded frame
		best := -1
		for i := range dst {
			if dst[i] > mins[i] && (best < 0 || dst[i]-mins[i] > dst[best]-mins[best]) {
				best = i
			}
		}
		if best < 0 {
			best = 0
		}
		dst[best] += carry
	}
	return dst
}
