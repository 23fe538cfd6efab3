package netsim

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/abrkit/abrkit/simulator/des"
)

const (
	kFlow uint8 = 1
	kEdge uint8 = 2
	kUser uint8 = 3
)

type harness struct {
	eng  *des.Engine
	net  *Network
	done map[int64]time.Duration
}

func newHarness() *harness {
	h := &harness{eng: des.New(), done: map[int64]time.Duration{}}
	h.net = New(h.eng, kFlow, kEdge, func(now time.Duration, d Done) { h.done[d.Tag] = now })
	return h
}

func (h *harness) run() {
	h.eng.RunUntil(time.Hour, func(ev des.Event) { h.net.Handle(ev.At, ev.Kind, ev.ID, ev.Gen) }, nil)
}

func mbps(x float64) Link { return Link{Trace: Constant(x * 1e6)} }

func near(a, b time.Duration) bool { return math.Abs(float64(a-b)) < float64(time.Millisecond) }

func TestFlows(t *testing.T) {
	stepped, _ := NewTrace("s", []time.Duration{time.Second, time.Second}, []float64{8e6, 16e6})
	tests := []struct {
		name  string
		edge  float64 // bits/s
		links []Link
		sizes []int64
		want  []time.Duration
	}{
		{"one flow, link-bound", 1e9, []Link{mbps(8)}, []int64{1e6}, []time.Duration{time.Second}},
		{"two flows share the edge", 8e6, []Link{mbps(800), mbps(800)}, []int64{1e6, 1e6}, []time.Duration{2 * time.Second, 2 * time.Second}},
		{"max-min with a slow link", 24e6, []Link{mbps(4), mbps(80), mbps(80)}, []int64{5e5, 1.25e6, 1.25e6}, []time.Duration{time.Second, time.Second, time.Second}},
		{"the survivor speeds up", 16e6, []Link{mbps(800), mbps(800)}, []int64{1e6, 3e6}, []time.Duration{time.Second, 2 * time.Second}},
		{"link changes rate", 1e9, []Link{{Trace: stepped}}, []int64{3e6}, []time.Duration{2 * time.Second}},
		{"unlimited link", 8e6, []Link{{}}, []int64{2e6}, []time.Duration{2 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness()
			e := h.net.AddEdge(tt.edge)
			for i, l := range tt.links {
				h.net.Start(0, e, l, tt.sizes[i], int64(i))
			}
			h.run()
			for i, w := range tt.want {
				if got := h.done[int64(i)]; !near(got, w) {
					t.Errorf("flow %d done at %v; want %v", i, got, w)
				}
			}
			if h.net.Active() != 0 {
				t.Errorf("Active() = %d after the run; want 0", h.net.Active())
			}
		})
	}
}

func TestCancelAndCapacity(t *testing.T) {
	h := newHarness()
	e := h.net.AddEdge(16e6)
	h.net.Start(0, e, Link{}, 4e6, 1)
	f := h.net.Start(0, e, Link{}, 4e6, 2)
	h.eng.Schedule(time.Second, kUser, 0, 0)
	h.eng.Schedule(2*time.Second, kUser, 1, 0)
	h.eng.RunUntil(time.Hour, func(ev des.Event) {
		if ev.Kind == kUser {
			switch ev.ID {
			case 0: // at 1s: flow 1 has 3MB left; cancel flow 2
				if r := h.net.Remaining(ev.At, 0); math.Abs(r-3e6) > 1 {
					t.Errorf("Remaining(1s) = %g; want 3e6", r)
				}
				h.net.Cancel(ev.At, f)
			case 1: // at 2s: 1MB left; halve the edge to 1MB/s
				h.net.SetCapacity(ev.At, e, 8e6)
			}
			return
		}
		h.net.Handle(ev.At, ev.Kind, ev.ID, ev.Gen)
	}, nil)
	if got := h.done[1]; !near(got, 3*time.Second) {
		t.Errorf("flow 1 done at %v; want 3s", got)
	}
	if _, ok := h.done[2]; ok {
		t.Errorf("cancelled flow reported done")
	}
}

