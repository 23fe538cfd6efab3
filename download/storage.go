package download

import (
	"errors"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"syscall"
)

// SpaceChecker tells how many bytes can still be written under a folder.
type SpaceChecker interface {
	Free(dir string) (int64, error)
}

// SpaceFunc adapts a function to SpaceChecker.
type SpaceFunc func(dir string) (int64, error)

// Free calls f.
func (f SpaceFunc) Free(dir string) (int64, error) { return f(dir) }

// StatfsSpace measures free space with statfs(2): blocks available to an
// unprivileged user. On Windows it cannot tell: Free returns an error
// wrapping errors.ErrUnsupported, and downloads then skip the free-space
// check (a full disk still stops them when a write fails).
type StatfsSpace struct{}

var _ SpaceChecker = StatfsSpace{}

// File is the part of *os.File the downloader writes through.
type File interface {
	io.Writer
	io.Reader
	io.Closer
	Sync() error
	Stat() (fs.FileInfo, error)
	Truncate(size int64) error
	Seek(offset int64, whence int) (int64, error)
}

// FS is the file system a download folder lives in. Every name is a
// slash-separated path relative to the folder; implementations must refuse
// names that leave it. The default, [RootFS], is backed by os.Root.
type FS interface {
	OpenFile(name string, flag int, perm fs.FileMode) (File, error)
	MkdirAll(name string, perm fs.FileMode) error
	Rename(oldname, newname string) error
	Remove(name string) error
	RemoveAll(name string) error
	Stat(name string) (fs.FileInfo, error)
	// SyncDir fsyncs a folder so that renames in it are durable.
	SyncDir(name string) error
	Close() error
}

// RootFS is an FS confined to one folder with os.Root: "..", absolute
// paths and symlinks leading out of the folder are refused by the kernel
// walk, whatever the manifest said.
type RootFS struct {
	root *os.Root
}

// OpenRootFS creates dir if needed and confines an FS to it.
func OpenRootFS(dir string) (*RootFS, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &RootFS{root: r}, nil
}

// Name is the folder the FS is confined to.
func (r *RootFS) Name() string { return r.root.Name() }

// OpenFile implements FS.
func (r *RootFS) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	f, err := r.root.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// MkdirAll implements FS.
func (r *RootFS) MkdirAll(name string, perm fs.FileMode) error {
	if name == "." || name == "" {
		return nil
	}
	return r.root.MkdirAll(name, perm)
}

// Rename implements FS.
func (r *RootFS) Rename(oldname, newname string) error { return r.root.Rename(oldname, newname) }

// Remove implements FS.
func (r *RootFS) Remove(name string) error { return r.root.Remove(name) }

// RemoveAll implements FS.
func (r *RootFS) RemoveAll(name string) error { return r.root.RemoveAll(name) }

// Stat implements FS.
func (r *RootFS) Stat(name string) (fs.FileInfo, error) { return r.root.Stat(name) }

// SyncDir implements FS.
func (r *RootFS) SyncDir(name string) error {
	if name == "" {
		name = "."
	}
	f, err := r.root.Open(name)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Close implements FS.
func (r *RootFS) Close() error { return r.root.Close() }

var _ FS = (*RootFS)(nil)

// isDiskFull reports whether err is the OS saying the disk or quota is full.
func isDiskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) || errors.Is(err, ErrDiskFull) || osDiskFull(err)
}

// redact drops the query (signatures, tokens) from a URL for messages.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	if u.RawQuery != "" {
		u.RawQuery = "…"
	}
	return u.String()
}

func dirOf(p string) string {
	d := path.Dir(p)
	if d == "" {
		return "."
	}
	return d
}
