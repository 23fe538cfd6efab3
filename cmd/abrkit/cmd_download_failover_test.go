package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/download"
	"github.com/abrkit/abrkit/player/transport"
	"github.com/abrkit/abrkit/simulator/backend"
	"github.com/abrkit/abrkit/simulator/backend/edge"
	"github.com/abrkit/abrkit/simulator/backend/topology"
)

// gatewayBackend runs the reference backend with one 12 s title and one
// region with the given edges (a YAML flow list), on a fake clock.
func gatewayBackend(t *testing.T, edges string) (*backend.Backend, *clock.Fake, *topology.Topology) {
	t.Helper()
	topo, err := topology.Parse([]byte(`
catalog:
  titles:
    - {id: t1, duration: 12s, segment_duration: 2s, ladder_kbps: [300]}
regions:
  - id: eu
    edges: `+edges+`
`), "dl.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fc := clock.NewFake(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC))
	ctx := context.Background()
	b, err := backend.Start(ctx, backend.Options{Topology: topo, Clock: fc, Manual: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close(ctx) })
	return b, fc, topo
}

// twoEdgeBackend runs the reference backend with one region of two edges.
func twoEdgeBackend(t *testing.T) *backend.Backend {
	b, _, _ := gatewayBackend(t, "[{id: eu-1}, {id: eu-2}]")
	return b
}

// edgeOf returns the edge serving rawURL.
func edgeOf(b *backend.Backend, rawURL string) *edge.Edge {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil
	}
	for _, e := range b.Edges {
		if e.URL() == "http://"+u.Host {
			return e
		}
	}
	return nil
}

// useFetcher makes the download command fetch through f for this test.
func useFetcher(t *testing.T, f func(inner transport.Fetcher) transport.Fetcher) {
	old := newDownloadFetcher
	t.Cleanup(func() { newDownloadFetcher = old })
	newDownloadFetcher = func() transport.Fetcher { return f(download.NewFetcher(nil)) }
}

func runDownloadJSON(t *testing.T, args []string) (int, downloadJSON, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	var d downloadJSON
	if err := json.Unmarshal(out.Bytes(), &d); err != nil {
		t.Fatalf("run(%q) = %d, output %q: %v\n%s", args, code, out.String(), err, errOut.String())
	}
	return code, d, errOut.String()
}

// The edge a download uses dies mid-download: the download asks the
// playback API again, takes the other edge and completes.
func TestDownloadCmdGatewayFailover(t *testing.T) {
	b := twoEdgeBackend(t)
	var segs atomic.Int64
	var mu sync.Mutex
	hosts := map[*edge.Edge]int{}
	useFetcher(t, func(inner transport.Fetcher) transport.Fetcher {
		return fetchFunc(func(ctx context.Context, r *transport.Request, p transport.ProgressFunc) (*transport.Result, error) {
			if strings.HasSuffix(r.URL, ".m4s") {
				e := edgeOf(b, r.URL)
				mu.Lock()
				hosts[e]++
				mu.Unlock()
				if segs.Add(1) == 3 && e != nil {
					if err := e.Kill(); err != nil {
						t.Error(err)
					}
				}
			}
			return inner.Fetch(ctx, r, p)
		})
	})
	args := []string{"download", "--gateway", b.GatewayURL(), "--play", "t1", "--out", t.TempDir(), "--parallel", "1", "--format", "json"}
	code, d, stderr := runDownloadJSON(t, args)
	if code != 0 || d.State != "completed" || d.SegmentsDone != d.Segments || d.Refreshes < 1 {
		t.Fatalf("run = %d, %+v; want completed after a refresh\n%s", code, d, stderr)
	}
	if len(hosts) != 2 {
		t.Errorf("segments came from %d edges; want both (the dead one, then the other)", len(hosts))
	}
}

// A re-run asks the playback API for an edge instead of reusing the URL
// stored by the run that failed.
func TestDownloadCmdGatewayRerunTakesNewEdge(t *testing.T) {
	b := twoEdgeBackend(t)
	dir := t.TempDir()
	var first atomic.Pointer[edge.Edge]
	var segs atomic.Int64
	useFetcher(t, func(inner transport.Fetcher) transport.Fetcher {
		return fetchFunc(func(ctx context.Context, r *transport.Request, p transport.ProgressFunc) (*transport.Result, error) {
			if strings.HasSuffix(r.URL, ".m4s") {
				first.CompareAndSwap(nil, edgeOf(b, r.URL))
				if segs.Add(1) > 2 {
					return nil, &download.StatusError{URL: r.URL, Status: 404} // the run fails part way
				}
			}
			return inner.Fetch(ctx, r, p)
		})
	})
	args := []string{"download", "--gateway", b.GatewayURL(), "--play", "t1", "--out", dir, "--parallel", "1", "--format", "json"}
	if code, d, _ := runDownloadJSON(t, args); code != 1 || d.State != "failed" || d.SegmentsDone == 0 {
		t.Fatalf("first run = %d, %+v; want failed part way", code, d)
	}
	dead := first.Load()
	if dead == nil {
		t.Fatal("no segment fetched")
	}
	if err := dead.Kill(); err != nil {
		t.Fatal(err)
	}
	var toDead atomic.Int64
	useFetcher(t, func(inner transport.Fetcher) transport.Fetcher {
		return fetchFunc(func(ctx context.Context, r *transport.Request, p transport.ProgressFunc) (*transport.Result, error) {
			if edgeOf(b, r.URL) == dead {
				toDead.Add(1)
			}
			return inner.Fetch(ctx, r, p)
		})
	})
	code, d, stderr := runDownloadJSON(t, args)
	if code != 0 || d.State != "completed" {
		t.Fatalf("re-run = %d, %+v; want completed\n%s", code, d, stderr)
	}
	if n := toDead.Load(); n != 0 {
		t.Errorf("re-run sent %d requests to the dead edge; want 0", n)
	}
}
