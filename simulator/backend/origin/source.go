package origin

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/abrkit/abrkit/simulator/backend/packager"
	"github.com/abrkit/abrkit/simulator/backend/signing"
)

// ErrNotFound is returned for unknown titles and files.
var ErrNotFound = errors.New("not found")

// TitleInfo describes one title.
type TitleInfo struct {
	ID string `json:"id"`
	// HLS and DASH are the manifests' paths inside the title directory;
	// either may be empty when the title lacks that format.
	HLS  string `json:"hls,omitempty"`
	DASH string `json:"dash,omitempty"`
	// Duration is the title's length when known.
	Duration time.Duration `json:"-"`
	// Live marks a live channel.
	Live bool `json:"live"`
	// Encryption is the title's protection ("aes-128", "cenc"); empty
	// for a clear title.
	Encryption string `json:"encryption,omitempty"`
}

// Source yields titles and their files.
type Source interface {
	Titles() []TitleInfo
	// Open returns a file of a title; errors wrap ErrNotFound when the
	// title or file does not exist.
	Open(ctx context.Context, title, file string) ([]byte, error)
}

// PackagerSource renders a packager catalog in memory, on demand.
type PackagerSource struct {
	cat    *packager.Catalog
	titles []TitleInfo

	mu      sync.Mutex
	pkgs    map[string]*packager.Package
	protect func(packager.Title) (*packager.Protection, error)
}

var _ Source = (*PackagerSource)(nil)

// NewPackagerSource checks cat and returns a source for it.
func NewPackagerSource(cat *packager.Catalog) (*PackagerSource, error) {
	if err := cat.Validate(); err != nil {
		return nil, err
	}
	s := &PackagerSource{cat: cat, pkgs: map[string]*packager.Package{}}
	for _, t := range cat.Titles {
		ti := TitleInfo{ID: t.ID, Duration: t.Duration, Encryption: string(t.Encryption)}
		if t.Encryption.HasHLS() {
			ti.HLS = packager.MasterPlaylist
		}
		if t.Encryption.HasDASH() {
			ti.DASH = packager.DASHManifest
		}
		s.titles = append(s.titles, ti)
	}
	return s, nil
}

// SetProtection sets how encrypted titles get their key and URLs; it is
// asked when a title is first packaged, so it must be set before the
// first Open. Without it an encrypted title fails to package.
func (s *PackagerSource) SetProtection(f func(packager.Title) (*packager.Protection, error)) {
	s.mu.Lock()
	s.protect = f
	s.mu.Unlock()
}

// Titles lists the catalog's titles in catalog order.
func (s *PackagerSource) Titles() []TitleInfo { return append([]TitleInfo(nil), s.titles...) }

func (s *PackagerSource) pkg(id string) (*packager.Package, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.pkgs[id]; ok {
		return p, nil
	}
	t, ok := s.cat.Title(id)
	if !ok {
		return nil, fmt.Errorf("title %q: %w", id, ErrNotFound)
	}
	if t.Encryption != packager.Clear && t.Protection == nil && s.protect != nil {
		pr, err := s.protect(t)
		if err != nil {
			return nil, fmt.Errorf("title %q: %w", id, err)
		}
		t.Protection = pr
	}
	p, err := packager.Build(t)
	if err != nil {
		return nil, fmt.Errorf("title %q: %w", id, err)
	}
	s.pkgs[id] = p
	return p, nil
}

// Open renders a file of a title.
func (s *PackagerSource) Open(_ context.Context, title, file string) ([]byte, error) {
	if !signing.CleanID(title) || !signing.CleanFile(file) {
		return nil, fmt.Errorf("%s/%s: %w", title, file, ErrNotFound)
	}
	p, err := s.pkg(title)
	if err != nil {
		return nil, err
	}
	data, err := p.Open(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s/%s: %w", title, file, ErrNotFound)
	}
	return data, err
}

// DirSource serves files from a directory.
type DirSource struct {
	root   string
	dirs   map[string]string // title id -> directory
	titles []TitleInfo
}

var _ Source = (*DirSource)(nil)

// manifestNames are tried in order inside a title directory.
var (
	hlsNames  = []string{"master.m3u8", "hls/master.m3u8", "index.m3u8"}
	dashNames = []string{"manifest.mpd", "dash/manifest.mpd", "index.mpd"}
)

// NewDirSource scans dir. Each sub-directory holding a master playlist or
// an MPD (at its top or under hls/ and dash/) is a title named after the
// sub-directory; when dir itself holds them it is the only title, named
// after dir.
func NewDirSource(dir string) (*DirSource, error) {
	s := &DirSource{root: dir, dirs: map[string]string{}}
	if t, ok := probe(dir, filepath.Base(filepath.Clean(dir))); ok {
		s.add(t, dir)
		return s, nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("content directory: %w", err)
	}
	for _, e := range ents {
		if !e.IsDir() || !signing.CleanID(e.Name()) {
			continue
		}
		if t, ok := probe(filepath.Join(dir, e.Name()), e.Name()); ok {
			s.add(t, filepath.Join(dir, e.Name()))
		}
	}
	if len(s.titles) == 0 {
		return nil, fmt.Errorf("content directory %s: no titles (want master.m3u8 or manifest.mpd, at the top or per sub-directory): %w", dir, ErrNotFound)
	}
	sort.Slice(s.titles, func(i, j int) bool { return s.titles[i].ID < s.titles[j].ID })
	return s, nil
}

func probe(dir, id string) (TitleInfo, bool) {
	t := TitleInfo{ID: id}
	for _, n := range hlsNames {
		if fileExists(filepath.Join(dir, filepath.FromSlash(n))) {
			t.HLS = n
			break
		}
	}
	for _, n := range dashNames {
		if fileExists(filepath.Join(dir, filepath.FromSlash(n))) {
			t.DASH = n
			break
		}
	}
	return t, (t.HLS != "" || t.DASH != "") && signing.CleanID(id)
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func (s *DirSource) add(t TitleInfo, dir string) {
	s.titles = append(s.titles, t)
	s.dirs[t.ID] = dir
}

// Titles lists the titles sorted by id.
func (s *DirSource) Titles() []TitleInfo { return append([]TitleInfo(nil), s.titles...) }

// Open reads a file of a title; the path must be clean (no traversal).
func (s *DirSource) Open(_ context.Context, title, file string) ([]byte, error) {
	dir, ok := s.dirs[title]
	if !ok || !signing.CleanFile(file) || path.Clean(file) != file {
		return nil, fmt.Errorf("%s/%s: %w", title, file, ErrNotFound)
	}
	full := filepath.Join(dir, filepath.FromSlash(file))
	if !fileExists(full) {
		return nil, fmt.Errorf("%s/%s: %w", title, file, ErrNotFound)
	}
	data, err := os.ReadFile(full)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s/%s: %w", title, file, ErrNotFound)
	}
	return data, err
}
