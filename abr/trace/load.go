package trace

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Format names a trace file format.
type Format string

// Trace formats.
const (
	FormatPensieve Format = "pensieve"
	FormatSabre    Format = "sabre"
	FormatMahimahi Format = "mahimahi"
)

// LoadFile reads one trace file in the given format; the trace is named
// after the file's base name.
func LoadFile(path string, f Format) (*Trace, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var t *Trace
	switch f {
	case FormatPensieve:
		t, err = ParsePensieve(fh, path)
	case FormatSabre:
		t, err = ParseSabre(fh, path)
	case FormatMahimahi:
		t, err = ParseMahimahi(fh, path, 0)
	default:
		return nil, fmt.Errorf("trace format %q: %w", f, ErrSyntax)
	}
	if err != nil {
		return nil, err
	}
	t.Name = filepath.Base(path)
	return t, nil
}

// LoadDir reads every regular, non-hidden file of dir in the given format,
// sorted by name (so results do not depend on directory order).
func LoadDir(dir string, f Format) ([]*Trace, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if entryMode(dir, e).IsRegular() && !strings.HasPrefix(e.Name(), ".") && !strings.EqualFold(e.Name(), "README.md") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	traces := make([]*Trace, 0, len(names))
	for _, n := range names {
		t, err := LoadFile(filepath.Join(dir, n), f)
		if err != nil {
			return nil, err
		}
		traces = append(traces, t)
	}
	if len(traces) == 0 {
		return nil, &ParseError{File: dir, Err: fmt.Errorf("%w: no trace files", ErrEmpty)}
	}
	return traces, nil
}

// LoadSabreVideo reads a Sabre video description file.
func LoadSabreVideo(path string) (*Video, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	v, err := ParseSabreVideo(fh, path)
	if err != nil {
		return nil, err
	}
	v.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	return v, nil
}

// LoadTree reads the trace files of dir and of its immediate, non-hidden
// subfolders (each a data set); a trace from a subfolder is named
// "folder/file". Files come before folders, each sorted by name.
func LoadTree(dir string, f Format) ([]*Trace, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []*Trace
	top, err := LoadDir(dir, f)
	if err == nil {
		out = top
	} else if !errors.Is(err, ErrEmpty) {
		return nil, err
	}
	for _, e := range entries {
		if !entryMode(dir, e).IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		sub, err := LoadDir(filepath.Join(dir, e.Name()), f)
		if errors.Is(err, ErrEmpty) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, t := range sub {
			t.Name = e.Name() + "/" + t.Name
		}
		out = append(out, sub...)
	}
	if len(out) == 0 {
		return nil, &ParseError{File: dir, Err: fmt.Errorf("%w: no trace files", ErrEmpty)}
	}
	return out, nil
}

// entryMode returns the type of a folder entry, following a symbolic link
// (a data set is often a folder of links to a larger one).
func entryMode(dir string, e os.DirEntry) os.FileMode {
	if e.Type()&os.ModeSymlink == 0 {
		return e.Type()
	}
	st, err := os.Stat(filepath.Join(dir, e.Name()))
	if err != nil {
		return e.Type()
	}
	return st.Mode().Type()
}
