package virtual

// lru is a byte-bounded cache of object keys, the model of an edge
// cache's content. It evicts with CLOCK (second chance), an approximation
// of least-recently-used whose hits only set a bit, so a hit costs one map
// lookup and no pointer chasing.
type lru struct {
	capacity int64
	used     int64
	index    map[uint64]int32
	nodes    []lruNode
	free     []int32
	hand     int
}

type lruNode struct {
	key  uint64
	size int64
	ref  bool
	live bool
}

func newLRU(capacity int64) *lru {
	return &lru{capacity: capacity, index: map[uint64]int32{}}
}

// touch looks key up; on a hit it is marked recently used. On a miss the
// object is added (evicting others) and false is returned.
func (c *lru) touch(key uint64, size int64) bool {
	if i, ok := c.index[key]; ok {
		c.nodes[i].ref = true
		return true
	}
	if size > c.capacity {
		return false
	}
	for c.used+size > c.capacity && len(c.nodes) > 0 {
		if c.hand >= len(c.nodes) {
			c.hand = 0
		}
		n := &c.nodes[c.hand]
		switch {
		case n.live && n.ref:
			n.ref = false
		case n.live:
			delete(c.index, n.key)
			c.used -= n.size
			n.live = false
			c.free = append(c.free, int32(c.hand))
		}
		c.hand++
	}
	var i int32
	if k := len(c.free); k > 0 {
		i = c.free[k-1]
		c.free = c.free[:k-1]
	} else {
		c.nodes = append(c.nodes, lruNode{})
		i = int32(len(c.nodes) - 1)
	}
	c.nodes[i] = lruNode{key: key, size: size, live: true}
	c.index[key] = i
	c.used += size
	return false
}

// fnv64 hashes s (FNV-1a).
func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
