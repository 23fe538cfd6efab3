package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/simulator/backend"
	"github.com/abrkit/abrkit/simulator/backend/faults"
	"github.com/abrkit/abrkit/simulator/backend/topology"
)

// edgeCMCD sums the edges' count of requests that carried valid CMCD.
func edgeCMCD(t *testing.T, b *backend.Backend) float64 {
	t.Helper()
	var n float64
	for _, e := range b.Edges {
		mfs, err := e.Registry().Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() != "abrkit_edge_cmcd_requests_total" {
				continue
			}
			for _, m := range mf.GetMetric() {
				n += m.GetCounter().GetValue() // every ot/bs pair counts a request with valid CMCD
			}
		}
	}
	return n
}

// twoEdgeTopology is one 16 s title (2 s segments, 300 and 800 kbps) on
// two edges of one region.
func twoEdgeTopology(t *testing.T) *topology.Topology {
	t.Helper()
	topo, err := topology.Parse([]byte(`
catalog:
  titles:
    - {id: t1, duration: 16s, segment_duration: 2s, ladder_kbps: [300, 800]}
regions:
  - id: eu
    edges: [{id: eu-1}, {id: eu-2}]
`), "play.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return topo
}

// Playing through the gateway: the ranked edges let the player fail over
// when the serving edge is killed mid-play; the edges see CMCD (unless
// --cmcd off) and the gateway receives the start and end beacons.
func TestPlayCmdGateway(t *testing.T) {
	for _, tc := range []struct{ mode, probe string }{{"query", "0"}, {"off", "2"}} {
		mode := tc.mode
		t.Run(mode+" probe "+tc.probe, func(t *testing.T) {
			topo := twoEdgeTopology(t)
			ctx := context.Background()
			b, err := backend.Start(ctx, backend.Options{Topology: topo, Clock: clock.NewFake(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)), Manual: true})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close(ctx)
			var mu sync.Mutex
			var first, killed, lastSeg string // lastSeg: the edge in use when the last segment arrived
			segments := 0
			playTestOptions = []player.Option{player.WithListener(player.ListenerFunc(func(e player.Event) {
				mu.Lock()
				defer mu.Unlock()
				switch e.Kind {
				case player.EventManifestLoaded, player.EventServerChange:
					first = e.Server // the edge in use
				case player.EventSegmentLoaded:
					lastSeg = first
					if segments++; segments == 3 {
						killed = first
						_ = b.Faults.Apply(faults.Fault{Target: first, Kind: faults.Kill})
					}
				}
			}))}
			defer func() { playTestOptions = nil }()
			var out, errOut bytes.Buffer
			args := []string{"play", "--gateway", b.GatewayURL(), "--title", "t1", "--cmcd", mode, "--probe", tc.probe, "--speed", "8", "--quiet", "--format", "json"}
			if got := run(args, &out, &errOut); got != 0 {
				t.Fatalf("run(%q) = %d\n%s%s", args, got, out.String(), errOut.String())
			}
			var rep playReport
			if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			// (once every segment is in, the killed edge's penalty may expire
			// and the player point back at it without asking it anything)
			if killed == "" || rep.Stopped != "ended" || rep.QoE.ServerChanges < 1 || lastSeg == killed {
				t.Errorf("killed %q, last segment from %q; report %s %+v; want played to the end from another edge", killed, lastSeg, rep.Stopped, rep.QoE)
			}
			b.Gateway.Telemetry.Drain()
			ts := b.Gateway.Telemetry.Stats()
			if ts.ByType["start"] != 1 || ts.ByType["end"] != 1 {
				t.Errorf("gateway events by type = %v; want one start and one end", ts.ByType)
			}
			if ts.Accepted < 2 || rep.QoE.TelemetrySent != int(ts.Accepted) || rep.QoE.TelemetryDropped != 0 {
				t.Errorf("gateway accepted %d events, player sent %d dropped %d; want start and end beacons received",
					ts.Accepted, rep.QoE.TelemetrySent, rep.QoE.TelemetryDropped)
			}
			n := edgeCMCD(t, b)
			if (mode == "off") != (n == 0) {
				t.Errorf("edges counted %v requests with CMCD in mode %s", n, mode)
			}
		})
	}
}

func TestPlayCmdGatewayUsage(t *testing.T) {
	for _, args := range [][]string{
		{"play", "--gateway", "http://127.0.0.1:1"},
		{"play", "--title", "t1"},
		{"play", "--gateway", "ftp://x", "--title", "t1"},
		{"play", "http://a.test/m.m3u8", "--gateway", "http://127.0.0.1:1", "--title", "t1"},
		{"play", "http://a.test/m.m3u8", "--cmcd", "sometimes"},
		{"play", "http://a.test/m.m3u8", "--probe", "-1"},
	} {
		var out, errOut bytes.Buffer
		if got := run(args, &out, &errOut); got != 2 {
			t.Errorf("run(%q) = %d; want 2\n%s", args, got, errOut.String())
		}
	}
	var out, errOut bytes.Buffer
	// nothing listens on port 1: the login fails, exit 1 naming the step
	if got := run([]string{"play", "--gateway", "http://127.0.0.1:1", "--title", "t1", "--quiet"}, &out, &errOut); got != 1 ||
		!strings.Contains(errOut.String(), "gateway login") {
		t.Errorf("unreachable gateway: exit %d, %q; want 1 and a gateway login error", got, errOut.String())
	}
}
