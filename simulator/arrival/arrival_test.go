package arrival

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/abrkit/abrkit/simulator/scenario"
)

func TestTimes(t *testing.T) {
	tests := []struct {
		name  string
		a     scenario.Arrival
		n     int
		first time.Duration
		last  time.Duration // approximate
		tol   time.Duration
	}{
		{"instant", scenario.Arrival{Process: "instant"}, 10, 0, 0, 0},
		{"instant spread", scenario.Arrival{Process: "instant", Over: scenario.Duration(10 * time.Second)}, 10, 0, 9 * time.Second, 0},
		{"constant", scenario.Arrival{Process: "constant", Rate: 10}, 100, 100 * time.Millisecond, 10 * time.Second, 10 * time.Millisecond},
		{"fractional", scenario.Arrival{Process: "constant", Rate: 2.5}, 11, 400 * time.Millisecond, 4400 * time.Millisecond, 10 * time.Millisecond},
		{"ramp", scenario.Arrival{Process: "ramp", From: 10, To: 30, Over: scenario.Duration(10 * time.Second)}, 200, 0, 10 * time.Second, 200 * time.Millisecond},
		{"ramp then hold", scenario.Arrival{Process: "ramp", From: 10, To: 30, Over: scenario.Duration(10 * time.Second)}, 500, 0, 20 * time.Second, 200 * time.Millisecond},
		{"sine", scenario.Arrival{Process: "sine", Rate: 10, Amplitude: 5, Period: scenario.Duration(20 * time.Second)}, 200, 0, 20 * time.Second, 300 * time.Millisecond},
		{"poisson", scenario.Arrival{Process: "poisson", Rate: 100}, 10000, 0, 100 * time.Second, 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, err := Times(tt.a, tt.n, rand.New(rand.NewPCG(1, 1)))
			if err != nil {
				t.Fatal(err)
			}
			if len(ts) != tt.n {
				t.Fatalf("Times() = %d arrivals; want %d", len(ts), tt.n)
			}
			for i := 1; i < len(ts); i++ {
				if ts[i] < ts[i-1] {
					t.Fatalf("arrival %d at %v before %v", i, ts[i], ts[i-1])
				}
			}
			if d := ts[0] - tt.first; math.Abs(float64(d)) > float64(tt.tol) {
				t.Errorf("first arrival %v; want %v", ts[0], tt.first)
			}
			if d := ts[len(ts)-1] - tt.last; math.Abs(float64(d)) > float64(tt.tol) {
				t.Errorf("last arrival %v; want %v ± %v", ts[len(ts)-1], tt.last, tt.tol)
			}
		})
	}
}

func TestFlash(t *testing.T) {
	a := scenario.Arrival{Process: "flash", Rate: 10, Burst: 900, At: scenario.Duration(time.Minute), Over: scenario.Duration(10 * time.Second)}
	ts, err := Times(a, 1000, rand.New(rand.NewPCG(2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	in := 0
	for _, x := range ts {
		if x >= time.Minute && x <= 70*time.Second {
			in++
		}
	}
	if len(ts) != 1000 || in < 900 {
		t.Errorf("flash: %d arrivals, %d in the burst window; want 1000 and >= 900", len(ts), in)
	}
}

func TestDeterministic(t *testing.T) {
	a := scenario.Arrival{Process: "poisson", Rate: 5}
	x, _ := Times(a, 50, rand.New(rand.NewPCG(7, 7)))
	y, _ := Times(a, 50, rand.New(rand.NewPCG(7, 7)))
	for i := range x {
		if x[i] != y[i] {
			t.Fatalf("Times differs at %d with the same seed: %v vs %v", i, x[i], y[i])
		}
	}
}

// A burst larger than the audience would make more arrivals than viewers.
func TestFlashBurstLargerThanViewers(t *testing.T) {
	a := scenario.Arrival{Process: "flash", Burst: 1200, At: scenario.Duration(time.Minute), Over: scenario.Duration(time.Minute)}
	if times, err := Times(a, 1000, rand.New(rand.NewPCG(1, 2))); err == nil {
		t.Errorf("Times(burst 1200, 1000 viewers) = %d arrivals, no error; want an error", len(times))
	}
}
