package backend

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/steering"
	"github.com/abrkit/abrkit/simulator/backend/control"
	"github.com/abrkit/abrkit/simulator/backend/faults"
)

// TestPlayerFailover plays a title with the real player through the
// backend: login, POST /v1/play, the ranked signed edges handed to the
// player, and the serving edge killed after the second segment. The player
// must fail over to the next edge and play to the end.
func TestPlayerFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("plays 12 s of media at 20x")
	}
	for _, format := range []string{"hls", "dash"} {
		t.Run(format, func(t *testing.T) { playerFailover(t, format) })
	}
}

func playerFailover(t *testing.T, format string) {
	h := start(t, smallTopology(t, nil), nil)
	cl := &Client{Gateway: h.b.GatewayURL(), HTTP: h.hc}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := cl.Login(ctx, "viewer", "pw"); err != nil {
		t.Fatal(err)
	}
	pr, err := cl.Play(ctx, control.PlayRequest{Title: "t1", Region: "eu"})
	if err != nil {
		t.Fatal(err)
	}
	edges := make([]steering.Edge, len(pr.Edges))
	for i, e := range pr.Edges {
		edges[i] = steering.Edge{ID: e.ID, URL: e.URL}
	}
	var (
		mu       sync.Mutex
		segments int
		killed   string
		changes  []player.Event
	)
	listener := player.ListenerFunc(func(e player.Event) {
		mu.Lock()
		defer mu.Unlock()
		switch e.Kind {
		case player.EventSegmentLoaded:
			segments++
			if segments == 2 && killed == "" {
				killed = pr.Edges[0].ID
				_ = h.b.Faults.Apply(faults.Fault{Target: killed, Kind: faults.Kill})
			}
		case player.EventServerChange:
			changes = append(changes, e)
		}
	})
	p, err := player.New(player.WithEdges(edges), player.WithClock(clock.NewScaled(20)), player.WithListener(listener))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	src := pr.HLS
	if format == "dash" {
		src = pr.DASH
	}
	if err := p.Load(ctx, src); err != nil {
		t.Fatalf("Load(%s) = %v", src, err)
	}
	if err := p.Wait(ctx); err != nil {
		t.Fatalf("Wait() = %v; want playback to the end", err)
	}
	q := p.QoE()
	mu.Lock()
	defer mu.Unlock()
	if !q.Ended || killed == "" {
		t.Fatalf("QoE = %+v, killed %q; want ended after a kill", q, killed)
	}
	// The player may try the killed edge again when its penalty expires
	// (and even end there if no request was left), so only the move away
	// is asserted.
	if q.ServerChanges < 1 {
		t.Errorf("QoE has %d server changes; want a move away from %s", q.ServerChanges, killed)
	}
	moved := false
	for _, e := range changes {
		moved = moved || (e.FromServer == killed && e.Server != killed)
	}
	if !moved {
		t.Errorf("server changes %+v; want one away from the killed %s", changes, killed)
	}
}
