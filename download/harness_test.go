package download

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/simulator/backend/packager"
)

// testTitle is a small CMAF title: 2 video rungs and audio, 2 s segments.
func testTitle(t testing.TB, dur time.Duration) *packager.Package {
	t.Helper()
	p, err := packager.Build(packager.Title{ID: "t1", Duration: dur, SegmentDuration: 2 * time.Second, LadderKbps: []int{200, 600}, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// origin serves a package under /tok/{token}/t1/ with Range support and
// fault hooks. Only the current token is accepted (403 otherwise).
type origin struct {
	t      testing.TB
	pkg    *packager.Package
	srv    *httptest.Server
	token  atomic.Int64
	reqs   atomic.Int64
	ranged atomic.Int64
	// hook, when set, may answer a request itself (return true).
	mu   sync.Mutex
	hook func(w http.ResponseWriter, r *http.Request, file string, data []byte) bool
	// extra files by path under the title (for bad manifests).
	extra map[string][]byte
}

func newOrigin(t testing.TB, pkg *packager.Package) *origin {
	o := &origin{t: t, pkg: pkg, extra: map[string][]byte{}}
	o.token.Store(1)
	o.srv = httptest.NewServer(http.HandlerFunc(o.serve))
	t.Cleanup(o.srv.Close)
	return o
}

func (o *origin) url(file string) string {
	return fmt.Sprintf("%s/tok/%d/t1/%s", o.srv.URL, o.token.Load(), file)
}

func (o *origin) setHook(h func(w http.ResponseWriter, r *http.Request, file string, data []byte) bool) {
	o.mu.Lock()
	o.hook = h
	o.mu.Unlock()
}

func (o *origin) serve(w http.ResponseWriter, r *http.Request) {
	o.reqs.Add(1)
	var tok int64
	var file string
	if _, err := fmt.Sscanf(r.URL.Path, "/tok/%d/t1/", &tok); err != nil {
		http.NotFound(w, r)
		return
	}
	file = r.URL.Path[strings.Index(r.URL.Path, "/t1/")+4:]
	if tok != o.token.Load() {
		http.Error(w, "expired", http.StatusForbidden)
		return
	}
	data, ok := o.extra[file]
	if !ok {
		var err error
		if data, err = o.pkg.Open(file); err != nil {
			http.NotFound(w, r)
			return
		}
	}
	if r.Header.Get("Range") != "" {
		o.ranged.Add(1)
	}
	o.mu.Lock()
	h := o.hook
	o.mu.Unlock()
	if h != nil && h(w, r, file, data) {
		return
	}
	http.ServeContent(w, r, file, time.Time{}, bytes.NewReader(data))
}

func newFakeClock() *clock.Fake {
	return clock.NewFake(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
}

// testConfig is a fast, deterministic configuration: no backoff waits,
// plenty of free space.
func testConfig(t testing.TB) Config {
	return Config{
		Dir:         t.TempDir(),
		MaxSegments: 3,
		Clock:       newFakeClock(),
		Space:       SpaceFunc(func(string) (int64, error) { return 1 << 40, nil }),
		Backoff:     func(int) time.Duration { return 0 },
	}
}

func startManager(t testing.TB, cfg Config) *Manager {
	t.Helper()
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m.Start()
	t.Cleanup(func() { m.Close() })
	return m
}

func await(t testing.TB, m *Manager, id string) Download {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := m.Await(ctx, id)
	if err != nil {
		t.Fatalf("Await(%s) = %v", id, err)
	}
	return d
}

// checkIdentical compares every stored media file with the origin's bytes.
func checkIdentical(t testing.TB, m *Manager, id string, pkg *packager.Package) int {
	t.Helper()
	pl, err := m.idx.plan(id)
	if err != nil || pl == nil {
		t.Fatalf("plan(%s) = %v, %v", id, pl, err)
	}
	n := 0
	for _, it := range pl.Items {
		rel := strings.TrimPrefix(it.Key, mediaDir+"/")
		want, err := pkg.Open(rel)
		if err != nil {
			t.Fatalf("origin %s: %v", rel, err)
		}
		got, err := os.ReadFile(filepath.Join(m.Dir(), id, filepath.FromSlash(it.Key)))
		if err != nil {
			t.Fatalf("stored %s: %v", it.Key, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("stored %s: %d bytes differ from the origin's %d", it.Key, len(got), len(want))
		}
		n++
	}
	return n
}

// enospcFS fails writes with ENOSPC once budget bytes have been written.
type enospcFS struct {
	FS
	budget *atomic.Int64
}

func (e enospcFS) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	f, err := e.FS.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &enospcFile{File: f, budget: e.budget, name: name}, nil
}

type enospcFile struct {
	File
	budget *atomic.Int64
	name   string
}

func (f *enospcFile) Write(p []byte) (int, error) {
	left := f.budget.Add(-int64(len(p)))
	if left >= 0 {
		return f.File.Write(p)
	}
	n := int64(len(p)) + left // what still fitted
	if n < 0 {
		n = 0
	}
	f.budget.Store(0)
	k, _ := f.File.Write(p[:n])
	return k, &fs.PathError{Op: "write", Path: f.name, Err: syscall.ENOSPC}
}
