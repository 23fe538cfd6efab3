package catalog

import (
	"context"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/simulator/backend/topology"
)

// readTimes has K clients read from ds in a closed loop, R reads each,
// and returns the read times sorted. Real datastores block on their
// slots and sleep on clk, which the loop advances in 20µs steps once
// every client waits; virtual ones are driven by setting clk to each
// client's next read.
func readTimes(t *testing.T, ds *Datastore, clk *clock.Fake, k, r int) []time.Duration {
	t.Helper()
	var out []time.Duration
	if ds.virtual {
		next := make([]time.Time, k)
		for i := range next {
			next[i] = clk.Now()
		}
		for range k * r {
			i := 0
			for j := range next {
				if next[j].Before(next[i]) {
					i = j
				}
			}
			if next[i].After(clk.Now()) {
				clk.Set(next[i])
			}
			d, err := ds.Read(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, d)
			next[i] = next[i].Add(d)
		}
	} else {
		ctx, cancel := context.WithCancel(context.Background())
		var mu sync.Mutex
		var wg sync.WaitGroup
		var active atomic.Int32
		active.Store(int32(k))
		for range k {
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer active.Add(-1)
				for range r {
					d, err := ds.Read(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					out = append(out, d)
					mu.Unlock()
				}
			}()
		}
		go func() { wg.Wait(); cancel() }()
		// Advance once every client still reading waits on the clock.
		for ctx.Err() == nil {
			if clk.Pending() >= int(active.Load()) {
				clk.Advance(20 * time.Microsecond)
			} else {
				runtime.Gosched()
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func meanOf(ds []time.Duration) time.Duration {
	var s time.Duration
	for _, d := range ds {
		s += d
	}
	return s / time.Duration(len(ds))
}

// TestVirtualDatastoreCalibrated checks the virtual datastore's queue
// against the real one: the same latency distribution and concurrency
// limit under the same closed-loop load (8 clients, 2 slots: reads wait
// about three service times) give read times whose mean and p90 agree
// within 15%, and whose median within 20%.
func TestVirtualDatastoreCalibrated(t *testing.T) {
	if testing.Short() {
		t.Skip("drives 2,400 reads through the real datastore")
	}
	lat := topology.ServiceTime{Median: 4 * time.Millisecond, P99: 30 * time.Millisecond}
	const k, r, limit = 8, 300, 2
	var got [2][]time.Duration
	for i, virtual := range []bool{false, true} {
		clk := clock.NewFake(time.Unix(0, 0))
		sleep := clk.Sleep
		if virtual {
			sleep = nosleep
		}
		ds := newDatastore(lat, limit, 10*time.Second, clk, sleep, noBreaker{}, virtual)
		got[i] = readTimes(t, ds, clk, k, r)
	}
	real, virt := got[0], got[1]
	q := func(ds []time.Duration, p float64) time.Duration { return ds[int(p*float64(len(ds)-1))] }
	for _, c := range []struct {
		what      string
		real, sim time.Duration
		tol       float64
	}{
		{"mean", meanOf(real), meanOf(virt), 0.15},
		{"p50", q(real, 0.5), q(virt, 0.5), 0.20},
		{"p90", q(real, 0.9), q(virt, 0.9), 0.15},
	} {
		t.Logf("%s: real %v, virtual %v", c.what, c.real, c.sim)
		if d := float64(c.sim-c.real) / float64(c.real); d > c.tol || d < -c.tol {
			t.Errorf("%s read time: virtual %v, real %v: off by %.0f%%, want within %.0f%%", c.what, c.sim, c.real, d*100, c.tol*100)
		}
	}
	// Queueing shows: reads take well over the bare service time.
	if m := meanOf(virt); m < 3*lat.Median {
		t.Errorf("mean read time %v under load: want the queue's wait on top of the %v median", m, lat.Median)
	}
}
