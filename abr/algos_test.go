package abr

import (
	"math"
	"testing"
	"time"
)

var ladder = []int{300_000, 750_000, 1_200_000, 1_850_000, 2_850_000, 4_300_000}

// steady returns a state after n segments that each took 4 s... at bps.
func steady(bps float64, buffer time.Duration, last int, n int) *State {
	s := &State{
		Buffer: buffer, MaxBuffer: 60 * time.Second, SegmentDuration: 4 * time.Second,
		Bitrates: ladder, Last: last, Index: n, Remaining: 48 - n,
		Estimate: bps, EstimateOK: true,
	}
	for range n {
		bytes := int64(float64(ladder[max(last, 0)]) / 8 * 4)
		s.History = append(s.History, Chunk{Level: last, Bytes: bytes,
			Download: time.Duration(float64(bytes) * 8 / bps * float64(time.Second))})
	}
	return s
}

func TestThroughput(t *testing.T) {
	tests := []struct {
		bps  float64
		want int
	}{
		{100_000, 0}, {1_000_000, 1}, {2_000_000, 2}, {3_200_000, 4}, {10_000_000, 5},
	}
	for _, tt := range tests {
		s := steady(tt.bps, 10*time.Second, 2, 3)
		if got := NewThroughput().Choose(s); got != tt.want {
			t.Errorf("Throughput(est %v) = %d; want %d", tt.bps, got, tt.want)
		}
	}
	if got := NewThroughput().Choose(&State{Bitrates: ladder, Last: -1}); got != 0 {
		t.Errorf("Throughput(no data) = %d; want 0", got)
	}
}

func TestBB(t *testing.T) {
	tests := []struct {
		buf  time.Duration
		want int
	}{
		{0, 0}, {4900 * time.Millisecond, 0}, {5 * time.Second, 0}, {7 * time.Second, 1},
		{10 * time.Second, 2}, {14900 * time.Millisecond, 4}, {15 * time.Second, 5}, {60 * time.Second, 5},
	}
	for _, tt := range tests {
		s := steady(1e6, tt.buf, 2, 3)
		if got := NewBB().Choose(s); got != tt.want {
			t.Errorf("BB(buffer %v) = %d; want %d", tt.buf, got, tt.want)
		}
	}
}

func TestBOLA(t *testing.T) {
	// Steady state (buffer above a segment): the level grows with the
	// buffer, and BOLA-O never climbs above the sustainable level.
	tests := []struct {
		buf  time.Duration
		est  float64
		last int
		want int
	}{
		{4100 * time.Millisecond, 10e6, 0, 0},
		{12 * time.Second, 10e6, 2, 2},
		{30 * time.Second, 10e6, 5, 5},
		{20 * time.Second, 1e6, 0, 1}, // buffer says 5; throughput caps at 1 (0.9 x 1 Mbit/s)
	}
	for _, tt := range tests {
		s := steady(tt.est, tt.buf, tt.last, 3)
		got := NewBOLA().Choose(s)
		if tt.want == 2 && (got < 1 || got > 3) || tt.want != 2 && got != tt.want {
			t.Errorf("BOLA(buffer %v, est %v, last %d) = %d; want %d", tt.buf, tt.est, tt.last, got, tt.want)
		}
	}
	// Start-up follows the throughput.
	s := &State{Bitrates: ladder, SegmentDuration: 4 * time.Second, Last: -1, Startup: true, Estimate: 2e6, EstimateOK: true}
	if got := NewBOLA().Choose(s); got != 2 {
		t.Errorf("BOLA(start-up, 2 Mbit/s) = %d; want 2", got)
	}
}

func TestDynamicGuards(t *testing.T) {
	// Low buffer: the throughput rule, capped by the insufficient-buffer rule.
	s := steady(3e6, 2*time.Second, 3, 3)
	if got := NewDynamic().Choose(s); got > 1 {
		t.Errorf("Dynamic(2 s buffer, 3 Mbit/s) = %d; want <= 1 (0.5 x 3 Mbit/s x 2/4)", got)
	}
	// Many drops from level 3 lately: capped below it.
	d := NewDynamic()
	for range 8 {
		d.history = append(d.history, [2]int{3, 2})
	}
	if got := d.Choose(steady(10e6, 30*time.Second, 5, 3)); got > 2 {
		t.Errorf("Dynamic(after repeated drops from 3) = %d; want <= 2", got)
	}
}

func TestMPCSearchTieBreak(t *testing.T) {
	// Equal rewards everywhere (zero sizes, one level): the last
	// enumerated combination wins, which starts with the top level.
	p := mpcProblem{buffer: 10, last: 0, horizon: 2, levels: 2, sizesMB: []float64{0, 0, 0, 0},
		bwMBps: 1, segDur: 4, bitrates: []int{1_000_000, 1_000_000}, rebufPenalty: 1, switchPenalty: 1}
	if got := mpcSearch(p); got != 1 {
		t.Errorf("mpcSearch(all ties) = %d; want 1 (last enumerated)", got)
	}
}

