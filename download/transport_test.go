package download

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/abrkit/abrkit/player/transport"
)

// The player's HTTP fetcher works as the Manager's transport: its
// *transport.HTTPError answers trigger the signed-URL refresh, its range
// checks protect resumed part files, server errors are retried.
func TestWithPlayerTransport(t *testing.T) {
	pkg := testTitle(t, 12*time.Second)
	o := newOrigin(t, pkg)
	var segs atomic.Int64
	var failed atomic.Bool
	o.setHook(func(w http.ResponseWriter, r *http.Request, file string, data []byte) bool {
		if !strings.HasSuffix(file, ".m4s") {
			return false
		}
		if file == "a128/seg_3.m4s" && failed.CompareAndSwap(false, true) {
			http.Error(w, "boom", http.StatusServiceUnavailable)
			return true
		}
		if segs.Add(1) == 6 {
			o.token.Add(1) // signatures expire mid-download
		}
		return false
	})
	cfg := testConfig(t)
	cfg.Fetcher = transport.NewHTTP(transport.HTTPConfig{MaxAttempts: 1})
	id := "pt"
	seg, _ := pkg.Open("v600/seg_2.m4s")
	p := filepath.Join(cfg.Dir, id, "media", "v600", "seg_2.m4s"+partSuffix)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, seg[:len(seg)/3], 0o644); err != nil {
		t.Fatal(err)
	}
	m := startManager(t, cfg)
	if _, err := m.Add(Request{URL: o.url("master.m3u8"), ID: id, Refresh: func(context.Context) (string, error) {
		return o.url("master.m3u8"), nil
	}}); err != nil {
		t.Fatal(err)
	}
	d := await(t, m, id)
	if d.State != StateCompleted {
		t.Fatalf("download = %s/%s %q; want completed", d.State, d.StopReason, d.Err)
	}
	if d.Progress.Refreshes != 1 || d.Progress.Retries < 1 || o.ranged.Load() == 0 {
		t.Errorf("refreshes %d, retries %d, ranged %d; want 1, >=1, >0", d.Progress.Refreshes, d.Progress.Retries, o.ranged.Load())
	}
	checkIdentical(t, m, id, pkg)
}

// The download fetcher's stall error is the transport's one.
func TestFetcherStall(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := httptestServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.Write(make([]byte, 10))
		w.(http.Flusher).Flush()
		<-release
	})
	f := transport.NewHTTP(transport.HTTPConfig{MaxAttempts: 1, StallTimeout: 50 * time.Millisecond})
	_, err := f.Fetch(context.Background(), &transport.Request{URL: srv + "/x"}, nil)
	if !errors.Is(err, transport.ErrStalled) {
		t.Fatalf("Fetch = %v; want transport.ErrStalled", err)
	}
}

func httptestServer(t *testing.T, h http.HandlerFunc) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
