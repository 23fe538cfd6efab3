package netsim

// iheap is an indexed binary heap of flow ids; each flow remembers its
// position through pos so that it can be removed or fixed in O(log n).
type iheap struct {
	ids  []int32
	less func(a, b int32) bool
	pos  func(id int32) *int32
}

func (h *iheap) len() int { return len(h.ids) }

func (h *iheap) top() int32 { return h.ids[0] }

func (h *iheap) push(id int32) {
	h.ids = append(h.ids, id)
	*h.pos(id) = int32(len(h.ids) - 1)
	h.up(len(h.ids) - 1)
}

func (h *iheap) remove(id int32) {
	i := int(*h.pos(id))
	last := len(h.ids) - 1
	if i != last {
		h.swap(i, last)
	}
	h.ids = h.ids[:last]
	*h.pos(id) = -1
	if i != last {
		h.fix(i)
	}
}

func (h *iheap) fix(i int) {
	if !h.down(i) {
		h.up(i)
	}
}

func (h *iheap) swap(i, j int) {
	h.ids[i], h.ids[j] = h.ids[j], h.ids[i]
	*h.pos(h.ids[i]) = int32(i)
	*h.pos(h.ids[j]) = int32(j)
}

func (h *iheap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(h.ids[i], h.ids[p]) {
			return
		}
		h.swap(i, p)
		i = p
	}
}

func (h *iheap) down(i0 int) bool {
	i := i0
	n := len(h.ids)
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && h.less(h.ids[r], h.ids[l]) {
			m = r
		}
		if !h.less(h.ids[m], h.ids[i]) {
			break
		}
		h.swap(i, m)
		i = m
	}
	return i > i0
}
