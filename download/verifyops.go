package download

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

// VerifyReport is the result of checking every file of a download.
type VerifyReport struct {
	ID       string          `json:"id"`                 // the download
	OK       bool            `json:"ok"`                 // every segment present and verified
	State    string          `json:"state"`              // its state name after the check (and repair)
	Segments int             `json:"segments"`           // files in the plan
	Verified int             `json:"verified"`           // files present with the recorded size and CRC and valid boxes
	Bytes    int64           `json:"bytes"`              // bytes of the verified files
	Missing  []string        `json:"missing,omitempty"`  // not recorded or not on disk
	Corrupt  []VerifyProblem `json:"corrupt,omitempty"`  // on disk but wrong
	Expired  bool            `json:"expired"`            // offline playback is no longer allowed (Download.Expired)
	Repaired bool            `json:"repaired,omitempty"` // bad files were unmarked; Resume fetches them again
}

// VerifyProblem names a damaged file.
type VerifyProblem struct {
	Path   string `json:"path"`   // relative to the download folder
	Reason string `json:"reason"` // what is wrong with it
}

// Verify reads every file of a download back and checks its size, its
// CRC-32C against the index and its boxes against the manifest. With
// repair, bad and missing files are unmarked (and a completed download
// becomes failed with StopVerify) so that Resume fetches them again.
func (m *Manager) Verify(ctx context.Context, id string, repair bool) (*VerifyReport, error) {
	var snap Download
	if err := m.with(id, func(d *dl) error { snap = m.snapshot(d); return nil }); err != nil {
		return nil, err
	}
	pl, err := m.idx.plan(id)
	if err != nil {
		return nil, err
	}
	rep := &VerifyReport{ID: id, State: snap.State.String(), Expired: snap.Expired(m.cfg.Clock.Now())}
	if pl == nil {
		return rep, nil // nothing planned yet: not ok
	}
	done, err := m.idx.done(id)
	if err != nil {
		return nil, err
	}
	fsys, err := m.cfg.OpenFS(filepath.Join(m.cfg.Dir, id))
	if err != nil {
		return nil, err
	}
	defer fsys.Close()
	rep.Segments = len(pl.Items)
	inits := map[string]*initInfo{}
	var bad []string
	for pass := 0; pass < 2; pass++ { // inits first
		for _, it := range pl.Items {
			if (pass == 0) != (it.Kind == kindInit) {
				continue
			}
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			r, ok := done[it.Key]
			if !ok {
				rep.Missing = append(rep.Missing, it.Key)
				continue
			}
			ck, err := checkFile(fsys, &it, inits[it.Init])
			switch {
			case err != nil:
				rep.Corrupt = append(rep.Corrupt, VerifyProblem{Path: it.Key, Reason: err.Error()})
			case ck.n != r.Size:
				rep.Corrupt = append(rep.Corrupt, VerifyProblem{Path: it.Key, Reason: fmt.Sprintf("%d bytes, index says %d", ck.n, r.Size)})
			case ck.crc != r.CRC:
				rep.Corrupt = append(rep.Corrupt, VerifyProblem{Path: it.Key, Reason: fmt.Sprintf("CRC-32C %08x, index says %08x", ck.crc, r.CRC)})
			default:
				rep.Verified++
				rep.Bytes += ck.n
				if it.Kind == kindInit {
					inits[it.Key] = ck.init
				}
				continue
			}
			bad = append(bad, it.Key)
		}
	}
	rep.OK = rep.Segments > 0 && rep.Verified == rep.Segments
	if repair && len(bad) > 0 {
		if err := m.idx.unmark(id, bad); err != nil {
			return rep, err
		}
		rep.Repaired = true
		err := m.with(id, func(d *dl) error {
			for _, k := range bad {
				d.unsetDone(k)
			}
			d.updateEstimate()
			if d.rec.state() == StateCompleted {
				m.setState(d, StateFailed, StopVerify, fmt.Errorf("%d files failed verification", len(bad)))
			}
			return nil
		})
		if err != nil {
			return rep, err
		}
	}
	return rep, nil
}