// reference computes completion times by brute force: at every event,
// rates are water-filled from scratch.
func reference(capacity float64, starts []time.Duration, caps []float64, sizes []float64) []float64 {
	n := len(starts)
	rem := append([]float64(nil), sizes...)
	done := make([]float64, n)
	active := make([]bool, n)
	started := make([]bool, n)
	now := 0.0
	for {
		// rates
		var idx []int
		for i := range active {
			if active[i] {
				idx = append(idx, i)
			}
		}
		rate := make([]float64, n)
		sort.Slice(idx, func(a, b int) bool { return caps[idx[a]] < caps[idx[b]] })
		left := capacity
		for k, i := range idx {
			share := left / float64(len(idx)-k)
			rate[i] = math.Min(caps[i], share)
			left -= rate[i]
		}
		next := math.Inf(1)
		for i := range starts {
			if !started[i] {
				next = math.Min(next, starts[i].Seconds())
			}
		}
		for _, i := range idx {
			if rate[i] > 0 {
				next = math.Min(next, now+rem[i]/rate[i])
			}
		}
		if math.IsInf(next, 1) {
			return done
		}
		for _, i := range idx {
			rem[i] -= rate[i] * (next - now)
			if rem[i] <= 1e-6*sizes[i] {
				active[i] = false
				done[i] = next
			}
		}
		now = next
		for i := range starts {
			if !started[i] && starts[i].Seconds() <= now {
				started[i], active[i] = true, true
			}
		}
	}
}

func TestAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for round := 0; round < 30; round++ {
		n := 2 + r.IntN(40)
		capacity := 1e6 + r.Float64()*2e7 // bytes/s
		starts := make([]time.Duration, n)
		caps := make([]float64, n)
		sizes := make([]float64, n)
		for i := range starts {
			starts[i] = time.Duration(r.IntN(3000)) * time.Millisecond
			caps[i] = 1e5 + r.Float64()*5e6
			sizes[i] = float64(1e4 + r.IntN(5e6))
		}
		want := reference(capacity, starts, caps, sizes)
		h := newHarness()
		e := h.net.AddEdge(capacity * 8)
		for i := range starts {
			h.eng.Schedule(starts[i], kUser, int32(i), 0)
		}
		h.eng.RunUntil(time.Hour, func(ev des.Event) {
			if ev.Kind == kUser {
				i := ev.ID
				h.net.Start(ev.At, e, Link{Trace: Constant(caps[i] * 8)}, int64(sizes[i]), int64(i))
				return
			}
			h.net.Handle(ev.At, ev.Kind, ev.ID, ev.Gen)
		}, nil)
		for i := range want {
			got := h.done[int64(i)].Seconds()
			if math.Abs(got-want[i]) > 1e-3*math.Max(1, want[i]) {
				t.Fatalf("round %d flow %d: done at %.6fs; reference %.6fs", round, i, got, want[i])
			}
		}
	}
}

func TestTrace(t *testing.T) {
	tr, err := NewTrace("x", []time.Duration{time.Second, 0, 2 * time.Second}, []float64{8e6, 1, 16e6})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Period() != 3*time.Second {
		t.Errorf("Period() = %v; want 3s", tr.Period())
	}
	if m := tr.Mean(); math.Abs(m-40e6/3) > 1 {
		t.Errorf("Mean() = %g; want %g", m, 40e6/3)
	}
	l := Link{Trace: tr, Offset: 500 * time.Millisecond, Scale: 2}
	r, next := l.Rate(3 * time.Second) // trace time 0.5s
	if r != 2e6 || next != 3500*time.Millisecond {
		t.Errorf("Rate(3s) = %g, %v; want 2e6, 3.5s", r, next)
	}
	if _, err := NewTrace("empty", nil, nil); err == nil {
		t.Errorf("NewTrace(empty) = nil error")
	}
	if _, err := NewTrace("neg", []time.Duration{time.Second}, []float64{-1}); err == nil {
		t.Errorf("NewTrace(negative) = nil error")
	}
}

func BenchmarkNetwork(b *testing.B) {
	// 20,000 concurrent viewers on 10 edges, each restarting a 2MB flow
	// when the previous one ends: events per second of the network alone,
	// on congested edges (20 Gbps in all) and on edges with room to spare.
	b.Run("congested", func(b *testing.B) { benchNetwork(b, 2e10) })
	b.Run("uncongested", func(b *testing.B) { benchNetwork(b, 1e12) })
}

func benchNetwork(b *testing.B, capacity float64) {
	r := rand.New(rand.NewPCG(1, 1))
	eng := des.New()
	var net *Network
	links := make([]Link, 20000)
	for i := range links {
		links[i] = Link{Trace: RandomWalk("w", r, 5e6+r.Float64()*2e7, 0.3, time.Second, 300), Offset: time.Duration(r.IntN(300)) * time.Second}
	}
	net = New(eng, kFlow, kEdge, func(now time.Duration, d Done) {
		net.Start(now, d.Edge, links[d.Tag], 2e6, d.Tag)
	})
	for i := 0; i < 10; i++ {
		net.AddEdge(capacity / 10)
	}
	for i := range links {
		net.Start(0, i%10, links[i], 2e6, int64(i))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		eng.Step(func(ev des.Event) { net.Handle(ev.At, ev.Kind, ev.ID, ev.Gen) })
	}
}

