// Package simulator runs load-test scenarios of virtual viewers against a
// streaming backend and judges their SLOs.
//
// The pieces live in sub-packages: [scenario] loads and validates scenario
// files, [arrival] turns arrival processes into times, [virtual] drives
// the real player core in virtual time on a discrete-event engine ([des])
// over a flow-level network model ([netsim]), [results] holds mergeable
// results (QoE records, HDR latency histograms, timelines) and [slo]
// judges objectives. This package ties them together for the CLI:
//
//	s, err := scenario.Load("scenarios/quickstart.yaml")
//	res, sum, err := simulator.Run(s, simulator.Config{Out: "out"})
//	if errors.Is(err, simulator.ErrBreach) { ... } // exit code 1
//
// [Run] writes results.json, qoe.jsonl, summary.json, report.html and
// (with Config.Requests) requests.bin in vegeta's encoding into Config.Out;
// [Merge] merges shard directories exactly; [K8sJob] prints a Kubernetes
// Indexed Job that runs a scenario in shards.
package simulator
