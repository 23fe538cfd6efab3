package download

import (
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
