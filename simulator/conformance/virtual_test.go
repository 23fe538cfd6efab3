package conformance

import (
	"testing"
	"time"

	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/simulator/backend/control"
	"github.com/abrkit/abrkit/simulator/virtual"
)

// runVirtual plays the case in the virtual simulator.
func runVirtual(t testing.TB, c Case) Trace {
	t.Helper()
	var rec recorder
	var loading time.Duration
	opt := virtual.Options{SampleViewers: -1, Events: func(_ int, e player.Event) {
		if e.Kind == player.EventLoading {
			loading = e.At
		}
		rec.event(e)
	}}
	if c.Steer != nil {
		opt.Steering = func(now time.Duration, _ int, _ string) control.Manifest { return c.Steer.manifest(now) }
	}
	res, err := virtual.Run(scenarioOf(t, c), opt)
	if err != nil {
		t.Fatalf("virtual: %v", err)
	}
	if len(res.Records) != 1 {
		t.Fatalf("virtual: %d records; want 1", len(res.Records))
	}
	r := res.Records[0]
	tr := rec.tr
	tr.Startup -= loading
	tr.Stall = time.Duration(r.StallS * float64(time.Second))
	tr.Bitrate = r.AvgBitrate
	return tr
}
