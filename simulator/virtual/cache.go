package virtual

// lru is a byte-bounded least-recently-used set of object keys, the
// model of an edge cache's content.
type lru struct {
	capacity int64
	used     int64
	index    map[uint64]int32
	nodes    []lruNode
	free     []int32
	head     int32 // most recent; -1 when empty
	tail     int32
}

type lruNode struct {
	key        uint64
	size       int64
	prev, next int32
}

func newLRU(capacity int64) *lru {
	return &lru{capacity: capacity, index: map[uint64]int32{}, head: -1, tail: -1}
}

// touch looks key up; on a hit it becomes the most recent. On a miss the
// object is added (evicting the least recent ones) and false is returned.
func (c *lru) touch(key uint64, size int64) bool {
	if i, ok := c.index[key]; ok {
		c.unlink(i)
		c.pushFront(i)
		return true
	}
	if size > c.capacity {
		return false
	}
	for c.used+size > c.capacity && c.tail >= 0 {
		t := c.tail
		c.unlink(t)
		delete(c.index, c.nodes[t].key)
		c.used -= c.nodes[t].size
		c.free = append(c.free, t)
	}
	var i int32
	if n := len(c.free); n > 0 {
		i = c.free[n-1]
		c.free = c.free[:n-1]
	} else {
		c.nodes = append(c.nodes, lruNode{})
		i = int32(len(c.nodes) - 1)
	}
	c.nodes[i] = lruNode{key: key, size: size, prev: -1, next: -1}
	c.index[key] = i
	c.used += size
	c.pushFront(i)
	return false
}

func (c *lru) unlink(i int32) {
	n := &c.nodes[i]
	if n.prev >= 0 {
		c.nodes[n.prev].next = n.next
	} else {
		c.head = n.next
	}
	if n.next >= 0 {
		c.nodes[n.next].prev = n.prev
	} else {
		c.tail = n.prev
	}
	n.prev, n.next = -1, -1
}

func (c *lru) pushFront(i int32) {
	n := &c.nodes[i]
	n.prev, n.next = -1, c.head
	if c.head >= 0 {
		c.nodes[c.head].prev = i
	}
	c.head = i
	if c.tail < 0 {
		c.tail = i
	}
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
