package abr

import (
	"math"
	"slices"
	"time"
)

// Defaults of the estimators.
const (
	DefaultFastHalfLife    = 2 * time.Second // Shaka's fast EWMA
	DefaultSlowHalfLife    = 5 * time.Second // Shaka's slow EWMA
	DefaultMinTotalBytes   = 128_000         // bytes before an EWMA estimate is trusted
	DefaultMinSampleBytes  = 16_000          // smaller samples say more about latency than bandwidth
	DefaultPercentile      = 0.5             // ExoPlayer's median
	DefaultPercentileMaxW  = 2000            // ExoPlayer's sliding window weight
	DefaultPercentileMinT  = 2 * time.Second // ExoPlayer's elapsed-time threshold
	DefaultPercentileMinB  = 512 * 1024      // ExoPlayer's bytes threshold
	DefaultHarmonicSamples = 5               // MPC's window
)

// rate returns the sample's throughput in bits per second, false for an
// unusable sample.
func (s Sample) rate() (float64, bool) {
	if s.Bytes <= 0 || s.Duration <= 0 {
		return 0, false
	}
	return float64(s.Bytes) * 8 / s.Duration.Seconds(), true
}

// ewma is one exponentially weighted moving average whose weight is the
// sample's duration in seconds, with hls.js's zero-factor correction.
type ewma struct {
	alpha       float64 // per second
	estimate    float64
	totalWeight float64
}

func newEWMA(halfLife time.Duration) ewma {
	return ewma{alpha: math.Exp(math.Log(0.5) / halfLife.Seconds())}
}

func (e *ewma) add(weight, value float64) {
	a := math.Pow(e.alpha, weight)
	e.estimate = value*(1-a) + a*e.estimate
	e.totalWeight += weight
}

func (e *ewma) get() float64 {
	zero := 1 - math.Pow(e.alpha, e.totalWeight)
	if zero <= 0 {
		return 0
	}
	return e.estimate / zero
}

// DualEWMA is the estimator of hls.js, Shaka and dash.js: a fast and a slow
// EWMA weighted by download time; the estimate is the smaller of the two,
// so it drops quickly and rises slowly.
type DualEWMA struct {
	FastHalfLife   time.Duration // defaults to DefaultFastHalfLife
	SlowHalfLife   time.Duration // defaults to DefaultSlowHalfLife
	MinTotalBytes  int64         // defaults to DefaultMinTotalBytes
	MinSampleBytes int64         // defaults to DefaultMinSampleBytes

	fast, slow ewma
	bytes      int64
	init       bool
}

var _ Estimator = (*DualEWMA)(nil)

// NewDualEWMA returns a dual EWMA with the default half-lives.
func NewDualEWMA() *DualEWMA {
	return &DualEWMA{FastHalfLife: DefaultFastHalfLife, SlowHalfLife: DefaultSlowHalfLife,
		MinTotalBytes: DefaultMinTotalBytes, MinSampleBytes: DefaultMinSampleBytes}
}

func (d *DualEWMA) setup() {
	if d.init {
		return
	}
	if d.FastHalfLife <= 0 {
		d.FastHalfLife = DefaultFastHalfLife
	}
	if d.SlowHalfLife <= 0 {
		d.SlowHalfLife = DefaultSlowHalfLife
	}
	if d.MinTotalBytes <= 0 {
		d.MinTotalBytes = DefaultMinTotalBytes
	}
	d.fast, d.slow = newEWMA(d.FastHalfLife), newEWMA(d.SlowHalfLife)
	d.init = true
}

// Add records a transfer; samples smaller than MinSampleBytes are ignored.
func (d *DualEWMA) Add(s Sample) {
	d.setup()
	r, ok := s.rate()
	if !ok || s.Bytes < d.MinSampleBytes {
		return
	}
	w := s.Duration.Seconds()
	d.fast.add(w, r)
	d.slow.add(w, r)
	d.bytes += s.Bytes
}

// Estimate returns min(fast, slow); ok once MinTotalBytes were sampled.
func (d *DualEWMA) Estimate() (float64, bool) {
	d.setup()
	if d.bytes == 0 {
		return 0, false
	}
	return math.Min(d.fast.get(), d.slow.get()), d.bytes >= d.MinTotalBytes
}

// Reset forgets every sample.
func (d *DualEWMA) Reset() {
	d.init = false
	d.bytes = 0
	d.setup()
}