func checkFile(fsys FS, it *item, init *initInfo) (*checker, error) {
	f, err := fsys.OpenFile(it.Key, 0, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ck := newChecker(it.Kind, init, it.size(), it.Dur)
	if it.Kind == kindMedia && init == nil {
		ck.kind = kindOther // no init to check against: size and CRC only
	}
	if _, err := io.Copy(ck, f); err != nil {
		return nil, err
	}
	if err := ck.Finish(); err != nil {
		return nil, err
	}
	return ck, nil
}

// Offline is a completed download ready for playback with no network.
type Offline struct {
	Download Download
	// Dir is the download's absolute folder.
	Dir string
	// ManifestURL is the file:// URL of the local HLS master playlist; every
	// URI in it is relative.
	ManifestURL string
	// Fetcher serves ManifestURL and every file it names, confined to Dir.
	Fetcher *LocalFetcher
	// Keys are a protected download's content keys (nil for clear
	// media): give Keys.LoadKey to the player as its key loader.
	Keys *Keys
}

// Close releases the fetcher's folder.
func (o *Offline) Close() error { return o.Fetcher.Close() }

// Offline opens a completed download for playback. It fails with
// ErrIncomplete before completion and ErrExpired after its expiry.
func (m *Manager) Offline(id string) (*Offline, error) {
	d, err := m.Get(id)
	if err != nil {
		return nil, err
	}
	return openOffline(m.cfg.Dir, d, m.cfg.Clock.Now(), m.cfg.Keys)
}

// OpenOffline opens download id of the manager folder dir for playback
// without a running Manager (for `abrkit play --offline ID`). It reads the
// index read-only (a committed copy when a running download holds it) and
// fails with ErrNoIndex, ErrNotFound, ErrIncomplete or ErrExpired.
//
// A protected download's keys come from FileKeyStore{dir}; use
// OpenOfflineWith for another KeyStore.
func OpenOffline(dir, id string, now time.Time) (*Offline, error) {
	return OpenOfflineWith(dir, id, now, FileKeyStore{Dir: dir})
}

// OpenOfflineWith is OpenOffline with the keys of protected downloads
// from keys: Offline.Keys holds them, and an expired license is an error
// wrapping ErrLicenseExpired.
func OpenOfflineWith(dir, id string, now time.Time, keys KeyStore) (*Offline, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(abs, IndexFile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, indexMissing(abs)
	}
	x, err := openIndexReadOnly(path)
	if err != nil {
		return nil, err
	}
	recs, err := x.all()
	x.close()
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		if r.ID == id {
			d := Download{ID: r.ID, URL: r.SourceURL, Title: r.Title, Dir: r.ID, State: r.state(), StopReason: r.StopReason,
				Completed: r.Completed, Expires: r.Expires, Offline: r.Offline, Created: r.Created, Updated: r.Updated}
			return openOffline(abs, d, now, keys)
		}
	}
	return nil, fmt.Errorf("download %s: %w", id, ErrNotFound)
}

func openOffline(lib string, d Download, now time.Time, keys KeyStore) (*Offline, error) {
	k, err := keys.LoadKeys(d.ID)
	switch {
	case errors.Is(err, ErrNotFound):
		k = nil // clear media
	case err != nil:
		return nil, err
	case k.Expired(now):
		return nil, fmt.Errorf("download %s: license expired at %s: %w", d.ID, k.Expires.Format(time.RFC3339), ErrLicenseExpired)
	}
	if d.State != StateCompleted || d.Offline == "" {
		return nil, fmt.Errorf("download %s (%s): %w", d.ID, d.State, ErrIncomplete)
	}
	if d.Expired(now) {
		return nil, fmt.Errorf("download %s expired at %s: %w", d.ID, d.Expires.Format(time.RFC3339), ErrExpired)
	}
	dir := filepath.Join(lib, d.ID)
	lf, err := NewLocalFetcher(dir)
	if err != nil {
		return nil, err
	}
	u := (&url.URL{Scheme: "file", Path: filepath.ToSlash(filepath.Join(dir, d.Offline))}).String()
	return &Offline{Download: d, Dir: dir, ManifestURL: u, Fetcher: lf, Keys: k}, nil
}
