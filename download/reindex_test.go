package download

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A new index is rebuilt from the download folders: a complete download
// comes back completed, one missing a file comes back paused and resume
// fetches only that file.
func TestIndexRebuiltFromFiles(t *testing.T) {
	pkg := testTitle(t, 6*time.Second)
	o := newOrigin(t, pkg)
	cfg := testConfig(t)
	m := startManager(t, cfg)
	a, _ := m.Add(Request{URL: o.url("master.m3u8"), ID: "a", Title: "first"})
	b, _ := m.Add(Request{URL: o.url("master.m3u8"), ID: "b"})
	for _, id := range []string{a, b} {
		if d := await(t, m, id); d.State != StateCompleted {
			t.Fatalf("%s = %s %q", id, d.State, d.Err)
		}
	}
	m.Close()
	if err := os.Remove(filepath.Join(cfg.Dir, IndexFile)); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(cfg.Dir, b, "media", "v600", "seg_2.m4s")); err != nil {
		t.Fatal(err)
	}
	ro := cfg
	ro.ReadOnly = true
	if _, err := New(ro); err == nil {
		t.Fatal("read-only open without an index succeeded")
	}
	m2 := startManager(t, cfg)
	da, err := m2.Get(a)
	if err != nil || da.State != StateCompleted || da.Title != "first" || da.Progress.Bytes == 0 {
		t.Fatalf("a after rebuild = %+v, %v; want completed with its title and bytes", da, err)
	}
	db, err := m2.Get(b)
	if err != nil || db.State != StatePaused || db.Progress.SegmentsDone != db.Progress.Segments-1 {
		t.Fatalf("b after rebuild = %s %d/%d, %v; want paused one file short", db.State, db.Progress.SegmentsDone, db.Progress.Segments, err)
	}
	before := o.reqs.Load()
	if err := m2.Resume(b); err != nil {
		t.Fatal(err)
	}
	if d := await(t, m2, b); d.State != StateCompleted {
		t.Fatalf("b resumed = %s %q", d.State, d.Err)
	}
	if n := o.reqs.Load() - before; n != 1 {
		t.Errorf("resume made %d requests; want 1 (the missing file)", n)
	}
	checkIdentical(t, m2, b, pkg)
}

// Listing read-only while a download runs in the same folder always
// works: each listing reads a committed copy of the index.
func TestListWhileDownloading(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where the index copies go
	o := newOrigin(t, testTitle(t, 20*time.Second))
	cfg := testConfig(t)
	m := startManager(t, cfg)
	id, err := m.Add(Request{URL: o.url("master.m3u8")})
	if err != nil {
		t.Fatal(err)
	}
	ro := cfg
	ro.ReadOnly = true
	lists := 0
	for {
		d, err := m.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		r, err := New(ro)
		if err != nil {
			t.Fatalf("read-only open #%d while %s: %v", lists, d.State, err)
		}
		r.Start()
		ds, err := r.List()
		r.Close()
		if err != nil || len(ds) != 1 || ds[0].ID != id {
			t.Fatalf("List #%d = %+v, %v", lists, ds, err)
		}
		lists++
		if !d.State.Active() && lists >= 3 {
			break
		}
	}
	if d := await(t, m, id); d.State != StateCompleted {
		t.Fatalf("download = %s %q", d.State, d.Err)
	}
	if ents, _ := filepath.Glob(filepath.Join(tmp, "abrkit-index-*.db")); len(ents) > 0 {
		t.Errorf("index copies left behind: %v", ents)
	}
}

// Offline playback opens a completed download while another process's
// manager holds the folder, and a folder with no index says so.
func TestOpenOfflineWhileHeld(t *testing.T) {
	o := newOrigin(t, testTitle(t, 4*time.Second))
	cfg := testConfig(t)
	m := startManager(t, cfg)
	id, _ := m.Add(Request{URL: o.url("master.m3u8")})
	if d := await(t, m, id); d.State != StateCompleted {
		t.Fatalf("download = %s %q", d.State, d.Err)
	}
	off, err := OpenOffline(cfg.Dir, id, cfg.Clock.Now())
	if err != nil {
		t.Fatalf("OpenOffline while the manager holds the folder = %v", err)
	}
	off.Close()
	if _, err := OpenOffline(t.TempDir(), id, cfg.Clock.Now()); !errors.Is(err, ErrNoIndex) {
		t.Errorf("OpenOffline of an empty folder = %v; want ErrNoIndex", err)
	}
}
