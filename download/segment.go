package download

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/abrkit/abrkit/player/transport"
)

// partSuffix marks a segment being written; it is renamed into place once
// complete, verified and fsynced.
const partSuffix = ".part"

// itemWriter writes a segment to its part file, feeds the checker and
// enforces the storage rules as bytes arrive.
type itemWriter struct {
	f    File
	ck   *checker
	j    *job
	key  string
	err  error // the first storage error, kept even if the fetcher wraps or hides it
	n    int64
	max  int64 // size cap of the whole file
	have int64 // bytes the part file held before this fetch
	vErr error // the checker's verdict on a bad stream
}

func (w *itemWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if w.have+w.n+int64(len(p)) > w.max {
		w.err = fmt.Errorf("%s: %w: more than %d bytes (the cap for its declared bandwidth and duration)", w.key, ErrTooLarge, w.max)
		w.vErr = w.err
		return 0, w.err
	}
	if err := w.j.reserve(int64(len(p)), w.key); err != nil {
		w.err = err
		return 0, err
	}
	n, err := w.f.Write(p)
	w.n += int64(n)

	if n > 0 {
		if _, cerr := w.ck.Write(p[:n]); cerr != nil {
			w.vErr = cerr
			w.err = &VerifyError{Path: w.key, Reason: cerr.Error()}
			return n, w.err
		}
	}
	if err != nil {
		if isDiskFull(err) {
			err = &SpaceError{Path: w.key, Avail: -1, Err: fmt.Errorf("%w: %w", ErrDiskFull, err)}
		}
		w.err = err
		return n, err
	}
	return n, nil
}

// verified is a part file whose bytes passed verification; place makes
// it durable and puts it at its final name. Fetching the next segment
// overlaps with the fsync.
type verified struct {
	f   File
	tmp string
	key string
	rec segRec
}

// place fsyncs, closes and renames the part file into place.
func (j *job) place(v *verified) error {
	err := v.f.Sync()
	if cerr := v.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return j.storageErr(v.tmp, err)
	}
	if err := j.fs.Rename(v.tmp, v.key); err != nil {
		return j.storageErr(v.key, err)
	}
	return nil
}

// fetchItem gets item i: resume a part file with a Range request where
// one exists and verify the whole. The caller places the result (fsync,
// rename) and then marks it in the index.
func (j *job) fetchItem(ctx context.Context, i int, url string) (*verified, error) {
	it := j.item(i)
	tmp := it.Key + partSuffix
	if err := j.fs.MkdirAll(dirOf(it.Key), 0o755); err != nil {
		return nil, j.storageErr(it.Key, err)
	}
	f, err := j.fs.OpenFile(tmp, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, j.storageErr(tmp, err)
	}
	closed := false
	defer func() {
		if !closed {
			f.Close()
		}
	}()
	ck, have, err := j.resumeState(f, &it)
	if err != nil {
		return nil, err
	}
	if it.Length == 0 || have < it.Length {
		w := &itemWriter{f: f, ck: ck, j: j, key: it.Key, max: j.sizeCap(&it), have: have}
		req := &transport.Request{URL: url, Kind: transport.KindMedia, Offset: it.Offset + have, Body: w}
		if it.Kind == kindInit {
			req.Kind = transport.KindInit
		}
		if it.Length > 0 {
			req.Length = it.Length - have
		}
		res, ferr := j.env.fetcher.Fetch(ctx, req, nil)
		ferr = normalizeErr(url, res, ferr)
		if w.err != nil {
			ferr = w.err // ours, whatever the fetcher made of it
		}
		if ferr == nil && it.Offset+have > 0 && res != nil {
			if res.Status == 200 {
				ferr = fmt.Errorf("%s: %w", it.Key, ErrRangeIgnored)
			} else if cr, err := transport.ParseContentRange(res.Header.Get("Content-Range")); err == nil && cr.First != it.Offset+have {
				ferr = fmt.Errorf("%s: %w: Content-Range starts at %d, asked %d", it.Key, ErrRangeIgnored, cr.First, it.Offset+have)
			}
		}
		var st *StatusError
		if errors.As(ferr, &st) && st.Status == http.StatusRequestedRangeNotSatisfiable && have > 0 && w.n == 0 {
			// The part already holds every byte (killed before the
			// rename): the verdict below decides.
			ferr = nil
		}
		if ferr != nil {
			if w.vErr != nil || errors.Is(ferr, ErrRangeIgnored) || errors.Is(ferr, transport.ErrRange) {
				if terr := f.Truncate(0); terr != nil { // bad bytes are never resumed from
					ferr = errors.Join(ferr, j.storageErr(tmp, terr))
				}
			}
			if ctx.Err() != nil {
				return nil, context.Cause(ctx)
			}
			return nil, ferr
		}
	}
	if err := ck.Finish(); err != nil {
		verr := error(&VerifyError{Path: it.Key, Reason: err.Error()})
		if terr := f.Truncate(0); terr != nil {
			verr = errors.Join(verr, j.storageErr(tmp, terr))
		}
		return nil, verr
	}
	if it.Kind == kindInit {
		j.setInit(it.Key, ck.init)
	}
	closed = true
	return &verified{f: f, tmp: tmp, key: it.Key, rec: segRec{Size: ck.n, CRC: ck.crc}}, nil
}

