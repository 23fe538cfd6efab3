package edge

import (
	"context"
	"sync"
	"time"
)

// Defaults of the live store.
const (
	DefaultLivePlaylistTTL = 250 * time.Millisecond
	// LiveMediaTTL is how long a live segment or part stays on an edge.
	LiveMediaTTL     = time.Minute
	DefaultLiveBytes = 64 << 20
)

// LiveStats counts live objects fetched from the origin by an edge.
type LiveStats struct {
	// Requests is viewer requests for live objects; Hits were answered
	// from the store and Coalesced waited for another request's fetch.
	Requests, Hits, Coalesced int64
	// Fetches is origin requests; Objects the objects fetched, counting a
	// playlist fetched again after its copy expired as a new object: a
	// fetch while another of the same key is in flight is not one.
	Fetches, Objects int64
}

// PerObject is origin requests per object (1.0 is perfect collapsing).
func (s LiveStats) PerObject() float64 {
	if s.Objects == 0 {
		return 0
	}
	return float64(s.Fetches) / float64(s.Objects)
}

// liveStore holds live playlists and media for short times (the cache
// keeps what it holds until evicted, which live playlists must not be)
// and, when collapsing, makes concurrent misses for one key share one
// origin fetch.
type liveStore struct {
	collapse bool
	max      int64
	now      func() time.Time

	mu       sync.Mutex
	items    map[string]liveItem
	size     int64
	inflight map[string]*call
	stats    LiveStats
}

type liveItem struct {
	data    []byte
	expires time.Time
}

func newLiveStore(collapse bool, maxBytes int64, now func() time.Time) *liveStore {
	return &liveStore{collapse: collapse, max: maxBytes, now: now, items: map[string]liveItem{}, inflight: map[string]*call{}}
}

// get returns the object of key, fetching it with fill when the store
// has no fresh copy; fill runs detached from ctx (bounded by
// FillTimeout) so one viewer leaving does not fail the others.
func (s *liveStore) get(ctx context.Context, key string, ttl time.Duration, fill func(context.Context) ([]byte, error)) ([]byte, Outcome, error) {
	data, cl, out := s.begin(key, false)
	switch out {
	case Hit:
		return data, Hit, nil
	case Coalesced:
		select {
		case <-cl.done:
			return cl.data, Coalesced, cl.err
		case <-ctx.Done():
			return nil, Coalesced, ctx.Err()
		}
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), FillTimeout)
	data, err := fill(fctx)
	cancel()
	s.end(key, cl, data, err, ttl)
	return data, Miss, err
}

// begin looks key up: a fresh copy is a Hit; a fetch of key in flight
// that the request may share is Coalesced (when collapsing, and for a
// streamed request only a streamed fetch); otherwise it is a Miss with a
// new call the caller must run and pass to end. A fetch with none of the
// same key in flight counts as a new object (or a new version of a
// playlist whose copy expired).
func (s *liveStore) begin(key string, stream bool) ([]byte, *call, Outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if data, ok := s.fresh(key); ok {
		return data, nil, Hit
	}
	cl, busy := s.inflight[key]
	if busy && s.collapse && (!stream || cl.g != nil) {
		s.stats.Coalesced++
		return nil, cl, Coalesced
	}
	cl = &call{done: make(chan struct{})}
	if stream {
		cl.g = newGrowing()
	}
	s.stats.Fetches++
	if !busy {
		s.inflight[key] = cl
		s.stats.Objects++
	}
	return nil, cl, Miss
}

// end records the result of cl, the fetch of key begin started, keeps
// it for ttl when it succeeded and wakes whoever shares it.
func (s *liveStore) end(key string, cl *call, data []byte, err error, ttl time.Duration) {
	now := s.now() // a held request's answer is fresh when it arrives
	s.mu.Lock()
	if s.inflight[key] == cl {
		delete(s.inflight, key)
	}
	cl.data, cl.err = data, err
	if err == nil {
		s.put(key, liveItem{data: data, expires: now.Add(ttl)}, now)
	}
	s.mu.Unlock()
	if cl.g != nil {
		cl.g.finish(err)
	}
	close(cl.done)
}

// fresh counts a request and returns the fresh copy of key, if there is
// one. Caller holds mu.
func (s *liveStore) fresh(key string) ([]byte, bool) {
	s.stats.Requests++
	if it, ok := s.items[key]; ok && s.now().Before(it.expires) {
		s.stats.Hits++
		return it.data, true
	}
	return nil, false
}

// put stores it under key, first dropping expired items; an item that
// does not fit is not kept. Caller holds mu.
func (s *liveStore) put(key string, it liveItem, now time.Time) {
	n := int64(len(it.data))
	if old, ok := s.items[key]; ok {
		s.size -= int64(len(old.data))
		delete(s.items, key)
	}
	if s.size+n > s.max {
		for k, v := range s.items {
			if !now.Before(v.expires) {
				s.size -= int64(len(v.data))
				delete(s.items, k)
			}
		}
	}
	if s.size+n > s.max {
		return
	}
	s.items[key] = it
	s.size += n
}

func (s *liveStore) snapshot() LiveStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}
