// Package backend assembles the reference streaming backend: an origin
// serving a catalog's CMAF titles (HLS and DASH), a fleet of edge caches per
// region, and the control plane behind one gateway, all on loopback
// addresses, wired by a [topology.Topology].
//
//	b, err := backend.Start(ctx, backend.Options{})  // topology.Default(): 3 regions x 3 edges, 20 titles
//	if err != nil { ... }
//	defer b.Close(context.Background())
//	fmt.Println(b.GatewayURL())  // POST /v1/login, GET /v1/titles, POST /v1/play, ...
//
// Sub-packages hold the parts: [topology] (the data model, also used by
// the virtual-time simulator), [origin], [edge], [control] (gateway, auth,
// playback, steering, telemetry), [faults] (kill, slow, fail on demand or
// on a schedule), [signing] (signed URLs and tokens, keys derived from
// one master key) and [server] (the one listener type: deadlines, header
// limits, per-client caps, kill and restart).
//
// Viewers reach the gateway and the edges; edge reports go to the
// internal listener ([Backend.InternalURL]); faults and metrics to the
// admin listener ([Backend.AdminURL], bearer [Backend.AdminToken]). The
// master key comes from [ResolveKey] (environment, topology) or is random
// per start ([Backend.KeySource]).
//
// With [Options.Manual] nothing runs in the background: the caller drives
// health reports ([Backend.HealthTick]) and scheduled faults
// ([Backend.FaultTick]) with its own clock, which is how tests and the
// simulator keep time.
package backend
