package edge

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/abrkit/abrkit/simulator/backend/signing"
)

type memOrigin map[string][]byte

func (m memOrigin) Fetch(_ context.Context, title, file string) ([]byte, error) {
	return m[title+"/"+file], nil
}

// hammer GETs urls round-robin, n requests over conc connections, and
// returns requests per second.
func hammer(b *testing.B, hc *http.Client, urls []string, n, conc int) float64 {
	b.Helper()
	var wg sync.WaitGroup
	start := time.Now()
	per := n / conc
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < per; i++ {
				resp, err := hc.Get(urls[(w+i)%len(urls)])
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Errorf("GET = %d", resp.StatusCode)
					return
				}
			}
		}()
	}
	wg.Wait()
	return float64(per*conc) / time.Since(start).Seconds()
}

// BenchmarkEdgeVsFileServer serves the same 1 MB segments from an edge
// (cache hits, signed URLs, metrics) and from a plain http.FileServer in
// the same run, and reports both rates and their ratio.
func BenchmarkEdgeVsFileServer(b *testing.B) {
	const files, size, perRound, conc = 8, 1 << 20, 400, 4
	dir := b.TempDir()
	mem := memOrigin{}
	s := signing.New("k")
	now := time.Now()
	e, err := New(Config{ID: "bench", Region: "eu", Origin: mem, Signer: s, CacheBytes: 64 << 20})
	if err != nil {
		b.Fatal(err)
	}
	if err := e.Start(); err != nil {
		b.Fatal(err)
	}
	defer e.Close(context.Background())
	var edgeURLs, fsURLs []string
	fs := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer fs.Close()
	for i := 0; i < files; i++ {
		name := fmt.Sprintf("seg_%d.m4s", i)
		data := make([]byte, size)
		for j := range data {
			data[j] = byte(i + j)
		}
		mem["t1/"+name] = data
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			b.Fatal(err)
		}
		edgeURLs = append(edgeURLs, e.URL()+s.Path("t1", name, now.Add(time.Hour)))
		fsURLs = append(fsURLs, fs.URL+"/"+name)
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc, DisableCompression: true}}
	defer hc.CloseIdleConnections()
	hammer(b, hc, edgeURLs, files*conc, conc) // fill the cache, warm connections
	hammer(b, hc, fsURLs, files*conc, conc)
	var edgeRate, fsRate float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		edgeRate += hammer(b, hc, edgeURLs, perRound, conc)
		fsRate += hammer(b, hc, fsURLs, perRound, conc)
	}
	b.ReportMetric(edgeRate/float64(b.N), "edge_req/s")
	b.ReportMetric(fsRate/float64(b.N), "fileserver_req/s")
	b.ReportMetric(edgeRate/fsRate, "ratio")
	if st := e.Cache().Stats(); st.Misses != files {
		b.Errorf("cache misses = %d; want %d (all timed requests are hits)", st.Misses, files)
	}
}

// BenchmarkPacedTransfer downloads 4 MiB from an edge whose capacity is
// 200 Mbit/s and reports the achieved rate as a share of the capacity.
func BenchmarkPacedTransfer(b *testing.B) {
	const bps = 200e6
	mem := memOrigin{"t1/a.m4s": make([]byte, 4<<20)}
	s := signing.New("k")
	e, err := New(Config{ID: "paced", Origin: mem, Signer: s, CapacityBps: bps})
	if err != nil {
		b.Fatal(err)
	}
	if err := e.Start(); err != nil {
		b.Fatal(err)
	}
	defer e.Close(context.Background())
	hc := &http.Client{}
	defer hc.CloseIdleConnections()
	u := e.URL() + s.Path("t1", "a.m4s", time.Now().Add(time.Hour))
	hammer(b, hc, []string{u}, 1, 1) // fill the cache
	rate := 0.0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rate += hammer(b, hc, []string{u}, 1, 1) * float64(len(mem["t1/a.m4s"])) * 8
	}
	b.ReportMetric(rate/float64(b.N)/bps, "of_capacity")
}
