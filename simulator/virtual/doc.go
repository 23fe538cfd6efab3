// Package virtual is the virtual-time driver of the load simulator. Every
// viewer is a real player.Core, stepped on one discrete-event engine (no
// goroutine per viewer) over a flow-level network: an access link per
// viewer (a bandwidth trace), edges that share their capacity max-min
// fairly and keep a byte-bounded cache, control-plane services modelled as
// queues, and faults applied on schedule. Titles come from the reference
// packager; each title's manifests are parsed once and shared by all
// viewers, and segment sizes are exact.
//
//	s, _ := scenario.Load("scenarios/quickstart.yaml")
//	res, err := virtual.Run(s, virtual.Options{Viewers: 500})
//
// Runs are deterministic: the same scenario, seed and options give the
// same results. A viewer's attributes depend only on the seed and its id,
// so shards ([Options].Shard) simulate the same viewers as a whole run.
//
// With a scenario journey, viewers first walk its steps: browse requests
// go to the reference catalog (package catalog) run in simulated time,
// login and play to the control-plane queues, and the play step starts
// the player; while it plays, the viewer sends a heartbeat per the
// heartbeat step's think time. Each shard models the browse plane (cache
// tier, datastore, heartbeat pipeline) of its own viewers.
package virtual
