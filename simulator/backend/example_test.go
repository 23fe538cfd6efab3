package backend_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/simulator/backend"
	"github.com/abrkit/abrkit/simulator/backend/control"
	"github.com/abrkit/abrkit/simulator/backend/faults"
	"github.com/abrkit/abrkit/simulator/backend/topology"
)

// Start the default backend, log in, play a title, kill its best edge and
// watch steering drop it once the health interval has passed.
func ExampleStart() {
	ctx := context.Background()
	fake := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	topo := topology.Default()
	b, err := backend.Start(ctx, backend.Options{Topology: topo, Clock: fake, Manual: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close(ctx)
	hc := &http.Client{}
	defer hc.CloseIdleConnections()
	cl := &backend.Client{Gateway: b.GatewayURL(), HTTP: hc}
	if err := cl.Login(ctx, "viewer", "secret"); err != nil {
		fmt.Println(err)
		return
	}
	play, err := cl.Play(ctx, control.PlayRequest{Title: "t1", Region: "us"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(play.Edges), "edges, best in", play.Edges[0].Region)
	resp, err := hc.Get(play.HLS)
	if err == nil {
		resp.Body.Close()
		fmt.Println("master playlist:", resp.StatusCode, resp.Header.Get("X-Cache"))
	}

	_ = b.Faults.Apply(faults.Fault{Target: play.Edges[0].ID, Kind: faults.Kill})
	fake.Advance(topo.HealthInterval + time.Millisecond)
	b.HealthTick()
	again, _ := cl.Play(ctx, control.PlayRequest{Title: "t1", Region: "us"})
	fmt.Println(len(again.Edges), "edges after the kill")
	// Output:
	// 9 edges, best in us
	// master playlist: 200 MISS
	// 8 edges after the kill
}

// Resolve the master key as `abrkit serve` does: the environment first,
// then the topology; without either a run signs with a random key.
func ExampleResolveKey() {
	env := map[string]string{backend.EnvSigningKey: "a-key-of-at-least-16-bytes"}
	topo := topology.Default()
	src, err := backend.ResolveKey(topo, func(k string) string { return env[k] }, true)
	fmt.Println(src, err)
	_, err = backend.ResolveKey(topology.Default(), nil, true) // separate processes require one
	fmt.Println(err)
	src, err = backend.ResolveKey(topology.Default(), nil, false)
	fmt.Println(src, err)
	// Output:
	// environment <nil>
	// no signing key configured: set ABRKIT_SIGNING_KEY or signing_key_file in the topology
	// random <nil>
}
