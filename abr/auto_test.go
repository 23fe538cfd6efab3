package abr

import (
	"testing"
	"time"
)

// feedAuto plays a session into a: segment k (0-based) at level 3 takes
// the time its rate gives, rate(k) in bits per second.
func feedAuto(a *Auto, n int, rate func(k int) float64) {
	s := &State{
		Buffer: 20 * time.Second, MaxBuffer: 60 * time.Second, SegmentDuration: 4 * time.Second,
		Bitrates: ladder, Last: 3, Remaining: -1,
	}
	bytes := int64(ladder[3] / 8 * 4)
	for k := range n {
		s.History = append(s.History, Chunk{Level: 3, Bytes: bytes,
			Download: time.Duration(float64(bytes) * 8 / rate(k) * float64(time.Second))})
		s.Index = k + 1
		s.Last = a.Choose(s)
	}
}

func TestAutoErrorRecord(t *testing.T) {
	// Seven deep misses early in a session (one segment in three), then a
	// steady link to the 47th segment: the low planning quantile must still
	// remember the misses (the record spans DefaultAutoErrors segments),
	// while a record of 20 has forgotten them.
	miss := func(k int) float64 {
		if k < 21 && k%3 == 0 {
			return 0.5e6
		}
		return 3e6
	}
	cases := []struct {
		name    string
		errors  int
		wantLow bool // lowest scenario clearly below 1
	}{
		{"default record", 0, true},
		{"record of 20", 20, false},
	}
	for _, c := range cases {
		a := NewAuto()
		if c.errors > 0 {
			a.Errors = c.errors
		}
		feedAuto(a, 47, miss)
		low := a.scenarios()[0]
		if got := low < 0.9; got != c.wantLow {
			t.Errorf("Auto(%s).scenarios()[0] = %.3f; want below 0.9: %v", c.name, low, c.wantLow)
		}
	}
}

// TestZeroValues checks that every algorithm's zero value works: on a
// steady 16 Mbit/s link it climbs above the bottom level and never panics.
func TestZeroValues(t *testing.T) {
	algs := []Algorithm{&Auto{}, &Auto{Quantiles: []float64{0.2, 0.5, 0.8}}, &Auto{Prior: []float64{1}},
		&BB{}, &BOLA{}, &Dynamic{}, &MPC{}, &Throughput{}}
	bitrates := []int{300_000, 750_000, 1_200_000, 1_850_000, 2_850_000, 4_300_000}
	for _, a := range algs {
		st := State{SegmentDuration: 4 * time.Second, MaxBuffer: 60 * time.Second, Bitrates: bitrates, Last: -1, Remaining: -1, Startup: true}
		level := 0
		for i := range 30 {
			st.Index = i
			level = a.Choose(&st)
			if level < 0 || level >= len(bitrates) {
				t.Fatalf("%T zero value chose level %d", a, level)
			}
			size := int64(bitrates[level] / 8 * 4)
			dl := time.Duration(float64(size*8) / 16e6 * float64(time.Second))
			st.History = append(st.History, Chunk{Level: level, Bytes: size, Download: dl})
			st.Buffer = min(st.Buffer+4*time.Second-dl, 60*time.Second)
			st.Now += dl
			st.Estimate, st.EstimateOK = 16e6, true
			st.Last, st.Startup = level, false
		}
		if level == 0 {
			t.Errorf("%T zero value on a 16 Mbit/s link ends at level 0; want higher", a)
		}
	}
}

func TestAutoHysteresis(t *testing.T) {
	// Near a rung boundary the best plan beats keeping the current level
	// by less than the hysteresis: auto stays, and moves without it.
	cases := []struct {
		name             string
		bps              float64
		buffer           time.Duration
		last, stay, move int // current level, choice with and without hysteresis
	}{
		{"up", 2e6, 20 * time.Second, 1, 1, 2},
		{"down", 2e6, 10 * time.Second, 3, 3, 2},
	}
	for _, c := range cases {
		off := NewAuto()
		off.Hysteresis = -1
		if got := off.Choose(steady(c.bps, c.buffer, c.last, 5)); got != c.move {
			t.Errorf("%s: without hysteresis Choose = %d; want %d", c.name, got, c.move)
		}
		if got := NewAuto().Choose(steady(c.bps, c.buffer, c.last, 5)); got != c.stay {
			t.Errorf("%s: with hysteresis Choose = %d; want %d (the current level)", c.name, got, c.stay)
		}
	}
}
