package download

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterr "go.etcd.io/bbolt/errors"
)

// IndexFile is the name of the index inside the manager's folder.
const IndexFile = "downloads.db"

var (
	bucketDownloads = []byte("downloads")
	bucketPlans     = []byte("plans")
	bucketSegs      = []byte("segments")
)

// record is what the index keeps about a download.
type record struct {
	ID         string     `json:"id"`
	SourceURL  string     `json:"source_url"`  // as given by the user
	CurrentURL string     `json:"current_url"` // latest (refreshed) manifest URL
	Title      string     `json:"title,omitempty"`
	State      string     `json:"state"`
	StopReason StopReason `json:"stop_reason,omitempty"`
	Err        string     `json:"error,omitempty"`
	Selection  Selection  `json:"selection"`
	Quota      int64      `json:"quota,omitempty"`
	Seq        uint64     `json:"seq"` // queue order
	Created    time.Time  `json:"created"`
	Updated    time.Time  `json:"updated"`
	Completed  time.Time  `json:"completed,omitzero"`
	Expires    time.Time  `json:"expires,omitzero"`
	Offline    string     `json:"offline,omitempty"`
}

func (r *record) state() State {
	s, _ := ParseState(r.State)
	return s
}

// segRec is a completed segment: its size and CRC-32C.
type segRec struct {
	Size int64
	CRC  uint32
}

type segDone struct {
	key string
	rec segRec
}

// index is the persistent download index (bbolt). Every method is one
// transaction; bbolt fsyncs on commit, so a record is durable when the
// method returns.
type index struct {
	db       *bolt.DB
	snapshot string // a copy opened read-only, removed by close
}

func openIndex(path string) (*index, error) {
	db, err := bolt.Open(path, 0o644, &bolt.Options{Timeout: time.Second})
	if err != nil {
		if errors.Is(err, bolterr.ErrTimeout) {
			return nil, fmt.Errorf("%s: %w", path, ErrLocked)
		}
		return nil, err
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketDownloads, bucketPlans, bucketSegs} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return &index{db: db}, nil
}

func (x *index) close() error {
	err := x.db.Close()
	if x.snapshot != "" {
		if rerr := os.Remove(x.snapshot); err == nil {
			err = rerr
		}
	}
	return err
}

// openIndexReadOnly opens the index at path for reading. When another
// process holds it for writing (a download running in the same folder),
// it reads a copy: bbolt commits by writing a new meta page last, so a
// copy holds the last committed state; a copy caught mid-commit fails to
// open and is taken again.
func openIndexReadOnly(path string) (*index, error) {
	db, err := bolt.Open(path, 0o644, &bolt.Options{ReadOnly: true, Timeout: 100 * time.Millisecond})
	if err == nil {
		return &index{db: db}, nil
	}
	if !errors.Is(err, bolterr.ErrTimeout) {
		return nil, err
	}
	for range 5 {
		var snap string
		if snap, err = copyToTemp(path); err != nil {
			return nil, err
		}
		db, err = bolt.Open(snap, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
		if err == nil {
			x := &index{db: db, snapshot: snap}
			if _, err = x.all(); err == nil {
				return x, nil
			}
			db.Close()
		}
		os.Remove(snap)
	}
	return nil, fmt.Errorf("%s: read a copy while it is in use: %w", path, err)
}

func copyToTemp(path string) (string, error) {
	src, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer src.Close()
	dst, err := os.CreateTemp("", "abrkit-index-*.db")
	if err != nil {
		return "", err
	}
	_, err = io.Copy(dst, src)
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dst.Name())
		return "", err
	}
	return dst.Name(), nil
}

func (x *index) put(r *record) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return x.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDownloads).Put([]byte(r.ID), data)
	})
}

func (x *index) all() ([]*record, error) {
	var out []*record
	err := x.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDownloads).ForEach(func(k, v []byte) error {
			r := new(record)
			if err := json.Unmarshal(v, r); err != nil {
				return fmt.Errorf("index record %q: %w", k, err)
			}
			out = append(out, r)
			return nil
		})
	})
	return out, err
}

func (x *index) putPlan(id string, p *plan) error {
	data, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return x.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPlans).Put([]byte(id), data)
	})
}

// plan returns the stored plan, or nil when there is none yet.
func (x *index) plan(id string) (*plan, error) {
	var p *plan
	err := x.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketPlans).Get([]byte(id))
		if v == nil {
			return nil
		}
		p = new(plan)
		if err := json.Unmarshal(v, p); err != nil {
			return fmt.Errorf("index plan %q: %w", id, err)
		}
		return nil
	})
	return p, err
}

func (x *index) markDone(id string, segs []segDone) error {
	return x.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.Bucket(bucketSegs).CreateBucketIfNotExists([]byte(id))
		if err != nil {
			return err
		}
		for _, s := range segs {
			v := make([]byte, 12) // bbolt keeps the slice until the commit
			binary.BigEndian.PutUint64(v[:8], uint64(s.rec.Size))
			binary.BigEndian.PutUint32(v[8:], s.rec.CRC)
			if err := b.Put([]byte(s.key), v); err != nil {
				return err
			}
		}
		return nil
	})
}

func (x *index) unmark(id string, keys []string) error {
	return x.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSegs).Bucket([]byte(id))
		if b == nil {
			return nil
		}
		for _, k := range keys {
			if err := b.Delete([]byte(k)); err != nil {
				return err
			}
		}
		return nil
	})
}

func (x *index) done(id string) (map[string]segRec, error) {
	out := make(map[string]segRec)
	err := x.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSegs).Bucket([]byte(id))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			if len(v) != 12 {
				return fmt.Errorf("index segment %q of %q: %d bytes", k, id, len(v))
			}
			out[string(k)] = segRec{Size: int64(binary.BigEndian.Uint64(v[:8])), CRC: binary.BigEndian.Uint32(v[8:])}
			return nil
		})
	})
	return out, err
}

func (x *index) delete(id string) error {
	return x.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketDownloads).Delete([]byte(id)); err != nil {
			return err
		}
		if err := tx.Bucket(bucketPlans).Delete([]byte(id)); err != nil {
			return err
		}
		if err := tx.Bucket(bucketSegs).DeleteBucket([]byte(id)); err != nil && !errors.Is(err, bolterr.ErrBucketNotFound) {
			return err
		}
		return nil
	})
}
