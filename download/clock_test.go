package download

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
)

// The wait before a retry is a sleep on the manager's clock: with a fake
// clock the retry happens when the test advances it, not an hour later.
func TestRetryWaitsOnTheManagersClock(t *testing.T) {
	o := newOrigin(t, testTitle(t, 4*time.Second))
	var failed atomic.Bool
	o.setHook(func(w http.ResponseWriter, r *http.Request, file string, data []byte) bool {
		if strings.HasSuffix(file, ".m4s") && failed.CompareAndSwap(false, true) {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return true
		}
		return false
	})
	cfg := testConfig(t)
	clk := cfg.Clock.(*clock.Fake)
	cfg.Backoff = func(int) time.Duration { return time.Hour }
	m := startManager(t, cfg)
	id, err := m.Add(Request{URL: o.url("master.m3u8")})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := clk.BlockUntil(ctx, 1); err != nil {
		t.Fatalf("no retry wait on the clock: %v", err)
	}
	start := clk.Now()
	clk.Advance(time.Hour)
	d := await(t, m, id)
	if d.State != StateCompleted || d.Progress.Retries != 1 {
		t.Fatalf("download = %s %q, %d retries; want completed after 1 retry", d.State, d.Err, d.Progress.Retries)
	}
	if got := clk.Now().Sub(start); got != time.Hour {
		t.Errorf("clock moved %v; want 1h", got)
	}
}
