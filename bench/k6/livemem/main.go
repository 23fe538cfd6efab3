// Command livemem runs a scenario in live mode (the same code path as
// `abrkit simulate --mode live`) and samples the process while it runs:
// viewers in progress, goroutines, Go heap and resident set size (VmRSS).
// It writes one JSON line per sample to -samples and a heap profile when
// the number of viewers in progress first reaches its peak plateau
// (-heap-at viewers), and another (-heap + ".end") after the run, so memory per viewer can be measured honestly.
// Beside the heap profile it writes the goroutines of that moment
// (-heap + ".goroutines", one line per distinct stack with its count).
//
// With -gateway URL the viewers play against a reference backend that
// already runs in another process (`abrkit serve --config
// bench/k6/topology.yaml`), so this process holds the viewers only.
//
//	go run ./bench/k6/livemem -scenario scenarios/live-2000.yaml \
//	    -gateway http://127.0.0.1:PORT -samples out/samples.jsonl -heap out/heap.pprof
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/abrkit/abrkit/abr"
	"github.com/abrkit/abrkit/simulator"
	"github.com/abrkit/abrkit/simulator/live"
	"github.com/abrkit/abrkit/simulator/scenario"
)

// sample is one line of -samples.
type sample struct {
	T          float64 `json:"t_s"`
	Active     int64   `json:"active"`
	Goroutines int     `json:"goroutines"`
	HeapInuse  uint64  `json:"heap_inuse"`
	HeapAlloc  uint64  `json:"heap_alloc"`
	StackInuse uint64  `json:"stack_inuse"`
	GoSys      uint64  `json:"go_sys"`
	RSS        uint64  `json:"rss"`
}

func main() {
	path := flag.String("scenario", "scenarios/live-2000.yaml", "scenario file")
	gateway := flag.String("gateway", "", "gateway of a running reference backend (empty: embedded backend in this process)")
	samples := flag.String("samples", "", "write one JSON sample per -every to this file")
	every := flag.Duration("every", 2*time.Second, "sampling interval")
	heapAt := flag.Int("heap-at", 0, "write the heap profile when this many viewers are in progress (0: the scenario's viewer count)")
	heap := flag.String("heap", "", "heap profile file")
	heapDelay := flag.Duration("heap-delay", 0, "write the heap profile this long after -heap-at viewers are first in progress")
	viewers := flag.Int("viewers", 0, "override the scenario's viewer count")
	watch := flag.Duration("watch-time", 0, "override the scenario's watch time")
	flag.Parse()
	if *heap != "" {
		// one sample per 64 KB allocated (the default 512 KB leaves a
		// few hundred samples for a heap of tens of MB)
		runtime.MemProfileRate = 64 << 10
	}
	if err := run(*path, *gateway, *samples, *heap, *every, *heapAt, *heapDelay, *viewers, *watch); err != nil {
		fmt.Fprintln(os.Stderr, "livemem:", err)
		os.Exit(1)
	}
}

func run(path, gateway, samplesFile, heapFile string, every time.Duration, heapAt int, heapDelay time.Duration, viewers int, watch time.Duration) error {
	s, err := scenario.Load(path, scenario.WithABRCheck(func(name string) error {
		_, err := abr.New(name)
		return err
	}))
	if err != nil {
		return err
	}
	if heapAt <= 0 {
		heapAt = s.Viewers.Count
		if viewers > 0 {
			heapAt = viewers
		}
	}
	var out *bufio.Writer
	if samplesFile != "" {
		f, err := os.Create(samplesFile)
		if err != nil {
			return err
		}
		defer f.Close()
		out = bufio.NewWriter(f)
		defer out.Flush()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var active atomic.Int64
	start := time.Now()
	quit := make(chan struct{})
	sampled := make(chan struct{})
	var peak sample
	go func() {
		defer close(sampled)
		t := time.NewTicker(every)
		defer t.Stop()
		wrote := false
		var reached time.Time
		for {
			select {
			case <-quit:
				return
			case <-t.C:
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			x := sample{T: time.Since(start).Seconds(), Active: active.Load(), Goroutines: runtime.NumGoroutine(),
				HeapInuse: ms.HeapInuse, HeapAlloc: ms.HeapAlloc, StackInuse: ms.StackInuse, GoSys: ms.Sys, RSS: vmRSS()}
			if x.RSS > peak.RSS {
				peak = x
			}
			if out != nil {
				b, _ := json.Marshal(x)
				out.Write(append(b, '\n'))
				out.Flush()
			}
			if reached.IsZero() && x.Active >= int64(heapAt) {
				reached = time.Now()
			}
			if !wrote && heapFile != "" && !reached.IsZero() && time.Since(reached) >= heapDelay {
				wrote = true
				if err := writeHeap(heapFile); err != nil {
					fmt.Fprintln(os.Stderr, "livemem: heap profile:", err)
				}
				if err := writeProfile("goroutine", heapFile+".goroutines"); err != nil {
					fmt.Fprintln(os.Stderr, "livemem: goroutine profile:", err)
				}
			}
		}
	}()
	res, err := live.Run(ctx, s, live.Options{Viewers: viewers, WatchTime: watch, Gateway: gateway,
		Sessions: func(d int) { active.Add(int64(d)) }})
	close(quit)
	<-sampled
	if err != nil {
		return err
	}
	if heapFile != "" {
		// What is still held once every viewer has left (leaks, results).
		if err := writeHeap(heapFile + ".end"); err != nil {
			return err
		}
	}
	sum, err := simulator.Finish(res, "")
	if sum == nil {
		return err
	}
	b, _ := json.Marshal(map[string]any{"peak_rss_sample": peak, "summary": sum})
	fmt.Println(string(b))
	return nil
}

func writeHeap(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeProfile writes the named runtime profile in its text form.
func writeProfile(name, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup(name).WriteTo(f, 1); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// vmRSS is the process's resident set size in bytes (Linux), 0 elsewhere.
func vmRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if f := bytes.Fields(line); len(f) >= 2 && string(f[0]) == "VmRSS:" {
			kb, _ := strconv.ParseUint(string(f[1]), 10, 64)
			return kb * 1024
		}
	}
	return 0
}
