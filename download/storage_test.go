package download

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/player/transport"
)

func TestDiskFullPausesAndResumes(t *testing.T) {
	pkg := testTitle(t, 12*time.Second)
	o := newOrigin(t, pkg)
	var budget atomic.Int64
	budget.Store(300 << 10) // the title is ~1.3 MB
	cfg := testConfig(t)
	cfg.OpenFS = func(dir string) (FS, error) {
		fsys, err := OpenRootFS(dir)
		if err != nil {
			return nil, err
		}
		return enospcFS{FS: fsys, budget: &budget}, nil
	}
	var lastErr atomic.Value
	cfg.OnEvent = func(e Event) {
		if e.Err != nil {
			lastErr.Store(e.Err)
		}
	}
	m := startManager(t, cfg)
	id, _ := m.Add(Request{URL: o.url("master.m3u8")})
	d := await(t, m, id)
	if d.State != StatePaused || d.StopReason != StopNoSpace {
		t.Fatalf("download = %s/%s %q; want paused/no_space", d.State, d.StopReason, d.Err)
	}
	err, _ := lastErr.Load().(error)
	var se *SpaceError
	if !errors.As(err, &se) || !errors.Is(err, ErrDiskFull) {
		t.Fatalf("error = %v (%T); want *SpaceError matching ErrDiskFull", err, err)
	}
	// The index is consistent: every file marked done is complete.
	done, _ := m.idx.done(id)
	if len(done) == 0 || len(done) >= 14 {
		t.Fatalf("done = %d; want some but not all", len(done))
	}
	for k, r := range done {
		st, err := os.Stat(filepath.Join(cfg.Dir, id, k))
		if err != nil || st.Size() != r.Size {
			t.Errorf("%s marked done with %d bytes; on disk %v, %v", k, r.Size, st, err)
		}
	}
	budget.Store(1 << 30) // space freed
	if err := m.Resume(id); err != nil {
		t.Fatal(err)
	}
	if d := await(t, m, id); d.State != StateCompleted {
		t.Fatalf("after freeing space: %s %q", d.State, d.Err)
	}
	checkIdentical(t, m, id, pkg)
}

func TestFreeSpaceFloorAndQuota(t *testing.T) {
	tests := []struct {
		name       string
		free       int64
		quota      int64 // per download
		total      int64 // manager-wide
		wantState  State
		wantReason StopReason
		wantErr    error
	}{
		{"plenty", 1 << 40, 0, 0, StateCompleted, StopNone, nil},
		{"below floor before start", 10 << 20, 0, 0, StatePaused, StopNoSpace, ErrDiskFull},
		{"download quota", 1 << 40, 100 << 10, 0, StatePaused, StopQuota, ErrQuota},
		{"overall quota", 1 << 40, 0, 100 << 10, StatePaused, StopQuota, ErrQuota},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOrigin(t, testTitle(t, 8*time.Second))
			cfg := testConfig(t)
			var free atomic.Int64
			free.Store(tt.free)
			cfg.Space = SpaceFunc(func(string) (int64, error) { return free.Load(), nil })
			cfg.Quota = tt.total
			var lastErr atomic.Value
			cfg.OnEvent = func(e Event) {
				if e.Err != nil {
					lastErr.Store(e.Err)
				}
			}
			m := startManager(t, cfg)
			id, _ := m.Add(Request{URL: o.url("master.m3u8"), Quota: tt.quota})
			d := await(t, m, id)
			if d.State != tt.wantState || d.StopReason != tt.wantReason {
				t.Fatalf("download = %s/%s %q; want %s/%s", d.State, d.StopReason, d.Err, tt.wantState, tt.wantReason)
			}
			if tt.wantErr != nil {
				err, _ := lastErr.Load().(error)
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("error = %v; want %v", err, tt.wantErr)
				}
			}
		})
	}
}

