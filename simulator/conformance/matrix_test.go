package conformance

import (
	"slices"
	"sync"
	"testing"
)

// TestMatrix plays every case through the three drivers and compares the
// real-time ones with the virtual one. Most real-time sessions run at
// once (they mostly wait on the network), so the matrix takes about as
// long as its two longest cases.
func TestMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("plays each case in real time (about 45 s in all)")
	}
	cs := cases()
	pkg := title(t)
	type result struct {
		tr  Trace
		err error
	}
	player, live := make([]result, len(cs)), make([]result, len(cs))
	// An abandonment depends on progress reports timed to a few hundred
	// milliseconds: the player sessions that must abandon run first, on
	// their own, then everything else at once.
	for i, c := range cs {
		if c.MinAbandons == 0 {
			continue
		}
		// whether a download is in flight when the link collapses moves
		// with scheduling on a loaded machine: one more attempt is
		// allowed, and logged
		for attempt := 0; attempt < 2; attempt++ {
			player[i].tr, player[i].err = runPlayer(t, c, scenarioOf(t, c), pkg)
			if player[i].err == nil && len(compare(c, runVirtual(t, c), player[i].tr)) == 0 {
				break
			}
			t.Logf("%s: player attempt %d disagreed: %+v %v", c.Name, attempt+1, player[i].tr, player[i].err)
		}
	}
	var wg sync.WaitGroup
	for i, c := range cs {
		sp, sl := scenarioOf(t, c), scenarioOf(t, c)
		if c.MinAbandons == 0 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				player[i].tr, player[i].err = runPlayer(t, c, sp, pkg)
			}()
		}
		if !c.live() {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			live[i].tr, live[i].err = runLive(sl)
		}()
	}
	wg.Wait()
	for i, c := range cs {
		t.Run(c.Name, func(t *testing.T) {
			want := runVirtual(t, c)
			if !want.Ended {
				t.Fatalf("virtual: %+v; want a session that ends", want)
			}
			if c.Steer != nil && !slices.Equal(want.Servers, []string{"us-1"}) {
				t.Errorf("virtual: servers %v; want [us-1] after the steering server put us-1 first", want.Servers)
			}
			for _, d := range []struct {
				name string
				r    result
			}{{"player", player[i]}, {"live", live[i]}} {
				if d.name == "live" && !c.live() {
					continue
				}
				if d.r.err != nil {
					t.Errorf("%s: %v", d.name, d.r.err)
					continue
				}
				for _, msg := range compare(c, want, d.r.tr) {
					if raceEnabled {
						t.Logf("%s: %s (not compared under the race detector)", d.name, msg)
						continue
					}
					t.Errorf("%s: %s", d.name, msg)
				}
			}
			if t.Failed() || testing.Verbose() {
				t.Logf("virtual %+v\nplayer  %+v\nlive    %+v", want, player[i].tr, live[i].tr)
			}
		})
	}
}
