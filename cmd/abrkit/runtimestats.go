package main

import (
	"context"
	"encoding/json"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"

	"github.com/spf13/cobra"
)

// runtimeStatsEvery is how often --runtime-stats writes a line.
const runtimeStatsEvery = 5 * time.Second

// runtimeStats is one line of --runtime-stats: the Go runtime's view of the
// process (resident memory and descriptors are for /proc to tell).
type runtimeStats struct {
	Time time.Time `json:"time"`
	// HeapBytes is memory of live and not yet swept heap objects;
	// HeapGoal the heap size the collector aims at; TotalBytes all memory
	// mapped by the runtime; MemoryLimit its soft limit.
	HeapBytes   uint64 `json:"heap_bytes"`
	HeapGoal    uint64 `json:"heap_goal"`
	TotalBytes  uint64 `json:"total_bytes"`
	MemoryLimit int64  `json:"memory_limit"`
	Goroutines  uint64 `json:"goroutines"`
	GCCycles    uint64 `json:"gc_cycles"`
	// GCCPUSeconds is CPU time spent by the collector so far.
	GCCPUSeconds float64 `json:"gc_cpu_seconds"`
}

var statsMetrics = []string{"/memory/classes/heap/objects:bytes", "/gc/heap/goal:bytes", "/memory/classes/total:bytes",
	"/sched/goroutines:goroutines", "/gc/cycles/total:gc-cycles", "/cpu/classes/gc/total:cpu-seconds"}

func readRuntimeStats(now time.Time) runtimeStats {
	s := make([]metrics.Sample, len(statsMetrics))
	for i, n := range statsMetrics {
		s[i].Name = n
	}
	metrics.Read(s)
	u := func(i int) uint64 {
		if s[i].Value.Kind() == metrics.KindUint64 {
			return s[i].Value.Uint64()
		}
		return 0
	}
	r := runtimeStats{Time: now.UTC(), HeapBytes: u(0), HeapGoal: u(1), TotalBytes: u(2), Goroutines: u(3), GCCycles: u(4),
		MemoryLimit: debug.SetMemoryLimit(-1)}
	if s[5].Value.Kind() == metrics.KindFloat64 {
		r.GCCPUSeconds = s[5].Value.Float64()
	}
	return r
}

// runtimeStatsFlag adds --runtime-stats to c.
func runtimeStatsFlag(c *cobra.Command, p *string) {
	c.Flags().StringVar(p, "runtime-stats", "", "append a JSON line of Go runtime figures (heap, heap goal, goroutines, collector cycles and CPU) to this file every 5s (soak tests)")
}

// startRuntimeStats appends a runtimeStats line to path now and every
// runtimeStatsEvery until the returned stop is called (which writes a
// last line). path "" does nothing.
func startRuntimeStats(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	enc := json.NewEncoder(f)
	_ = enc.Encode(readRuntimeStats(time.Now()))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(runtimeStatsEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				_ = enc.Encode(readRuntimeStats(now))
			}
		}
	}()
	return func() {
		cancel()
		<-done
		_ = enc.Encode(readRuntimeStats(time.Now()))
		_ = f.Close()
	}, nil
}
