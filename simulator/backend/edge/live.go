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
	s.mu.Lock()
	if data, ok := s.fresh(key); ok {
		s.mu.Unlock()
		return data, Hit, nil
	}
	cl, busy := s.inflight[key]
	if busy && s.collapse {
		s.stats.Coalesced++
		s.mu.Unlock()
		select {
		case <-cl.done:
			return cl.data, Coalesced, cl.err
		case <-ctx.Done():
			return nil, Coalesced, ctx.Err()
		}
	}
	cl = &call{done: make(chan struct{})}
	s.stats.Fetches++
	if !busy {
		// a fetch with none of the same key in flight: a new object (or
		// a new version of a playlist whose copy expired)
		s.inflight[key] = cl
		s.stats.Objects++
	}
	s.mu.Unlock()

	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), FillTimeout)
	cl.data, cl.err = fill(fctx)
	cancel()

	now := s.now() // a held request's answer is fresh when it arrives
	s.mu.Lock()
	if s.inflight[key] == cl {
		delete(s.inflight, key)
	}
	if cl.err == nil {
		s.put(key, liveItem{data: cl.data, expires: now.Add(ttl)}, now)
	}
	s.mu.Unlock()
	close(cl.done)
	return cl.data, Miss, cl.err
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
