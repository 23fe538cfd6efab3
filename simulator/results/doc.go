// Package results holds what a simulation measured, in a form that merges
// exactly across shards: one [Record] per session (quality of experience),
// an HDR latency histogram and counters per request [Class], per-edge
// accounts ([EdgeStat]), a timeline of 5-second [Bucket] values, fault
// windows and sample viewers' bitrate and buffer.
//
// [Results.Value] implements slo.Source, so objectives are judged on the
// data directly ([Results.Verdicts]); [Results.Summarize] gives the
// JSON/text [Summary]; [Results.Merge] adds another shard;
// [Results.WriteDir] and [ReadDir] store results.json and qoe.jsonl.
//
//	all, _ := results.ReadDir("out/shard-0")
//	other, _ := results.ReadDir("out/shard-1")
//	if err := all.Merge(other); err != nil { ... }
//	fmt.Println(all.Summarize().Passed)
package results
