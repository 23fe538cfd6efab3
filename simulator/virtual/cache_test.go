package virtual

import "testing"

func TestCache(t *testing.T) {
	c := newLRU(100)
	steps := []struct {
		key  uint64
		size int64
		hit  bool
	}{
		{1, 40, false},
		{2, 40, false},
		{1, 40, true},  // 1 is now referenced
		{3, 40, false}, // evicts 2 (1 gets a second chance)
		{1, 40, true},
		{2, 40, false},
		{4, 200, false}, // larger than the cache: never stored
		{4, 200, false},
	}
	for i, s := range steps {
		if got := c.touch(s.key, s.size); got != s.hit {
			t.Errorf("step %d: touch(%d) = %v; want %v", i, s.key, got, s.hit)
		}
		if c.used > c.capacity {
			t.Fatalf("step %d: used %d > capacity %d", i, c.used, c.capacity)
		}
	}
}
