package edge

// Slab sizes: a cache's slabs are a sixteenth of its size, within these
// bounds (and never more than the cache itself).
const (
	minSlab = 64 << 10
	maxSlab = 4 << 20
)

// slabStore holds small files packed one after another in large byte
// slabs, and an index whose only pointers are the keys: the collector marks
// a handful of slabs instead of one object (plus list and map entries) per
// file. A file larger than a sixteenth of a slab (every media segment of a
// large cache) is a slab of its own: the fill's buffer itself when it has
// little spare capacity (no copy), else an exact copy. A shared slab's
// unused tail stays under a sixteenth of it.
//
// Shared slabs are pooled: one evicted while no reader holds it (see
// [Cache.Acquire]) becomes the next shared slab, so a full cache that
// keeps evicting allocates nothing for small files; one still read is left
// to the collector once its readers are done, as are slabs handed out
// without a release ([Cache.Get]).
//
// The store is not safe for concurrent use; [Cache] guards it.
type slabStore struct {
	max, slabSize int64

	index map[string]uint32 // key -> slot
	slots []slot
	free  []uint32 // unused slot numbers

	fifo   []*slab // oldest first
	byID   map[uint32]*slab
	active *slab    // where small files are appended
	spare  [][]byte // evicted shared slabs no one reads (counted in reserved)
	nextID uint32

	titleIDs   map[string]uint32
	titleNames []string
	titleBytes []int64

	bytes, items, reserved, evictions int64
	made                              int64 // shared slabs allocated
}

// slot is one stored file; its key is its only pointer.
type slot struct {
	key        string
	slab       uint32
	off, n     uint32 // where the data is in the slab
	title      uint32
	hot, alive bool // hot: read since its slab was last considered
}

type slab struct {
	id    uint32
	buf   []byte   // len: bytes used; cap: the slab's size
	slots []uint32 // slots written into it (some may be gone since)
	// shared: a slab of small files, of the store's slab size (pooled);
	// refs: readers holding its bytes; pinned: handed out without a
	// release, so never reused.
	shared, pinned bool
	refs           int32
}

func newSlabStore(limit int64) *slabStore {
	size := min(max(limit/16, minSlab), maxSlab, limit)
	return &slabStore{max: limit, slabSize: size,
		index: map[string]uint32{}, byID: map[uint32]*slab{}, titleIDs: map[string]uint32{}}
}

// get returns the data stored under key and its slab, and marks it hot.
func (s *slabStore) get(key string) ([]byte, *slab, bool) {
	i, ok := s.index[key]
	if !ok {
		return nil, nil, false
	}
	st := &s.slots[i]
	st.hot = true
	end := st.off + st.n
	sl := s.byID[st.slab]
	return sl.buf[st.off:end:end], sl, true
}

// put stores a copy of data under key (or data itself, see slabStore);
// false when the file cannot fit in the store at all.
func (s *slabStore) put(key, title string, data []byte) bool {
	need := int64(len(data))
	if need > s.max || need > 1<<32-1 {
		return false
	}
	if i, ok := s.index[key]; ok {
		s.drop(i)
	}
	var sl *slab
	off := 0
	switch {
	case need > s.slabSize/16 && int64(cap(data)) <= need+need/8 && int64(cap(data)) <= s.max:
		sl = s.newSlab(data[:len(data):cap(data)]) // adopt the fill's buffer
	case need > s.slabSize/16:
		sl = s.newSlab(append(make([]byte, 0, need), data...))
	default:
		if s.active == nil || int64(cap(s.active.buf)-len(s.active.buf)) < need {
			s.active = s.sharedSlab()
		}
		sl = s.active
		off = len(sl.buf)
		sl.buf = append(sl.buf, data...)
	}
	i := s.slot()
	s.slots[i] = slot{key: key, slab: sl.id, off: uint32(off), n: uint32(len(data)), title: s.titleID(title), alive: true}
	sl.slots = append(sl.slots, i)
	s.index[key] = i
	s.bytes += need
	s.items++
	s.titleBytes[s.slots[i].title] += need
	return true
}

