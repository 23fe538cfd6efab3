package netsim_test

import (
	"fmt"
	"time"

	"github.com/abrkit/abrkit/simulator/des"
	"github.com/abrkit/abrkit/simulator/netsim"
)

func ExampleNetwork() {
	eng := des.New()
	net := netsim.New(eng, 1, 2, func(now time.Duration, d netsim.Done) {
		fmt.Printf("flow %d done at %v\n", d.Tag, now)
	})
	edge := net.AddEdge(24e6) // 24 Mbit/s shared
	slow := netsim.Link{Trace: netsim.Constant(4e6)}
	fast := netsim.Link{Trace: netsim.Constant(100e6)}
	// Max-min fair: the slow link gets its 4 Mbit/s, the others 10 each;
	// once two flows end, the last one gets the whole 24 Mbit/s.
	net.Start(0, edge, slow, 500_000, 1)
	net.Start(0, edge, fast, 1_250_000, 2)
	net.Start(0, edge, fast, 2_500_000, 3)
	eng.RunUntil(time.Minute, func(ev des.Event) { net.Handle(ev.At, ev.Kind, ev.ID, ev.Gen) }, nil)
	// Output:
	// flow 1 done at 1s
	// flow 2 done at 1s
	// flow 3 done at 1.416666667s
}