// Percentile is ExoPlayer's estimator: a sliding window of samples weighted
// by the square root of their size, answering a weighted percentile.
type Percentile struct {
	Percentile float64       // defaults to DefaultPercentile
	MaxWeight  float64       // window size in weight units; defaults to DefaultPercentileMaxW
	MinElapsed time.Duration // trusted after this much transfer time...
	MinBytes   int64         // ...or this many bytes

	samples []pSample // in arrival order
	weight  float64
	elapsed time.Duration
	bytes   int64
}

type pSample struct{ weight, value float64 }

var _ Estimator = (*Percentile)(nil)

// NewPercentile returns ExoPlayer's default: the weighted median of a
// window of weight 2000.
func NewPercentile() *Percentile {
	return &Percentile{Percentile: DefaultPercentile, MaxWeight: DefaultPercentileMaxW,
		MinElapsed: DefaultPercentileMinT, MinBytes: DefaultPercentileMinB}
}

// Add records a transfer and drops the oldest samples beyond MaxWeight.
func (p *Percentile) Add(s Sample) {
	r, ok := s.rate()
	if !ok {
		return
	}
	maxW := p.MaxWeight
	if maxW <= 0 {
		maxW = DefaultPercentileMaxW
	}
	w := math.Sqrt(float64(s.Bytes))
	p.samples = append(p.samples, pSample{w, r})
	p.weight += w
	for p.weight > maxW && len(p.samples) > 1 {
		excess := p.weight - maxW
		if p.samples[0].weight <= excess {
			p.weight -= p.samples[0].weight
			p.samples = p.samples[1:]
			continue
		}
		p.samples[0].weight -= excess
		p.weight -= excess
	}
	p.elapsed += s.Duration
	p.bytes += s.Bytes
}

// Estimate returns the weighted percentile of the window.
func (p *Percentile) Estimate() (float64, bool) {
	if len(p.samples) == 0 {
		return 0, false
	}
	q := p.Percentile
	if q <= 0 || q > 1 {
		q = DefaultPercentile
	}
	sorted := slices.Clone(p.samples)
	slices.SortStableFunc(sorted, func(a, b pSample) int {
		switch {
		case a.value < b.value:
			return -1
		case a.value > b.value:
			return 1
		}
		return 0
	})
	target := q * p.weight
	acc := 0.0
	v := sorted[len(sorted)-1].value
	for _, s := range sorted {
		acc += s.weight
		if acc >= target {
			v = s.value
			break
		}
	}
	minT, minB := p.MinElapsed, p.MinBytes
	if minT <= 0 {
		minT = DefaultPercentileMinT
	}
	if minB <= 0 {
		minB = DefaultPercentileMinB
	}
	return v, p.elapsed >= minT || p.bytes >= minB
}

// Reset forgets every sample.
func (p *Percentile) Reset() {
	p.samples, p.weight, p.elapsed, p.bytes = nil, 0, 0, 0
}

// Harmonic is the harmonic mean of the last N samples' throughputs, the
// forecast of MPC (Yin et al., SIGCOMM 2015).
type Harmonic struct {
	N          int // window; defaults to DefaultHarmonicSamples
	MinSamples int // trusted from this many samples; defaults to 1

	rates []float64
}

var _ Estimator = (*Harmonic)(nil)

// NewHarmonic returns a harmonic mean over the last 5 samples.
func NewHarmonic() *Harmonic { return &Harmonic{N: DefaultHarmonicSamples, MinSamples: 1} }

// Add records a transfer.
func (h *Harmonic) Add(s Sample) {
	r, ok := s.rate()
	if !ok {
		return
	}
	n := h.N
	if n <= 0 {
		n = DefaultHarmonicSamples
	}
	h.rates = append(h.rates, r)
	if len(h.rates) > n {
		h.rates = h.rates[len(h.rates)-n:]
	}
}

// Estimate returns the harmonic mean of the window.
func (h *Harmonic) Estimate() (float64, bool) {
	if len(h.rates) == 0 {
		return 0, false
	}
	return harmonicMean(h.rates), len(h.rates) >= max(h.MinSamples, 1)
}

// Reset forgets every sample.
func (h *Harmonic) Reset() { h.rates = h.rates[:0] }

func harmonicMean(v []float64) float64 {
	sum := 0.0
	for _, x := range v {
		sum += 1 / x
	}
	return 1 / (sum / float64(len(v)))
}