// sizeCap is the most bytes item it may have: its exact length when the
// manifest gives one, else SegmentSizeFactor × bandwidth × duration, at
// least the floor.
func (j *job) sizeCap(it *item) int64 {
	if it.Length > 0 {
		return it.Length
	}
	var bw int
	j.mu.Lock()
	if it.Track >= 0 && it.Track < len(j.plan.Tracks) {
		bw = j.plan.Tracks[it.Track].Bandwidth
	}
	j.mu.Unlock()
	declared := int64(float64(bw) / 8 * it.Dur.Seconds())
	return max(j.env.sizeFloor, SegmentSizeFactor*declared)
}

// resumeState feeds the bytes a part file already holds to a new checker;
// a part that is too long or already bad is emptied.
func (j *job) resumeState(f File, it *item) (*checker, int64, error) {
	var init *initInfo
	if it.Kind == kindMedia {
		init = j.initFor(it.Init)
	}
	ck := newChecker(it.Kind, init, it.size(), it.Dur)
	st, err := f.Stat()
	if err != nil {
		return nil, 0, j.storageErr(it.Key, err)
	}
	have := st.Size()
	if have == 0 {
		return ck, 0, nil
	}
	if it.Length > 0 && have > it.Length {
		have = 0
	} else {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, 0, j.storageErr(it.Key, err)
		}
		if n, err := io.Copy(ck, io.LimitReader(f, have)); err != nil || n != have {
			have = 0
		}
	}
	if have == 0 {
		ck = newChecker(it.Kind, init, it.size(), it.Dur)
		if err := f.Truncate(0); err != nil {
			return nil, 0, j.storageErr(it.Key, err)
		}
	}
	if _, err := f.Seek(have, io.SeekStart); err != nil {
		return nil, 0, j.storageErr(it.Key, err)
	}
	if have > 0 {
		j.resumed.Add(1)
	}
	return ck, have, nil
}

// storageErr maps a local I/O error: disk full becomes a *SpaceError.
func (j *job) storageErr(path string, err error) error {
	if isDiskFull(err) {
		return &SpaceError{Path: path, Avail: -1, Err: fmt.Errorf("%w: %w", ErrDiskFull, err)}
	}
	return fmt.Errorf("%w: %w", errStorage, err)
}

var errStorage = errors.New("storage")

// normalizeErr gives every fetcher's non-success answer the form this
// package branches on: a *StatusError (401/403/410 match ErrAuthExpired).
// It understands transport.HTTPError from the player's HTTP fetcher.
func normalizeErr(url string, res *transport.Result, err error) error {
	var se *StatusError
	if errors.As(err, &se) {
		return err
	}
	var he *transport.HTTPError
	if errors.As(err, &he) {
		return fmt.Errorf("%w (%w)", &StatusError{URL: url, Status: he.Status}, err)
	}
	if err == nil && res != nil && res.Status >= 300 {
		return &StatusError{URL: url, Status: res.Status}
	}
	return err
}
