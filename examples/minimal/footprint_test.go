package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/abrkit/abrkit/examples/internal/content"
	"github.com/abrkit/abrkit/player"
)

// The footprint benchmark runs N real-time sessions in a child process (the
// test binary re-executed), so that the origin's memory and CPU, which stay
// in the parent, are not counted. Linux only (reads /proc/self/status).
const childEnv = "ABRKIT_FOOTPRINT_CHILD" // "url sessions seconds"

func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		if err := footprintChild(spec); err != nil {
			fmt.Fprintln(os.Stderr, "footprint child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// footprint is what the child measures, as deltas over its idle baseline.
type footprint struct {
	Sessions       int     `json:"sessions"`
	Seconds        float64 `json:"seconds"`
	RSSBase        int64   `json:"rss_base"`        // bytes before any session
	RSS            int64   `json:"rss"`             // bytes while playing, at the end
	HeapInuse      int64   `json:"heap_inuse"`      // Go heap in use at the end (after GC)
	GoroutinesBase int     `json:"goroutines_base"` // before any session
	Goroutines     int     `json:"goroutines"`      // while playing: max of the samples
	GoroutinesMin  int     `json:"goroutines_min"`  // while playing: min of the samples
	CPUSeconds     float64 `json:"cpu_seconds"`     // user+system over the playing period
	Started        int     `json:"started"`         // sessions that showed a first frame
	Segments       int     `json:"segments"`        // media segments loaded, all sessions
}

func rss() (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/self/status")
}

func cpu() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func footprintChild(spec string) error {
	var url string
	var n int
	var secs float64
	if _, err := fmt.Sscanf(spec, "%s %d %g", &url, &n, &secs); err != nil {
		return fmt.Errorf("spec %q: %w", spec, err)
	}
	runtime.GC()
	debug.FreeOSMemory()
	var fp footprint
	fp.Sessions, fp.Seconds = n, secs
	var err error
	if fp.RSSBase, err = rss(); err != nil {
		return err
	}
	fp.GoroutinesBase = runtime.NumGoroutine()
	cpu0 := cpu()
	players := make([]*player.Player, n)
	for i := range players {
		if players[i], err = player.New(); err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = players[i].Load(ctx, url)
		cancel()
		if err != nil {
			return err
		}
	}
	fp.GoroutinesMin = 1 << 30
	end := time.Now().Add(time.Duration(secs * float64(time.Second)))
	for time.Now().Before(end) {
		time.Sleep(100 * time.Millisecond) // sampling, not synchronising
		g := runtime.NumGoroutine() - fp.GoroutinesBase
		fp.Goroutines = max(fp.Goroutines, g)
		fp.GoroutinesMin = min(fp.GoroutinesMin, g)
	}
	fp.CPUSeconds = cpu() - cpu0
	if fp.RSS, err = rss(); err != nil {
		return err
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fp.HeapInuse = int64(ms.HeapInuse)
	for _, p := range players {
		q := p.QoE()
		if q.Started {
			fp.Started++
		}
		fp.Segments += q.Segments
		_ = p.Close()
	}
	return json.NewEncoder(os.Stdout).Encode(fp)
}

// measure runs n sessions for secs in a child process.
func measure(tb testing.TB, url string, n int, secs float64) footprint {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %d %g", childEnv, url, n, secs), "GOMAXPROCS=2")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("child: %v\n%s", err, stderr.String())
	}
	var fp footprint
	if err := json.Unmarshal(out, &fp); err != nil {
		tb.Fatalf("child output %q: %v", out, err)
	}
	if fp.Started != n {
		tb.Fatalf("%d of %d sessions started", fp.Started, n)
	}
	return fp
}

// BenchmarkFootprint reports per-session memory, goroutines and CPU of
// real-time headless sessions on loopback, the origin pacing each response
// at 5 Mbit/s. Run it alone, once:
//
//	go test -run '^$' -bench Footprint -benchtime 1x ./examples/minimal
//
// FOOTPRINT_SESSIONS (default 20) and FOOTPRINT_SECONDS (default 10) tune it.
func BenchmarkFootprint(b *testing.B) {
	if runtime.GOOS != "linux" {
		b.Skip("reads /proc/self/status")
	}
	n, secs := 20, 10.0
	if v, err := strconv.Atoi(os.Getenv("FOOTPRINT_SESSIONS")); err == nil && v > 1 {
		n = v
	}
	if v, err := strconv.ParseFloat(os.Getenv("FOOTPRINT_SECONDS"), 64); err == nil && v > 0 {
		secs = v
	}
	srv, err := content.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	srv.Rate = 5_000_000 / 8
	url := srv.HLS("demo")
	for i := 0; i < b.N; i++ {
		one := measure(b, url, 1, secs)
		many := measure(b, url, n, secs)
		perRSS := float64(many.RSS-one.RSS) / float64(n-1)
		perHeap := float64(many.HeapInuse-one.HeapInuse) / float64(n-1)
		b.ReportMetric(float64(one.RSS-one.RSSBase)/1024, "KiB-rss-first-session")
		b.ReportMetric(perRSS/1024, "KiB-rss/extra-session")
		b.ReportMetric(perHeap/1024, "KiB-heap/extra-session")
		b.ReportMetric(float64(one.Goroutines), "goroutines-max/session")
		b.ReportMetric(float64(one.GoroutinesMin), "goroutines-min/session")
		b.ReportMetric(float64(many.Goroutines)/float64(n), "goroutines-max/session@n")
		b.ReportMetric(100*one.CPUSeconds/secs, "%cpu/session@1")
		b.ReportMetric(100*many.CPUSeconds/secs/float64(n), "%cpu/session@n")
		b.ReportMetric(float64(one.RSS)/1024, "KiB-rss-process@1")
		b.Logf("1 session: %+v", one)
		b.Logf("%d sessions: %+v", n, many)
	}
}
