package conformance

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/simulator/live"
	"github.com/abrkit/abrkit/simulator/scenario"
)

// runLive plays the case in the live simulator: the reference backend on
// loopback, the play API, the real player, the viewer's link shaped by
// the simulator, in real time.
func runLive(s *scenario.Scenario) (Trace, error) {
	var (
		mu      sync.Mutex
		rec     recorder
		loading time.Duration
	)
	ctx, cancel := context.WithTimeout(context.Background(), 2*titleLength+20*time.Second)
	defer cancel()
	res, err := live.Run(ctx, s, live.Options{Events: func(_ int, e player.Event) {
		mu.Lock()
		defer mu.Unlock()
		if e.Kind == player.EventLoading {
			loading = e.At
		}
		rec.event(e)
	}})
	if err != nil {
		return Trace{}, fmt.Errorf("live: %w", err)
	}
	if len(res.Records) != 1 {
		return Trace{}, fmt.Errorf("live: %d records; want 1", len(res.Records))
	}
	r := res.Records[0]
	if r.Failed {
		return Trace{}, fmt.Errorf("live: session failed: %s", r.Reason)
	}
	mu.Lock()
	defer mu.Unlock()
	tr := rec.tr
	tr.Startup -= loading
	tr.Stall = time.Duration(r.StallS * float64(time.Second))
	tr.Bitrate = r.AvgBitrate
	return tr, nil
}