func TestFreeSpaceCheckedWhileRunning(t *testing.T) {
	o := newOrigin(t, testTitle(t, 12*time.Second))
	cfg := testConfig(t)
	var calls atomic.Int64
	cfg.Space = SpaceFunc(func(string) (int64, error) {
		if calls.Add(1) > 2 { // fine at the start, full later
			return 1 << 20, nil
		}
		return 1 << 40, nil
	})
	cfg.SpaceCheckEvery = 64 << 10
	m := startManager(t, cfg)
	id, _ := m.Add(Request{URL: o.url("master.m3u8")})
	d := await(t, m, id)
	if d.State != StatePaused || d.StopReason != StopNoSpace {
		t.Fatalf("download = %s/%s %q; want paused/no_space", d.State, d.StopReason, d.Err)
	}
}

func TestExpiryAndRenewal(t *testing.T) {
	o := newOrigin(t, testTitle(t, 4*time.Second))
	cfg := testConfig(t)
	clk := cfg.Clock.(*clock.Fake)
	m := startManager(t, cfg)
	id, _ := m.Add(Request{URL: o.url("master.m3u8"), Expires: clk.Now().Add(48 * time.Hour)})
	if d := await(t, m, id); d.State != StateCompleted {
		t.Fatalf("state %s %q", d.State, d.Err)
	}
	reqs := o.reqs.Load()
	off, err := m.Offline(id)
	if err != nil {
		t.Fatalf("Offline before expiry: %v", err)
	}
	off.Close()
	clk.Advance(49 * time.Hour)
	if _, err := m.Offline(id); !errors.Is(err, ErrExpired) {
		t.Fatalf("Offline after expiry = %v; want ErrExpired", err)
	}
	if _, err := OpenOffline(cfg.Dir, id, clk.Now()); !errors.Is(err, ErrExpired) && !errors.Is(err, ErrLocked) {
		t.Fatalf("OpenOffline after expiry = %v; want ErrExpired", err)
	}
	if err := m.Renew(id, clk.Now().Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	off, err = m.Offline(id)
	if err != nil {
		t.Fatalf("Offline after renewal: %v", err)
	}
	off.Close()
	if got := o.reqs.Load(); got != reqs {
		t.Errorf("renewal made %d requests; want none", got-reqs)
	}
	m.Close()
	// Without a running manager, as `abrkit play --offline` does.
	off, err = OpenOffline(cfg.Dir, id, clk.Now())
	if err != nil {
		t.Fatalf("OpenOffline: %v", err)
	}
	off.Close()
}

func TestSignedURLRefresh(t *testing.T) {
	pkg := testTitle(t, 12*time.Second)
	for _, withHook := range []bool{true, false} {
		t.Run(map[bool]string{true: "hook", false: "no hook"}[withHook], func(t *testing.T) {
			o := newOrigin(t, pkg)
			var segs atomic.Int64
			o.setHook(func(w http.ResponseWriter, r *http.Request, file string, data []byte) bool {
				if strings.HasSuffix(file, ".m4s") && segs.Add(1) == 5 {
					o.token.Add(1) // the signature expires mid-download
				}
				return false
			})
			var refreshes atomic.Int64
			req := Request{URL: o.url("master.m3u8")}
			if withHook {
				req.Refresh = func(context.Context) (string, error) {
					refreshes.Add(1)
					return o.url("master.m3u8"), nil
				}
			}
			m := startManager(t, testConfig(t))
			id, _ := m.Add(req)
			d := await(t, m, id)
			if !withHook {
				if d.State != StateFailed || d.StopReason != StopAuth {
					t.Fatalf("download = %s/%s %q; want failed/auth", d.State, d.StopReason, d.Err)
				}
				return
			}
			if d.State != StateCompleted {
				t.Fatalf("download = %s/%s %q; want completed", d.State, d.StopReason, d.Err)
			}
			if refreshes.Load() != 1 || d.Progress.Refreshes != 1 {
				t.Errorf("refreshes = %d (progress %d); want 1", refreshes.Load(), d.Progress.Refreshes)
			}
			checkIdentical(t, m, id, pkg)
		})
	}
}

func TestPauseResumeKeepsPartialSegment(t *testing.T) {
	pkg := testTitle(t, 8*time.Second)
	o := newOrigin(t, pkg)
	stalled := make(chan struct{})
	release := make(chan struct{})
	var once atomic.Bool
	o.setHook(func(w http.ResponseWriter, r *http.Request, file string, data []byte) bool {
		if file != "v600/seg_2.m4s" || !once.CompareAndSwap(false, true) {
			return false
		}
		w.Header().Set("Content-Length", itoa(len(data)))
		w.WriteHeader(200)
		w.Write(data[:len(data)/2])
		w.(http.Flusher).Flush()
		close(stalled)
		<-release
		panic(http.ErrAbortHandler)
	})
	defer close(release)
	cfg := testConfig(t)
	cfg.MaxSegments = 1
	written := make(chan struct{})
	var wonce atomic.Bool
	cfg.Fetcher = fetcherFunc(func(ctx context.Context, req *transport.Request, p transport.ProgressFunc) (*transport.Result, error) {
		if strings.HasSuffix(req.URL, "v600/seg_2.m4s") && req.Offset == 0 {
			req.Body = &notifyWriter{w: req.Body, once: &wonce, ch: written}
		}
		return NewFetcher(nil).Fetch(ctx, req, p)
	})
	m := startManager(t, cfg)
	id, _ := m.Add(Request{URL: o.url("master.m3u8")})
	<-stalled
	<-written // half the segment is in its part file
	if err := m.Pause(id); err != nil {
		t.Fatal(err)
	}
	if d := await(t, m, id); d.State != StatePaused || d.StopReason != StopUser {
		t.Fatalf("after Pause: %s/%s", d.State, d.StopReason)
	}
	ranged := o.ranged.Load()
	if err := m.Resume(id); err != nil {
		t.Fatal(err)
	}
	if d := await(t, m, id); d.State != StateCompleted {
		t.Fatalf("after Resume: %s %q", d.State, d.Err)
	}
	if o.ranged.Load() == ranged {
		t.Errorf("no Range request after resume; want the partial segment continued")
	}
	checkIdentical(t, m, id, pkg)
}

func TestRemoveAndCancel(t *testing.T) {
	o := newOrigin(t, testTitle(t, 4*time.Second))
	cfg := testConfig(t)
	m := startManager(t, cfg)
	id, _ := m.Add(Request{URL: o.url("master.m3u8")})
	await(t, m, id)
	if err := m.Cancel(id); !errors.Is(err, ErrBadState) {
		t.Errorf("Cancel(completed) = %v; want ErrBadState", err)
	}
	if err := m.Remove(id); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := m.Await(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Await after Remove = %v; want ErrNotFound", err)
	}
	if _, err := os.Stat(filepath.Join(cfg.Dir, id)); !os.IsNotExist(err) {
		t.Errorf("folder after Remove: %v; want gone", err)
	}
	if _, err := m.Get(id); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Remove = %v; want ErrNotFound", err)
	}
	if err := m.Pause("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Pause(nope) = %v; want ErrNotFound", err)
	}
}

