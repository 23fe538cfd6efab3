package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/abrkit/abrkit/download"
	"github.com/abrkit/abrkit/player/transport"
)

type fetchFunc func(context.Context, *transport.Request, transport.ProgressFunc) (*transport.Result, error)

func (f fetchFunc) Fetch(ctx context.Context, r *transport.Request, p transport.ProgressFunc) (*transport.Result, error) {
	return f(ctx, r, p)
}

// The reference backend's signed URLs expire in the middle of a download
// (its clock jumps past the URL lifetime); the download renews them with
// a new POST /v1/play and completes.
func TestDownloadCmdGatewayRefresh(t *testing.T) {
	b, fc, topo := gatewayBackend(t, "[{id: eu-1}]")

	var segs atomic.Int64
	old := newDownloadFetcher
	defer func() { newDownloadFetcher = old }()
	newDownloadFetcher = func() transport.Fetcher {
		inner := download.NewFetcher(nil)
		return fetchFunc(func(ctx context.Context, r *transport.Request, p transport.ProgressFunc) (*transport.Result, error) {
			if strings.HasSuffix(r.URL, ".m4s") && segs.Add(1) == 4 {
				fc.Advance(topo.URLTTL + time.Hour) // every signed URL handed out so far expires
				b.HealthTick()                      // edges report in at the new time
			}
			return inner.Fetch(ctx, r, p)
		})
	}
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	args := []string{"download", "--gateway", b.GatewayURL(), "--play", "t1", "--out", dir, "--parallel", "1", "--format", "json"}
	if got := run(args, &out, &errOut); got != 0 {
		t.Fatalf("run(%q) = %d\n%s%s", args, got, out.String(), errOut.String())
	}
	var d downloadJSON
	if err := json.Unmarshal(out.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	if d.ID != "t1" || d.State != "completed" || d.Refreshes < 1 || d.SegmentsDone != 14 {
		t.Errorf("download = %+v; want t1 completed with 14 files after at least one refresh", d)
	}
	out.Reset()
	if got := run([]string{"download", "verify", "t1", "--out", dir, "--format", "json"}, &out, &errOut); got != 0 || !strings.Contains(out.String(), `"ok": true`) {
		t.Errorf("verify = %d %s", got, out.String())
	}
	// Usage errors.
	for _, bad := range [][]string{
		{"download", "--gateway", b.GatewayURL(), "--out", dir},
		{"download", "--play", "t1", "--out", dir},
		{"download", "--out", dir},
	} {
		if got := run(bad, &out, &errOut); got != 2 {
			t.Errorf("run(%q) = %d; want 2", bad, got)
		}
	}
}