func TestRobustMPCOffByOne(t *testing.T) {
	// Segment 1 is huge at every level but the lowest; segment 2 is tiny.
	// Reading one index late, robustMPC sees the tiny one and goes high;
	// MPC sees the huge one and stays low.
	size := func(index, level int) (int64, bool) {
		if index == 1 && level > 0 {
			return 50_000_000, true
		}
		return int64(ladder[level] / 8 * 4), true
	}
	mk := func() *State {
		s := steady(3_000_000, 2*time.Second, 0, 1)
		s.SegmentSize = size
		return s
	}
	if got := NewMPC().Choose(mk()); got != 0 {
		t.Errorf("MPC(huge next segment) = %d; want 0", got)
	}
	if got := NewRobustMPC().Choose(mk()); got == 0 {
		t.Errorf("RobustMPC(huge next segment) = 0; want > 0 (reads one index late)")
	}
	if got := NewAuto().Choose(mk()); got != 0 {
		t.Errorf("Auto(huge next segment) = %d; want 0", got)
	}
}

func TestAutoLowBufferSafety(t *testing.T) {
	// A collapsed link with little buffer: auto must go to the bottom.
	s := steady(200_000, 3*time.Second, 4, 5)
	if got := NewAuto().Choose(s); got != 0 {
		t.Errorf("Auto(200 kbps, 3 s buffer) = %d; want 0", got)
	}
}

func TestAbandon(t *testing.T) {
	s := steady(3e6, 4*time.Second, 5, 3)
	cases := []struct {
		a       Abandoner
		elapsed time.Duration // when the slow download is checked
	}{
		{NewThroughput(), 2 * time.Second},
		{NewDynamic(), 2 * time.Second},
		{NewBOLA(), 2 * time.Second},
		{NewAuto(), 4 * time.Second}, // auto waits one segment duration
	}
	for _, c := range cases {
		p := Progress{Level: 5, BytesLoaded: 100_000, BytesTotal: 2_150_000, Elapsed: c.elapsed}
		l, ok := c.a.Abandon(s, p)
		if !ok || l >= 5 {
			t.Errorf("%T.Abandon(slow top-level download) = %d, %v; want a lower level, true", c.a, l, ok)
		}
		p2 := p
		p2.BytesLoaded = 2_000_000
		if _, ok := c.a.Abandon(s, p2); ok {
			t.Errorf("%T.Abandon(almost done) = true; want false", c.a)
		}
	}
	early := Progress{Level: 5, BytesLoaded: 50_000, BytesTotal: 2_150_000, Elapsed: 2 * time.Second}
	if _, ok := NewAuto().Abandon(s, early); ok {
		t.Error("Auto.Abandon before one segment duration = true; want false (the early rate misjudges the link)")
	}
}

func TestAutoAbandonWait(t *testing.T) {
	// A top-level download stuck in an outage (50 kB in) with 20 s of
	// buffer: auto waits AbandonWait of the buffer before giving it up,
	// since waiting out a short outage costs no stall.
	s := steady(3e6, 20*time.Second, 5, 3)
	cases := []struct {
		name    string
		wait    float64
		elapsed time.Duration
		want    bool
	}{
		{"default, 4 s in", 0, 4 * time.Second, false},
		{"default, 11 s in", 0, 11 * time.Second, true},
		{"no wait, 4 s in", -1, 4 * time.Second, true},
		{"no wait, 2 s in", -1, 2 * time.Second, false}, // still one segment duration
	}
	for _, c := range cases {
		a := NewAuto()
		if c.wait != 0 {
			a.AbandonWait = c.wait
		}
		p := Progress{Level: 5, BytesLoaded: 50_000, BytesTotal: 2_150_000, Elapsed: c.elapsed}
		if _, got := a.Abandon(s, p); got != c.want {
			t.Errorf("%s: Abandon = %v; want %v", c.name, got, c.want)
		}
	}
}

func TestQoE(t *testing.T) {
	q := LinQoE(ladder)
	if q.RebufferPenalty != 4.3 || q.SwitchPenalty != 1 {
		t.Fatalf("LinQoE = %+v; want {4.3 1}", q)
	}
	if got := q.Chunk(1_850_000, 300_000, time.Second); math.Abs(got+4) > 1e-9 {
		t.Errorf("Chunk(1850k after 300k, 1 s stall) = %v; want -4 (1.85-4.3-1.55)", got)
	}
}
