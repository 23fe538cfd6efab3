package download

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/abrkit/abrkit/simulator/backend/packager"
)

// benchOrigin serves a pre-rendered 60 s title at 20 Mbit/s (≈150 MB plus
// audio) from memory, so that the server costs little.
func benchOrigin(b *testing.B) (url string, files map[string][]byte, total int64) {
	b.Helper()
	pkg, err := packager.Build(packager.Title{ID: "t1", Duration: 60 * time.Second, SegmentDuration: 4 * time.Second, LadderKbps: []int{20000}, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	files = map[string][]byte{}
	for _, f := range pkg.Files() {
		data, err := pkg.Open(f)
		if err != nil {
			b.Fatal(err)
		}
		files[f] = data
		if strings.HasSuffix(f, ".m4s") || strings.HasSuffix(f, ".mp4") {
			total += int64(len(data))
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, ok := files[strings.TrimPrefix(r.URL.Path, "/t1/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
	}))
	b.Cleanup(srv.Close)
	return srv.URL + "/t1/master.m3u8", files, total
}

func reportCPU(b *testing.B, start time.Duration, bytes int64) {
	gb := float64(bytes) * float64(b.N) / 1e9
	b.ReportMetric((cpuTime()-start).Seconds()/gb, "cpu-s/GB")
}

// BenchmarkManager downloads the title with the Manager: verification,
// fsync, rename and index commits included.
func BenchmarkManager(b *testing.B) {
	url, _, total := benchOrigin(b)
	b.SetBytes(total)
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		m, err := New(Config{Dir: b.TempDir(), MaxSegments: 4, MinFree: -1})
		if err != nil {
			b.Fatal(err)
		}
		m.Start()
		id, _ := m.Add(Request{URL: url})
		d, err := m.Await(context.Background(), id)
		if err != nil || d.State != StateCompleted {
			b.Fatalf("%v %s %s", err, d.State, d.Err)
		}
		m.Close()
	}
	reportCPU(b, cpu, total)
}

// BenchmarkPlainHTTP fetches the same files with the same parallelism
// using plain net/http into files: the baseline. Sync says whether each
// file is fsynced as the Manager does.
func BenchmarkPlainHTTP(b *testing.B) {
	for _, sync := range []bool{false, true} {
		b.Run(map[bool]string{false: "nosync", true: "fsync"}[sync], func(b *testing.B) {
			url, files, total := benchOrigin(b)
			base := strings.TrimSuffix(url, "master.m3u8")
			var names []string
			for f := range files {
				if strings.HasSuffix(f, ".m4s") || strings.HasSuffix(f, ".mp4") {
					names = append(names, f)
				}
			}
			b.SetBytes(total)
			b.ResetTimer()
			cpu := cpuTime()
			for i := 0; i < b.N; i++ {
				plainFetch(b, base, names, b.TempDir(), 4, sync)
			}
			reportCPU(b, cpu, total)
		})
	}
}

func plainFetch(b *testing.B, base string, names []string, dir string, parallel int, fsync bool) {
	work := make(chan string)
	var wg sync.WaitGroup
	for w := 0; w < parallel; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for name := range work {
				resp, err := http.Get(base + name)
				if err != nil {
					b.Error(err)
					return
				}
				p := filepath.Join(dir, filepath.FromSlash(name))
				_ = os.MkdirAll(filepath.Dir(p), 0o755)
				f, err := os.Create(p)
				if err != nil {
					b.Error(err)
					return
				}
				_, err = io.Copy(f, resp.Body)
				resp.Body.Close()
				if err == nil && fsync {
					err = f.Sync()
				}
				if cerr := f.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	for _, n := range names {
		work <- n
	}
	close(work)
	wg.Wait()
}

// BenchmarkThroughputRatio alternates a Manager download and the plain
// net/http baseline (same files, same parallelism of 4, no fsync) in each
// iteration, so that both see the same machine load, and reports
// ratio = baseline time / Manager time (1.0: as fast as plain HTTP), and
// the same against a baseline that fsyncs each file (ratio-vs-fsync).
// CPU figures include the in-process origin server.
func BenchmarkThroughputRatio(b *testing.B) {
	url, files, total := benchOrigin(b)
	base := strings.TrimSuffix(url, "master.m3u8")
	var names []string
	for f := range files {
		if strings.HasSuffix(f, ".m4s") || strings.HasSuffix(f, ".mp4") {
			names = append(names, f)
		}
	}
	b.SetBytes(total)
	b.ResetTimer()
	var tm, tp, ts time.Duration
	cpu := cpuTime()
	var cpuM time.Duration
	for i := 0; i < b.N; i++ {
		c0 := cpuTime()
		t0 := time.Now()
		m, err := New(Config{Dir: b.TempDir(), MaxSegments: 4, MinFree: -1})
		if err != nil {
			b.Fatal(err)
		}
		m.Start()
		id, _ := m.Add(Request{URL: url})
		if d, err := m.Await(context.Background(), id); err != nil || d.State != StateCompleted {
			b.Fatalf("%v %s %s", err, d.State, d.Err)
		}
		m.Close()
		t1 := time.Now()
		cpuM += cpuTime() - c0
		plainFetch(b, base, names, b.TempDir(), 4, false)
		t2 := time.Now()
		plainFetch(b, base, names, b.TempDir(), 4, true)
		t3 := time.Now()
		tm += t1.Sub(t0)
		tp += t2.Sub(t1)
		ts += t3.Sub(t2)
	}
	_ = cpu
	b.ReportMetric(tp.Seconds()/tm.Seconds(), "ratio")
	b.ReportMetric(ts.Seconds()/tm.Seconds(), "ratio-vs-fsync")
	b.ReportMetric(cpuM.Seconds()/(float64(total)*float64(b.N)/1e9), "manager-cpu-s/GB")
	b.ReportMetric(float64(total)*float64(b.N)/tm.Seconds()/1e6, "manager-MB/s")
	b.ReportMetric(float64(total)*float64(b.N)/tp.Seconds()/1e6, "plain-MB/s")
}