type fetcherFunc func(context.Context, *transport.Request, transport.ProgressFunc) (*transport.Result, error)

func (f fetcherFunc) Fetch(ctx context.Context, r *transport.Request, p transport.ProgressFunc) (*transport.Result, error) {
	return f(ctx, r, p)
}

// notifyWriter closes ch after its first successful write.
type notifyWriter struct {
	w    io.Writer
	once *atomic.Bool
	ch   chan struct{}
}

func (n *notifyWriter) Write(p []byte) (int, error) {
	k, err := n.w.Write(p)
	if k > 0 && n.once.CompareAndSwap(false, true) {
		close(n.ch)
	}
	return k, err
}

// TestRealDiskFull fills a real small file system. It runs only when
// ABRKIT_TMPFS_DIR names a folder on a small tmpfs (for example
// `mount -t tmpfs -o size=1m tmpfs /mnt/small`), because mounting one needs
// privileges the test suite does not assume.
func TestRealDiskFull(t *testing.T) {
	dir := os.Getenv("ABRKIT_TMPFS_DIR")
	if dir == "" {
		t.Skip("ABRKIT_TMPFS_DIR not set (a small tmpfs)")
	}
	free, err := StatfsSpace{}.Free(dir)
	if err != nil || free > 64<<20 {
		t.Skipf("%s: %d bytes free (%v); want a tmpfs under 64 MiB", dir, free, err)
	}
	pkg := testTitle(t, 8*time.Second) // about 700 kB
	o := newOrigin(t, pkg)
	cfg := testConfig(t)
	cfg.Dir, _ = os.MkdirTemp(dir, "dl")
	defer os.RemoveAll(cfg.Dir)
	// Ballast leaves about 300 kB free.
	ballast := filepath.Join(dir, "ballast")
	if err := os.WriteFile(ballast, make([]byte, max(free-300<<10, 0)), 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(ballast)
	// The free-space check is blinded so that the writes themselves hit ENOSPC.
	cfg.MinFree = -1
	var lastErr atomic.Value
	cfg.OnEvent = func(e Event) {
		if e.Err != nil {
			lastErr.Store(e.Err)
		}
	}
	m := startManager(t, cfg)
	id, _ := m.Add(Request{URL: o.url("master.m3u8")})
	d := await(t, m, id)
	if d.State != StatePaused || d.StopReason != StopNoSpace {
		t.Fatalf("download = %s/%s %q; want paused/no_space", d.State, d.StopReason, d.Err)
	}
	if err, _ := lastErr.Load().(error); !errors.Is(err, syscall.ENOSPC) || !errors.Is(err, ErrDiskFull) {
		t.Errorf("error = %v; want ENOSPC wrapped as ErrDiskFull", err)
	}
	done, _ := m.idx.done(id)
	for k, r := range done {
		st, err := os.Stat(filepath.Join(cfg.Dir, id, k))
		if err != nil || st.Size() != r.Size {
			t.Errorf("%s marked done with %d bytes; on disk %v, %v", k, r.Size, st, err)
		}
	}
	os.Remove(ballast) // space freed
	if err := m.Resume(id); err != nil {
		t.Fatal(err)
	}
	if d := await(t, m, id); d.State != StateCompleted {
		t.Fatalf("after freeing space: %s %q", d.State, d.Err)
	}
	checkIdentical(t, m, id, pkg)
}

// A part file left by a crash is continued with a Range request, or
// fetched again whole when the server ignores ranges; a part holding
// garbage is never trusted.
func TestPartFileResume(t *testing.T) {
	tests := []struct {
		name        string
		ignoreRange bool
		garbage     bool
		wantRanged  bool
	}{
		{"range honoured", false, false, true},
		{"range ignored", true, false, true},
		{"garbage part", false, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkg := testTitle(t, 4*time.Second)
			o := newOrigin(t, pkg)
			if tt.ignoreRange {
				o.setHook(func(w http.ResponseWriter, r *http.Request, file string, data []byte) bool {
					w.Header().Set("Content-Length", itoa(len(data)))
					w.Write(data)
					return true
				})
			}
			cfg := testConfig(t)
			id := "p"
			seg, _ := pkg.Open("v600/seg_1.m4s")
			part := seg[:len(seg)/2]
			if tt.garbage {
				part = bytes.Repeat([]byte{0xAB}, len(seg)/2)
			}
			p := filepath.Join(cfg.Dir, id, "media", "v600", "seg_1.m4s"+partSuffix)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, part, 0o644); err != nil {
				t.Fatal(err)
			}
			m := startManager(t, cfg)
			if _, err := m.Add(Request{URL: o.url("master.m3u8"), ID: id}); err != nil {
				t.Fatal(err)
			}
			if d := await(t, m, id); d.State != StateCompleted {
				t.Fatalf("state %s %q", d.State, d.Err)
			}
			if got := o.ranged.Load() > 0; got != tt.wantRanged {
				t.Errorf("range requests: %v; want %v", got, tt.wantRanged)
			}
			checkIdentical(t, m, id, pkg)
		})
	}
}
