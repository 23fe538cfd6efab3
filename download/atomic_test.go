package download

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// syncFS records the durability calls writeFileAtomic makes.
type syncFS struct {
	FS
	dirs []string
}

func (s *syncFS) SyncDir(name string) error {
	s.dirs = append(s.dirs, name)
	return s.FS.SyncDir(name)
}

func TestWriteFileAtomicSyncsFolder(t *testing.T) {
	root, err := OpenRootFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if err := root.MkdirAll("keys", 0o700); err != nil {
		t.Fatal(err)
	}
	s := &syncFS{FS: root}
	if err := writeFileAtomic(s, "keys/a.json", "{}", 0o600); err != nil {
		t.Fatal(err)
	}
	if len(s.dirs) != 1 || s.dirs[0] != "keys" {
		t.Errorf("synced folders %q; want [keys]", s.dirs)
	}
	fi, err := root.Stat("keys/a.json")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v; want 0600", fi.Mode().Perm())
	}
	if _, err := root.Stat("keys/a.json" + partSuffix); err == nil {
		t.Error("temporary file left behind")
	}
}

func TestFileKeyStoreRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s := FileKeyStore{Dir: dir}
	exp := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	in := &Keys{AES: map[string][]byte{"https://k/1": {1, 2, 3}}, Expires: exp}
	if err := s.PutKeys("a/b", in); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join(dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("keys folder holds %d files; want 1 (no temporary left)", len(entries))
	}
	fi, err := entries[0].Info()
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != fs.FileMode(0o600) {
		t.Errorf("key file mode %v; want 0600", fi.Mode().Perm())
	}
	out, err := s.LoadKeys("a/b")
	if err != nil {
		t.Fatal(err)
	}
	if string(out.AES["https://k/1"]) != string([]byte{1, 2, 3}) || !out.Expires.Equal(exp) {
		t.Errorf("loaded %+v; want %+v", out, in)
	}
}
