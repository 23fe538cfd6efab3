package download

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// metaFile keeps a copy of a download's record and plan in its folder, so
// that the index can be rebuilt from the files on disk.
const metaFile = "download.json"

// maxMetaSize bounds a metaFile read back.
const maxMetaSize = 256 << 20

type metaDoc struct {
	Record record `json:"record"`
	Plan   *plan  `json:"plan"`
}

func writeMeta(fsys FS, rec *record, p *plan) error {
	data, err := json.Marshal(metaDoc{Record: *rec, Plan: p})
	if err != nil {
		return err
	}
	return writeFileAtomic(fsys, metaFile, string(data), 0o644)
}

// MissingIndexError: a read-only open found no index. Folders counts the
// download folders that could rebuild it ([Reindex]).
type MissingIndexError struct {
	Dir     string
	Folders int
}

func (e *MissingIndexError) Error() string {
	if e.Folders == 0 {
		return fmt.Sprintf("%s: %v: no downloads there", e.Dir, ErrNoIndex)
	}
	return fmt.Sprintf("%s: %v, but %d download folders are there (the index can be rebuilt from them)", e.Dir, ErrNoIndex, e.Folders)
}

// Unwrap matches ErrNoIndex.
func (e *MissingIndexError) Unwrap() error { return ErrNoIndex }

// downloadFolders lists the folders under dir that hold a metaFile.
func downloadFolders(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() || !idPattern.MatchString(e.Name()) {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, e.Name(), metaFile)); err == nil {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// Reindex rebuilds the index in dir from the download folders it lacks
// (after the index was deleted or lost) and returns their IDs. Each
// folder's saved record and plan come back; every file present under its
// final name, which it only gets once verified, counts as done with its
// size and CRC-32C. A download with every file and its offline manifest
// is completed; any other is paused, to be resumed. The folder must not
// be in use by another process.
func Reindex(dir string) ([]string, error) {
	m, err := New(Config{Dir: dir, Passive: true})
	if err != nil {
		return nil, err
	}
	more, err := m.reindex()
	added := append(m.rebuilt, more...)
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	return added, err
}

// reindex adds the download folders the index lacks; New calls it before
// the manager runs.
func (m *Manager) reindex() ([]string, error) {
	folders, err := downloadFolders(m.cfg.Dir)
	if err != nil {
		return nil, err
	}
	known, err := m.idx.all()
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, r := range known {
		have[r.ID] = true
	}
	var added []string
	for _, id := range folders {
		if have[id] {
			continue
		}
		if err := m.reindexOne(id); err != nil {
			return added, fmt.Errorf("reindex %s: %w", id, err)
		}
		added = append(added, id)
	}
	return added, nil
}

func (m *Manager) reindexOne(id string) error {
	dir, err := m.lib.OpenRoot(id)
	if err != nil {
		return err
	}
	defer dir.Close()
	meta, err := readMeta(dir)
	if err != nil {
		return err
	}
	rec, pl := meta.Record, meta.Plan
	if rec.ID != id || pl == nil {
		return fmt.Errorf("%s: %w: record of %q", metaFile, ErrUnsupported, rec.ID)
	}
	var done []segDone
	for i := range pl.Items {
		it := &pl.Items[i]
		crc, size, err := fileCRC(dir, it.Key)
		if err != nil || (it.Length > 0 && size != it.Length) {
			continue // missing or cut: fetched again on resume
		}
		done = append(done, segDone{key: it.Key, rec: segRec{Size: size, CRC: crc}})
	}
	rec.State, rec.StopReason, rec.Err = StatePaused.String(), StopNone, "index rebuilt from the files on disk"
	if _, err := dir.Stat(OfflineManifest); err == nil && len(done) == len(pl.Items) {
		rec.State, rec.Err, rec.Offline = StateCompleted.String(), "", OfflineManifest
	}
	rec.Updated = m.cfg.Clock.Now()
	if err := m.idx.putPlan(id, pl); err != nil {
		return err
	}
	if err := m.idx.markDone(id, done); err != nil {
		return err
	}
	return m.idx.put(&rec)
}

func readMeta(dir *os.Root) (*metaDoc, error) {
	f, err := dir.Open(metaFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxMetaSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxMetaSize {
		return nil, fmt.Errorf("%s: %w: over %d bytes", metaFile, ErrTooLarge, maxMetaSize)
	}
	meta := new(metaDoc)
	if err := json.Unmarshal(data, meta); err != nil {
		return nil, fmt.Errorf("%s: %w", metaFile, err)
	}
	return meta, nil
}

func fileCRC(dir *os.Root, name string) (uint32, int64, error) {
	f, err := dir.Open(filepath.FromSlash(name))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	h := crc32.New(castagnoli)
	n, err := io.Copy(h, f)
	return h.Sum32(), n, err
}

// indexMissing tells a read-only open why there is no index to read.
func indexMissing(dir string) error {
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: no such folder: %w", dir, ErrNoIndex)
	}
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("%s: not a folder: %w", dir, ErrNoIndex)
	}
	folders, err := downloadFolders(dir)
	if err != nil {
		return err
	}
	return &MissingIndexError{Dir: dir, Folders: len(folders)}
}
