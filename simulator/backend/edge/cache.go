package edge

import (
	"context"
	"sort"
	"sync"
	"time"
)

// FillTimeout bounds one origin fetch made on behalf of coalesced misses.
const FillTimeout = 30 * time.Second

// Cache is a byte-bounded cache of files keyed by title and path.
// Concurrent misses for the same key share one fill.
//
// Files are packed into large slabs (see [slabStore]) so the collector sees
// a few big pointer-free buffers instead of one object per file, and the
// bytes held are exactly the bytes counted (a fill's spare capacity is not
// kept). Eviction is CLOCK over slabs: the oldest slab goes unless one of
// its files was read since it was last considered, in which case it gets a
// second chance. Slabs of small files are reused once evicted, but never
// while a reader holds one: [Cache.Acquire] counts its readers until they
// release it, and a file returned by [Cache.Get] pins its slab.
type Cache struct {
	mu       sync.Mutex
	store    *slabStore
	inflight map[string]*call
	stats    CacheStats
}

// CacheStats counts cache outcomes.
type CacheStats struct {
	Hits, Misses, Coalesced, Evictions int64
	// Bytes is the size of the files held; Items their number.
	Bytes, Items int64
	// Reserved is the memory of the slabs holding them (unused slab
	// tails, dropped files' bytes and spare slabs included); it never
	// exceeds the cache's size.
	Reserved int64
}

type call struct {
	done chan struct{}
	data []byte
	err  error
	g    *growing // a live object viewers read while it arrives; nil otherwise
}

// NewCache returns a cache holding at most maxBytes.
func NewCache(maxBytes int64) *Cache {
	return &Cache{store: newSlabStore(maxBytes), inflight: map[string]*call{}}
}

// Outcome says how Get found a file.
type Outcome int

// Get outcomes.
const (
	Hit       Outcome = iota // served from the cache
	Miss                     // this call filled it from the origin
	Coalesced                // waited for another call's fill
)

func (o Outcome) String() string {
	return [...]string{"hit", "miss", "coalesced"}[o]
}

// Get returns the file for (title, file), calling fill on a miss. A fill
// runs detached from the caller's context (bounded by FillTimeout) so one
// cancelled viewer does not fail the others waiting for it. The returned
// bytes must not be modified. A hit's slab is never reused afterwards;
// servers use Acquire.
func (c *Cache) Get(ctx context.Context, title, file string, fill func(context.Context) ([]byte, error)) ([]byte, Outcome, error) {
	return c.get(ctx, title, file, fill, nil)
}

// Acquire is Get for a reader that says when it is done with the bytes:
// it must call release (never nil) exactly once, after which the bytes
// may be reused for another file.
func (c *Cache) Acquire(ctx context.Context, title, file string, fill func(context.Context) ([]byte, error)) (data []byte, release func(), _ Outcome, _ error) {
	release = noRelease
	data, out, err := c.get(ctx, title, file, fill, &release)
	return data, release, out, err
}

func noRelease() {}

// get is Get, and Acquire when release is not nil.
func (c *Cache) get(ctx context.Context, title, file string, fill func(context.Context) ([]byte, error), release *func()) ([]byte, Outcome, error) {
	key := title + "/" + file
	c.mu.Lock()
	if data, sl, ok := c.store.get(key); ok {
		c.stats.Hits++
		if release == nil {
			sl.pinned = true
		} else {
			sl.refs++
			*release = func() {
				c.mu.Lock()
				sl.refs--
				c.mu.Unlock()
			}
		}
		c.mu.Unlock()
		return data, Hit, nil
	}
	if cl, ok := c.inflight[key]; ok {
		c.stats.Coalesced++
		c.mu.Unlock()
		select {
		case <-cl.done:
			return cl.data, Coalesced, cl.err
		case <-ctx.Done():
			return nil, Coalesced, ctx.Err()
		}
	}
	cl := &call{done: make(chan struct{})}
	c.inflight[key] = cl
	c.stats.Misses++
	c.mu.Unlock()

	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), FillTimeout)
	cl.data, cl.err = fill(fctx)
	cancel()

	c.mu.Lock()
	delete(c.inflight, key)
	if cl.err == nil {
		// the filler and coalesced waiters keep the fill's own buffer,
		// which only the collector frees: no slab escapes uncounted
		c.store.put(key, title, cl.data)
	}
	c.mu.Unlock()
	close(cl.done)
	return cl.data, Miss, cl.err
}

// Stats returns the counters and the current size.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Evictions = c.store.evictions
	s.Bytes, s.Items, s.Reserved = c.store.bytes, c.store.items, c.store.reserved
	return s
}

// Titles lists titles with bytes in the cache, sorted.
func (c *Cache) Titles() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.store.titles()
	sort.Strings(out)
	return out
}

// Purge empties the cache (counters are kept).
func (c *Cache) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.store.purge()
}
