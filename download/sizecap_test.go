package download

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io/fs"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A segment body far beyond its declared bandwidth × duration (a 1.5 GiB
// answer for a 2 s segment) is cut off at the cap and never stored.
func TestSegmentSizeCap(t *testing.T) {
	o := newOrigin(t, testTitle(t, 4*time.Second))
	var sent atomic.Int64
	o.setHook(func(w http.ResponseWriter, r *http.Request, file string, data []byte) bool {
		if file != "v600/seg_1.m4s" {
			return false
		}
		const size = 1610612736
		w.Header().Set("Content-Length", "1610612736")
		// the real segment whose mdat box claims 1.5 GiB: well-formed as
		// far as it goes
		at := bytes.LastIndex(data, []byte("mdat")) - 4
		head := append([]byte(nil), data...)
		binary.BigEndian.PutUint32(head[at:], uint32(size-at))
		if _, err := w.Write(head); err != nil {
			return true
		}
		sent.Add(int64(len(head)))
		chunk := make([]byte, 64<<10)
		for sent.Load()+int64(len(chunk)) <= size {
			if _, err := w.Write(chunk); err != nil {
				return true
			}
			sent.Add(int64(len(chunk)))
		}
		return true
	})
	cfg := testConfig(t)
	cfg.SegmentSizeFloor = 1 << 20
	m := startManager(t, cfg)
	id, err := m.Add(Request{URL: o.url("master.m3u8")})
	if err != nil {
		t.Fatal(err)
	}
	d := await(t, m, id)
	if d.State != StateFailed || !strings.Contains(d.Err, ErrTooLarge.Error()) {
		t.Fatalf("download = %s/%s %q; want failed with %q", d.State, d.StopReason, d.Err, ErrTooLarge)
	}
	if n := sent.Load(); n > 256<<20 {
		t.Errorf("server sent %d bytes before the download stopped reading; want it cut near the 1 MiB cap", n)
	}
	err = filepath.WalkDir(filepath.Join(cfg.Dir, id), func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		if st, err := e.Info(); err == nil && st.Size() > 1<<20 {
			return errors.New(p + " holds more than the cap")
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}
