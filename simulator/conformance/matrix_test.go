package conformance

import (
	"sync"
	"testing"
)

// TestMatrix plays every case through the three drivers and compares the
// real-time ones with the virtual one. The real-time sessions of all
// cases run at once (they mostly wait on the network), so the matrix
// takes about as long as its longest case.
func TestMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("plays each case in real time (about 30 s in all)")
	}
	cs := cases()
	pkg := title(t)
	type result struct {
		tr  Trace
		err error
	}
	player, live := make([]result, len(cs)), make([]result, len(cs))
	var wg sync.WaitGroup
	for i, c := range cs {
		sp, sl := scenarioOf(t, c), scenarioOf(t, c)
		wg.Add(2)
		go func() {
			defer wg.Done()
			player[i].tr, player[i].err = runPlayer(t, c, sp, pkg)
		}()
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
			for _, d := range []struct {
				name string
				r    result
			}{{"player", player[i]}, {"live", live[i]}} {
				if d.r.err != nil {
					t.Errorf("%s: %v", d.name, d.r.err)
					continue
				}
				for _, msg := range compare(c, want, d.r.tr) {
					t.Errorf("%s: %s", d.name, msg)
				}
			}
			if t.Failed() || testing.Verbose() {
				t.Logf("virtual %+v\nplayer  %+v\nlive    %+v", want, player[i].tr, live[i].tr)
			}
		})
	}
}