// newSlab makes room for buf's capacity and adds a slab made of it.
func (s *slabStore) newSlab(buf []byte) *slab {
	size := int64(cap(buf))
	for s.reserved+size > s.max {
		if n := len(s.spare); n > 0 { // a spare slab is memory too
			s.spare[n-1] = nil
			s.spare = s.spare[:n-1]
			s.reserved -= s.slabSize
			continue
		}
		s.evictOne()
	}
	s.reserved += size
	return s.addSlab(buf)
}

// sharedSlab adds an empty slab for small files: a spare one when there
// is (evicting to make one when the store is full), else a new one.
func (s *slabStore) sharedSlab() *slab {
	for len(s.spare) == 0 && s.reserved+s.slabSize > s.max {
		s.evictOne()
	}
	var sl *slab
	if n := len(s.spare); n > 0 {
		buf := s.spare[n-1][:0]
		s.spare[n-1] = nil
		s.spare = s.spare[:n-1]
		sl = s.addSlab(buf) // already counted in reserved
	} else {
		s.reserved += s.slabSize
		s.made++
		sl = s.addSlab(make([]byte, 0, s.slabSize))
	}
	sl.shared = true
	return sl
}

func (s *slabStore) addSlab(buf []byte) *slab {
	sl := &slab{id: s.nextID, buf: buf}
	s.nextID++
	s.fifo = append(s.fifo, sl)
	s.byID[sl.id] = sl
	return sl
}

// evictOne drops the oldest slab whose files were not read since it was
// last considered; a slab with a hot file moves to the back instead, its
// files cooled. It ends: each pass cools every slab it passes over.
func (s *slabStore) evictOne() {
	for {
		sl := s.fifo[0]
		n := copy(s.fifo, s.fifo[1:]) // no stale pointer left behind
		s.fifo[n] = nil
		s.fifo = s.fifo[:n]
		hot := false
		for _, i := range sl.slots {
			if st := &s.slots[i]; st.alive && st.slab == sl.id && st.hot {
				st.hot, hot = false, true
			}
		}
		if hot && len(s.fifo) > 0 {
			s.fifo = append(s.fifo, sl)
			continue
		}
		for _, i := range sl.slots {
			if st := &s.slots[i]; st.alive && st.slab == sl.id {
				s.drop(i)
				s.evictions++
			}
		}
		delete(s.byID, sl.id)
		if s.active == sl {
			s.active = nil
		}
		if sl.shared && !sl.pinned && sl.refs == 0 {
			s.spare = append(s.spare, sl.buf) // stays reserved
			return
		}
		// readers still send from it: the collector frees it after them
		s.reserved -= int64(cap(sl.buf))
		return
	}
}

// drop forgets slot i (its bytes stay in the slab until the slab goes).
func (s *slabStore) drop(i uint32) {
	st := &s.slots[i]
	if j, ok := s.index[st.key]; ok && j == i {
		delete(s.index, st.key)
	}
	st.key = ""
	s.bytes -= int64(st.n)
	s.items--
	s.titleBytes[st.title] -= int64(st.n)
	st.alive = false
	s.free = append(s.free, i)
}

func (s *slabStore) slot() uint32 {
	if n := len(s.free); n > 0 {
		i := s.free[n-1]
		s.free = s.free[:n-1]
		return i
	}
	s.slots = append(s.slots, slot{})
	return uint32(len(s.slots) - 1)
}

func (s *slabStore) titleID(t string) uint32 {
	id, ok := s.titleIDs[t]
	if !ok {
		id = uint32(len(s.titleNames))
		s.titleIDs[t] = id
		s.titleNames = append(s.titleNames, t)
		s.titleBytes = append(s.titleBytes, 0)
	}
	return id
}

// titles lists titles with bytes held.
func (s *slabStore) titles() []string {
	var out []string
	for id, n := range s.titleBytes {
		if n > 0 {
			out = append(out, s.titleNames[id])
		}
	}
	return out
}

// purge drops every slab (readers keep theirs until they are done).
func (s *slabStore) purge() {
	ev := s.evictions
	*s = *newSlabStore(s.max)
	s.evictions = ev
}
