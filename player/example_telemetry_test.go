package player_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/transport"
)

// Every request carries CMCD (query mode unless WithCMCD says otherwise)
// and the player posts QoE beacons to a telemetry endpoint: start at the
// first frame, end when the title ends or the player is closed.
func ExampleWithTelemetry() {
	origin := newOrigin()
	defer origin.Close()
	var mu sync.Mutex
	var types []string
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b player.TelemetryBatch
		_ = json.NewDecoder(r.Body).Decode(&b)
		mu.Lock()
		for _, e := range b.Events {
			types = append(types, b.Session+":"+e.Type)
		}
		mu.Unlock()
	}))
	defer sink.Close()

	p, err := player.New(player.WithClock(clock.NewScaled(20)), player.WithSessionID("s1"),
		player.WithCMCD(transport.CMCDHeaders),
		player.WithTelemetry(player.Telemetry{URL: sink.URL, Header: http.Header{"Authorization": {"Bearer token"}}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Load(ctx, origin.URL+"/master.m3u8"); err != nil {
		fmt.Println(err)
		return
	}
	if err := p.Wait(ctx); err != nil {
		fmt.Println(err)
		return
	}
	p.Close() // posts what is queued before it returns
	mu.Lock()
	defer mu.Unlock()
	fmt.Println(types, p.QoE().TelemetrySent, "sent")
	// Output: [s1:start s1:end] 2 sent
}
