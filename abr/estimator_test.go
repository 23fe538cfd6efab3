package abr

import (
	"math"
	"testing"
	"time"
)

func TestEstimatorsConstant(t *testing.T) {
	for _, name := range EstimatorNames() {
		e, _ := NewEstimator(name)
		for range 20 {
			e.Add(Sample{Bytes: 500_000, Duration: time.Second}) // 4 Mbit/s
		}
		got, ok := e.Estimate()
		if !ok || math.Abs(got-4e6) > 1 {
			t.Errorf("%s.Estimate() after steady 4 Mbit/s = %v, %v; want 4e6, true", name, got, ok)
		}
		e.Reset()
		if _, ok := e.Estimate(); ok {
			t.Errorf("%s.Estimate() after Reset ok; want not ok", name)
		}
	}
}

func TestEstimatorsTooLittleData(t *testing.T) {
	tests := []struct {
		name string
		s    Sample
		ok   bool
	}{
		{"ewma", Sample{Bytes: 50_000, Duration: 100 * time.Millisecond}, false}, // < 128 kB
		{"ewma", Sample{Bytes: 200_000, Duration: 100 * time.Millisecond}, true},
		{"percentile", Sample{Bytes: 50_000, Duration: 100 * time.Millisecond}, false},
		{"percentile", Sample{Bytes: 50_000, Duration: 3 * time.Second}, true},
		{"harmonic", Sample{Bytes: 1, Duration: time.Millisecond}, true},
		{"harmonic", Sample{Bytes: 0, Duration: time.Millisecond}, false}, // unusable
	}
	for _, tt := range tests {
		e, _ := NewEstimator(tt.name)
		e.Add(tt.s)
		if _, ok := e.Estimate(); ok != tt.ok {
			t.Errorf("%s after %+v: ok = %v; want %v", tt.name, tt.s, ok, tt.ok)
		}
	}
}

func TestDualEWMAFastDown(t *testing.T) {
	e := NewDualEWMA()
	for range 10 {
		e.Add(Sample{Bytes: 1_000_000, Duration: time.Second}) // 8 Mbit/s
	}
	e.Add(Sample{Bytes: 250_000, Duration: 2 * time.Second}) // 1 Mbit/s
	got, _ := e.Estimate()
	if got >= 6e6 || got <= 1e6 {
		t.Errorf("DualEWMA after a drop 8 -> 1 Mbit/s = %v; want between 1e6 and 6e6 (the fast one)", got)
	}
}

func TestHarmonicWindow(t *testing.T) {
	h := NewHarmonic()
	for _, bps := range []float64{1e6, 1e6, 1e6, 1e6, 1e6, 2e6, 2e6, 2e6, 2e6, 2e6} {
		h.Add(Sample{Bytes: int64(bps / 8), Duration: time.Second})
	}
	if got, _ := h.Estimate(); math.Abs(got-2e6) > 1 {
		t.Errorf("Harmonic over the last 5 = %v; want 2e6", got)
	}
	h = NewHarmonic()
	h.Add(Sample{Bytes: 125_000, Duration: time.Second}) // 1 Mbit/s
	h.Add(Sample{Bytes: 375_000, Duration: time.Second}) // 3 Mbit/s
	if got, _ := h.Estimate(); math.Abs(got-1.5e6) > 1 {
		t.Errorf("Harmonic(1, 3 Mbit/s) = %v; want 1.5e6", got)
	}
}

func TestPercentileMedian(t *testing.T) {
	p := NewPercentile()
	for _, mbps := range []float64{1, 9, 2, 8, 5} {
		p.Add(Sample{Bytes: int64(mbps * 1e6 / 8), Duration: time.Second})
	}
	got, _ := p.Estimate()
	if got < 2e6 || got > 8e6 {
		t.Errorf("Percentile median of 1,9,2,8,5 Mbit/s = %v; want a middle value", got)
	}
}
