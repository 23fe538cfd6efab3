package sabre

import (
	"math"
	"testing"

	"github.com/abrkit/abrkit/abr"
)

func TestNetworkTiming(t *testing.T) {
	periods := []Period{{Time: 1000, Bandwidth: 1000, Latency: 100}, {Time: 1000, Bandwidth: 4000, Latency: 0}}
	cases := []struct {
		name     string
		size     float64
		wantTime float64
		wantTTFB float64
	}{
		// 100 ms latency, then 900 ms at 1000 bits/ms: 900000 bits.
		{"within the first period", 500000, 600, 100},
		{"across periods", 900000 + 400000, 1100, 100},
		{"wraps around the trace", 900000 + 4000000 + 100000, 100 + 900 + 1000 + 100, 100},
	}
	for _, c := range cases {
		n := newNetwork(periods)
		p := n.fetch(c.size, 1, 0, 0, nil)
		if math.Abs(p.Time-c.wantTime) > 1e-9 || p.TimeToFirstBit != c.wantTTFB || p.Downloaded != c.size {
			t.Errorf("%s: fetch(%g) = time %g, ttfb %g, bits %g; want %g, %g, %g",
				c.name, c.size, p.Time, p.TimeToFirstBit, p.Downloaded, c.wantTime, c.wantTTFB, c.size)
		}
	}
}

func TestNetworkDelaySpendsTraceTime(t *testing.T) {
	n := newNetwork([]Period{{Time: 1000, Bandwidth: 0}, {Time: 1000, Bandwidth: 1000}})
	n.delay(1500)
	if n.index != 1 || n.timeToNext != 500 {
		t.Errorf("delay(1500) left period %d with %g ms; want period 1 with 500", n.index, n.timeToNext)
	}
}

func ladder() *Manifest {
	m := &Manifest{SegmentTime: 3000, Bitrates: []float64{500, 1000, 2000, 4000}}
	for range 40 {
		seg := make([]float64, len(m.Bitrates))
		for l, b := range m.Bitrates {
			seg[l] = b * 3000
		}
		m.Segments = append(m.Segments, seg)
	}
	return m
}

func TestRunConstantLink(t *testing.T) {
	// 3000 kbit/s sustains level 2 (2000) and not level 3 (4000); BOLA may
	// play above it from a full buffer and below it near the end.
	for _, name := range Names() {
		a, _ := New(name)
		out, err := Run(DefaultConfig(), ladder(), []Period{{Time: 1000, Bandwidth: 3000, Latency: 20}}, a)
		if err != nil {
			t.Fatal(err)
		}
		if out.Metrics.TotalRebuffer > 0 {
			t.Errorf("%s on a constant link: rebuffer %g s; want 0", name, out.Metrics.TotalRebuffer)
		}
		if br := out.Metrics.TimeAveragePlayedBitrate; br < 1000 || br > 3000 {
			t.Errorf("%s on a constant 3000 kbit/s link played %.0f kbit/s; want 1000..3000", name, br)
		}
	}
}

func TestRunAbandonsOnCollapse(t *testing.T) {
	// Fast for 30 s, then a trickle: the download in flight is abandoned.
	periods := []Period{{Time: 30000, Bandwidth: 8000, Latency: 20}, {Time: 600000, Bandwidth: 300, Latency: 20}}
	for _, name := range []string{"throughput", "dynamic"} {
		a, _ := New(name)
		on, err := Run(DefaultConfig(), ladder(), periods, a)
		if err != nil {
			t.Fatal(err)
		}
		cfg := DefaultConfig()
		cfg.NoAbandon = true
		b, _ := New(name)
		off, _ := Run(cfg, ladder(), periods, b)
		if on.Abandoned == 0 || off.Abandoned != 0 {
			t.Errorf("%s: abandoned %d with abandonment, %d without; want > 0 and 0", name, on.Abandoned, off.Abandoned)
		}
	}
}

func TestRunRejectsBadInput(t *testing.T) {
	a, _ := New("bola")
	for name, p := range map[string][]Period{"no capacity": {{Time: 1000}}, "negative": {{Time: -1, Bandwidth: 5}}} {
		if _, err := Run(DefaultConfig(), ladder(), p, a); err == nil {
			t.Errorf("Run(%s) = nil error", name)
		}
	}
	if _, err := Run(DefaultConfig(), &Manifest{}, []Period{{Time: 1, Bandwidth: 1}}, a); err == nil {
		t.Error("Run(empty manifest) = nil error")
	}
}

// stubborn always asks for the top level and always abandons to the
// bottom one.
type stubborn struct{}

func (stubborn) Name() string                                 { return "stubborn" }
func (stubborn) Choose(s *abr.State) int                      { return len(s.Bitrates) - 1 }
func (stubborn) Abandon(*abr.State, abr.Progress) (int, bool) { return 0, true }

func TestAdaptAbandonRefetchesLower(t *testing.T) {
	// An adapted algorithm that would ask for the abandoned level again
	// gets the level it abandoned to: each segment is abandoned at most
	// once and the session ends (it used to loop without end).
	m := ladder()
	out, err := Run(DefaultConfig(), m, []Period{{Time: 1000, Bandwidth: 3000, Latency: 20}}, Adapt(stubborn{}))
	if err != nil {
		t.Fatal(err)
	}
	if out.Abandoned == 0 || out.Abandoned > len(m.Segments) {
		t.Errorf("abandoned %d downloads over %d segments; want 1..%d", out.Abandoned, len(m.Segments), len(m.Segments))
	}
	for i, s := range out.Segments[1:] {
		if s.Level != 0 {
			t.Fatalf("segment %d played at level %d; want 0, the level abandoned to", i+1, s.Level)
		}
	}
}
