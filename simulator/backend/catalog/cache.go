package catalog

import (
	"container/list"
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/abrkit/abrkit/simulator/backend/faults"
	"github.com/abrkit/abrkit/simulator/backend/topology"
)

// vnodes is each cache node's points on the ring: enough that a lost
// node's keys spread over the others within a few percent.
const vnodes = 64

// Tier is a memcached-style cache tier: keys are placed on nodes by
// consistent hashing; a down node is skipped, so its keys land on the next
// node clockwise, which does not hold them.
type Tier struct {
	nodes   []*Node
	ring    []uint32
	owner   []int
	ttl     time.Duration
	latency topology.ServiceTime
	now     func() time.Time
	sleep   func(context.Context, time.Duration) error

	mu  sync.Mutex
	rng *rand.Rand
}

// Node is one cache node: an LRU of at most capacity entries, each
// expiring after the tier's TTL.
type Node struct {
	name     string
	capacity int
	down     atomic.Bool

	hits, misses atomic.Int64

	mu  sync.Mutex
	lru *list.List
	idx map[string]*list.Element
}

type entry struct {
	key     string
	val     any
	expires time.Time
}

var _ faults.Target = (*Node)(nil)

func newTier(n, capacity int, ttl time.Duration, lat topology.ServiceTime, now func() time.Time, sleep func(context.Context, time.Duration) error) *Tier {
	t := &Tier{ttl: ttl, latency: lat, now: now, sleep: sleep, rng: rand.New(rand.NewPCG(21, 5))}
	type point struct {
		h    uint32
		node int
	}
	pts := make([]point, 0, n*vnodes)
	for i := range n {
		nd := &Node{name: fmt.Sprintf("cache-%d", i), capacity: capacity, lru: list.New(), idx: map[string]*list.Element{}}
		t.nodes = append(t.nodes, nd)
		for v := range vnodes {
			pts = append(pts, point{hash32(fmt.Sprintf("%s#%d", nd.name, v)), i})
		}
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].h < pts[j].h })
	for _, p := range pts {
		t.ring = append(t.ring, p.h)
		t.owner = append(t.owner, p.node)
	}
	return t
}

// hash32 is FNV-1a with a final mix: plain FNV of near-identical names
// ("cache-0#1", "cache-0#2") clusters on the ring.
func hash32(s string) uint32 {
	h := fnv.New64a()
	h.Write([]byte(s))
	x := h.Sum64()
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return uint32(x)
}

// Nodes returns the tier's nodes.
func (t *Tier) Nodes() []*Node { return t.nodes }

// node returns the live node that owns key, or nil when every node is down.
func (t *Tier) node(key string) *Node {
	if len(t.ring) == 0 {
		return nil
	}
	i := sort.Search(len(t.ring), func(i int) bool { return t.ring[i] >= hash32(key) })
	for k := range len(t.ring) {
		nd := t.nodes[t.owner[(i+k)%len(t.ring)]]
		if !nd.down.Load() {
			return nd
		}
	}
	return nil
}

func (t *Tier) opTime() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.latency.Sample(t.rng)
}

// Get looks key up; d is the modelled time of the round trip.
func (t *Tier) Get(ctx context.Context, key string) (val any, ok bool, d time.Duration) {
	nd := t.node(key)
	if nd == nil {
		return nil, false, 0
	}
	d = t.opTime()
	_ = t.sleep(ctx, d)
	val, ok = nd.get(key, t.now())
	return val, ok, d
}

// Set stores key on its node for ttl (0: the tier's); d is the modelled time.
func (t *Tier) Set(ctx context.Context, key string, val any, ttl time.Duration) time.Duration {
	nd := t.node(key)
	if nd == nil {
		return 0
	}
	d := t.opTime()
	_ = t.sleep(ctx, d)
	if ttl <= 0 {
		ttl = t.ttl
	}
	nd.set(key, val, t.now().Add(ttl))
	return d
}

// Counts returns the hits and misses over every node since the start.
func (t *Tier) Counts() (hits, misses int64) {
	for _, n := range t.nodes {
		hits += n.hits.Load()
		misses += n.misses.Load()
	}
	return hits, misses
}

// HitRatio returns hits/(hits+misses) over every node since the start.
func (t *Tier) HitRatio() float64 {
	var h, m int64
	for _, n := range t.nodes {
		h += n.hits.Load()
		m += n.misses.Load()
	}
	if h+m == 0 {
		return 0
	}
	return float64(h) / float64(h+m)
}

func (n *Node) get(key string, now time.Time) (any, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	el, ok := n.idx[key]
	if ok && now.Before(el.Value.(*entry).expires) {
		n.lru.MoveToFront(el)
		n.hits.Add(1)
		return el.Value.(*entry).val, true
	}
	if ok {
		n.lru.Remove(el)
		delete(n.idx, key)
	}
	n.misses.Add(1)
	return nil, false
}

func (n *Node) set(key string, val any, expires time.Time) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if el, ok := n.idx[key]; ok {
		e := el.Value.(*entry)
		e.val, e.expires = val, expires
		n.lru.MoveToFront(el)
		return
	}
	n.idx[key] = n.lru.PushFront(&entry{key: key, val: val, expires: expires})
	for n.lru.Len() > n.capacity {
		old := n.lru.Back()
		n.lru.Remove(old)
		delete(n.idx, old.Value.(*entry).key)
	}
}

// Name returns the node's name ("cache-0", ...), also its fault target.
func (n *Node) Name() string { return n.name }

// Len returns the entries held.
func (n *Node) Len() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.lru.Len()
}

// Up reports whether the node serves.
func (n *Node) Up() bool { return !n.down.Load() }

// Kill takes the node out: its contents are lost and its keys move to the
// next nodes on the ring.
func (n *Node) Kill() error {
	n.down.Store(true)
	n.mu.Lock()
	n.lru.Init()
	clear(n.idx)
	n.mu.Unlock()
	return nil
}

// Restart brings the node back, empty.
func (n *Node) Restart() error { n.down.Store(false); return nil }

// Impair is a no-op: a cache node is up or down.
func (n *Node) Impair(faults.Impairment) {}