func TestTransferTime(t *testing.T) {
	tr, _ := NewTrace("s", []time.Duration{time.Second, time.Second}, []float64{8e6, 16e6})
	zero, _ := NewTrace("z", []time.Duration{time.Second}, []float64{0})
	tests := []struct {
		l     Link
		start time.Duration
		size  int64
		want  time.Duration
	}{
		{Link{Trace: tr}, 0, 3e6, 2 * time.Second},
		{Link{Trace: tr}, 1500 * time.Millisecond, 1e6, 500 * time.Millisecond},
		{Link{Trace: tr}, 0, 6e6, 4 * time.Second},
		{Link{Trace: Constant(8e6)}, time.Hour, 5e5, 500 * time.Millisecond},
		{Link{}, 0, 1e6, time.Nanosecond},
		{Link{Trace: zero}, 0, 1, Never},
	}
	for _, tt := range tests {
		if got := tt.l.TransferTime(tt.start, tt.size); !near(got, tt.want) && got != tt.want {
			t.Errorf("TransferTime(%v, %d) = %v; want %v", tt.start, tt.size, got, tt.want)
		}
	}
}

func TestDelivered(t *testing.T) {
	tr, _ := NewTrace("s", []time.Duration{time.Second, time.Second}, []float64{8e6, 16e6})
	zero, _ := NewTrace("z", []time.Duration{time.Second}, []float64{0})
	tests := []struct {
		l        Link
		start, d time.Duration
		want     int64
	}{
		{Link{Trace: tr}, 0, 2 * time.Second, 3e6},
		{Link{Trace: tr}, 1500 * time.Millisecond, 500 * time.Millisecond, 1e6},
		{Link{Trace: tr}, 0, 4 * time.Second, 6e6},
		{Link{Trace: Constant(8e6)}, time.Hour, 500 * time.Millisecond, 5e5},
		{Link{Trace: zero}, 0, time.Minute, 0},
		{Link{Trace: tr}, 0, -time.Second, 0},
	}
	for _, tt := range tests {
		if got := tt.l.Delivered(tt.start, tt.d); got < tt.want-1 || got > tt.want+1 {
			t.Errorf("Delivered(%v, %v) = %d; want %d", tt.start, tt.d, got, tt.want)
		}
		if tt.want > 0 {
			if back := tt.l.TransferTime(tt.start, tt.want); !near(back, tt.d) {
				t.Errorf("TransferTime(%v, Delivered(%v)) = %v; want %v", tt.start, tt.d, back, tt.d)
			}
		}
	}
}

func TestRateHint(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	tr := RandomWalk("w", r, 1e7, 0.5, 700*time.Millisecond, 50)
	l := Link{Trace: tr, Offset: 3 * time.Second, Scale: 2}
	hint := -1
	for i := 0; i < 2000; i++ {
		now := time.Duration(r.Int64N(int64(time.Minute)))
		if i%2 == 1 {
			now = time.Duration(i) * 350 * time.Millisecond
		}
		wr, wn := l.Rate(now)
		gr, gn, idx := l.rateHint(now, hint)
		if wr != gr || wn != gn {
			t.Fatalf("rateHint(%v, %d) = %g, %v; Rate = %g, %v", now, hint, gr, gn, wr, wn)
		}
		hint = idx
	}
}

// TestPendingEventsStand checks that a change which leaves a flow's or an
// edge's next event at the same time schedules nothing new: two flows
// share a congested edge while their access links change rate every 10 ms
// (always above their fair share), so each step moves a flow out of the
// edge-limited group and back with its next event unchanged. Completion
// times stay those of the model.
func TestPendingEventsStand(t *testing.T) {
	var steps []time.Duration
	var rates []float64
	for i := range 100 {
		steps = append(steps, 10*time.Millisecond)
		rates = append(rates, []float64{80e6, 160e6}[i%2])
	}
	tr, err := NewTrace("steps", steps, rates)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness()
	e := h.net.AddEdge(8e6)
	for i := range 2 {
		h.net.Start(0, e, Link{Trace: tr}, 1e6, int64(i))
	}
	h.run()
	for i := range 2 {
		if got := h.done[int64(i)]; !near(got, 2*time.Second) {
			t.Errorf("flow %d done at %v; want 2s", i, got)
		}
	}
	// one event per flow and step, and fewer for the edge (before pending
	// events stood: 1,207)
	if got, most := h.eng.Handled(), uint64(500); got > most {
		t.Errorf("%d events for 2 flows over 200 rate steps; want at most %d", got, most)
	}
}
