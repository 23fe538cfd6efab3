package edge

import (
	"container/list"
	"context"
	"sort"
	"sync"
	"time"
)

// FillTimeout bounds one origin fetch made on behalf of coalesced misses.
const FillTimeout = 30 * time.Second

// Cache is a byte-bounded LRU cache of files keyed by title and path.
// Concurrent misses for the same key share one fill.
type Cache struct {
	mu       sync.Mutex
	max      int64
	size     int64
	ll       *list.List
	items    map[string]*list.Element
	titles   map[string]int64
	inflight map[string]*call
	stats    CacheStats
}

// CacheStats counts cache outcomes.
type CacheStats struct {
	Hits, Misses, Coalesced, Evictions int64
	Bytes, Items                       int64
}

type entry struct {
	key, title string
	data       []byte
}

type call struct {
	done chan struct{}
	data []byte
	err  error
}

// NewCache returns a cache holding at most maxBytes.
func NewCache(maxBytes int64) *Cache {
	return &Cache{max: maxBytes, ll: list.New(), items: map[string]*list.Element{}, titles: map[string]int64{}, inflight: map[string]*call{}}
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
// cancelled viewer does not fail the others waiting for it.
func (c *Cache) Get(ctx context.Context, title, file string, fill func(context.Context) ([]byte, error)) ([]byte, Outcome, error) {
	key := title + "/" + file
	c.mu.Lock()
	if el, ok := c.items[key]; ok {
		c.ll.MoveToFront(el)
		c.stats.Hits++
		data := el.Value.(*entry).data
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
		c.add(key, title, cl.data)
	}
	c.mu.Unlock()
	close(cl.done)
	return cl.data, Miss, cl.err
}

// add stores data, evicting from the back; caller holds mu.
func (c *Cache) add(key, title string, data []byte) {
	n := int64(len(data))
	if n > c.max {
		return
	}
	for c.size+n > c.max {
		back := c.ll.Back()
		e := back.Value.(*entry)
		c.ll.Remove(back)
		delete(c.items, e.key)
		c.size -= int64(len(e.data))
		if c.titles[e.title] -= int64(len(e.data)); c.titles[e.title] <= 0 {
			delete(c.titles, e.title)
		}
		c.stats.Evictions++
	}
	c.items[key] = c.ll.PushFront(&entry{key: key, title: title, data: data})
	c.size += n
	c.titles[title] += n
}

// Stats returns the counters and the current size.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Bytes, s.Items = c.size, int64(len(c.items))
	return s
}

// Titles lists titles with bytes in the cache, sorted.
func (c *Cache) Titles() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.titles))
	for t := range c.titles {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Purge empties the cache (counters are kept).
func (c *Cache) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ll.Init()
	c.items = map[string]*list.Element{}
	c.titles = map[string]int64{}
	c.size = 0
}
