package download

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/abrkit/abrkit/player/transport"
)

type fetchFunc func(context.Context, *transport.Request, transport.ProgressFunc) (*transport.Result, error)

func (f fetchFunc) Fetch(ctx context.Context, r *transport.Request, p transport.ProgressFunc) (*transport.Result, error) {
	return f(ctx, r, p)
}

// reopenReadOnly swaps the manager's index for a read-only handle, so
// that every write to it fails.
func reopenReadOnly(t *testing.T, m *Manager) {
	t.Helper()
	path := m.idx.db.Path()
	if err := m.idx.db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o644, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	m.idx.db = db
}

// A download that was running when the process died is queued again
// only when the index records it; otherwise it stays paused with the
// storage error and nothing is fetched.
func TestRestartWithAnIndexThatCannotWrite(t *testing.T) {
	cfg := testConfig(t)
	x, err := openIndex(filepath.Join(cfg.Dir, IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := x.put(&record{ID: "a", SourceURL: "http://127.0.0.1:1/m.m3u8", State: StateDownloading.String(), Seq: 1}); err != nil {
		t.Fatal(err)
	}
	x.close()
	var fetches atomic.Int64
	cfg.Fetcher = fetchFunc(func(context.Context, *transport.Request, transport.ProgressFunc) (*transport.Result, error) {
		fetches.Add(1)
		return nil, context.Canceled
	})
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	reopenReadOnly(t, m)
	m.Start()
	defer m.Close()
	d, err := m.Get("a")
	if err != nil {
		t.Fatal(err)
	}
	if d.State != StatePaused || d.StopReason != StopStorageError || d.Err == "" {
		t.Errorf("download = %s/%s %q; want paused/storage_error with the reason", d.State, d.StopReason, d.Err)
	}
	if n := fetches.Load(); n != 0 {
		t.Errorf("%d fetches; want none", n)
	}
}

// A state change the index cannot record is reported with the event.
func TestStateChangeNotRecordedIsReported(t *testing.T) {
	cfg := testConfig(t)
	cfg.Passive = true
	var errs atomic.Int64
	cfg.OnEvent = func(e Event) {
		if e.Kind == EventState && e.Err != nil {
			errs.Add(1)
		}
	}
	m := startManager(t, cfg)
	id, err := m.Add(Request{URL: "http://127.0.0.1:1/m.m3u8"})
	if err != nil {
		t.Fatal(err)
	}
	reopenReadOnly(t, m)
	if err := m.Pause(id); err != nil {
		t.Fatal(err)
	}
	d, _ := m.Get(id)
	if errs.Load() != 1 || d.Err == "" {
		t.Errorf("%d state events with an error, Err %q; want 1 and the storage error", errs.Load(), d.Err)
	}
}
