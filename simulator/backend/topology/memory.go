package topology

import "fmt"

// DefaultMemoryBudget is a backend process's memory budget when neither
// the topology nor the command line gives one: enough for a laptop.
const DefaultMemoryBudget = 1 * GiB

// MinMemoryBudget is the smallest budget accepted: below it the caches
// would hold a few segments each.
const MinMemoryBudget = 64 * MiB

// How a process's memory budget is shared (see docs/memory.md). The edge
// caches of the process get CacheSharePercent of it, divided evenly among
// the edges the process runs; of an edge's part, LiveSharePercent goes to
// its live store and the rest to its VOD cache (the ratio of the former
// fixed defaults, 64MiB to 256MiB). The other half is for everything else
// the process holds (connections, buffers, the origin's packager) and for
// the collector's headroom: a cache is live heap, and the heap may exceed
// what is live by GOGC percent until the memory limit stops it.
const (
	CacheSharePercent = 50
	LiveSharePercent  = 20
)

// EdgeMemory is the memory of one edge's stores, in bytes.
type EdgeMemory struct {
	// Cache bounds the VOD cache, Live the live store.
	Cache, Live ByteSize
}

// SplitBudget is the share of budget of each of edges edges run by one
// process. Every store gets at least 1MiB.
func SplitBudget(budget ByteSize, edges int) EdgeMemory {
	if edges < 1 {
		edges = 1
	}
	per := budget * CacheSharePercent / 100 / ByteSize(edges)
	live := per * LiveSharePercent / 100
	return EdgeMemory{Cache: max(per-live, MiB), Live: max(live, MiB)}
}

// EdgeMemory sizes edge ref's stores for a process that runs edges edges:
// a cache_size set in the topology is kept, the rest comes from the
// memory budget.
func (t *Topology) EdgeMemory(ref EdgeRef, edges int) EdgeMemory {
	m := SplitBudget(t.Budget(), edges)
	if !ref.CacheFromBudget {
		m.Cache = ref.CacheSize
	}
	return m
}

// Budget is the topology's memory budget, DefaultMemoryBudget when unset.
func (t *Topology) Budget() ByteSize {
	if t.MemoryBudget > 0 {
		return t.MemoryBudget
	}
	return DefaultMemoryBudget
}

// CacheWarning says when the caches of the edges in ids, sized by
// EdgeMemory, take more than the budget's cache share (set cache sizes
// can); empty when they fit.
func (t *Topology) CacheWarning(ids []string) string {
	var total ByteSize
	for _, id := range ids {
		ref, ok := t.Edge(id)
		if !ok {
			continue
		}
		m := t.EdgeMemory(ref, len(ids))
		total += m.Cache + m.Live
	}
	if share := t.Budget() * CacheSharePercent / 100; total > share+ByteSize(len(ids))*2*MiB {
		return fmt.Sprintf("edge caches take %s, more than %d%% of the %s memory budget (%s): cache_size is set in the topology; raise memory_budget or lower cache_size",
			total, CacheSharePercent, t.Budget(), share)
	}
	return ""
}

// MarshalYAML leaves out a cache size that ApplyDefaults filled in, so a
// topology written back still sizes that cache from the memory budget.
func (e Edge) MarshalYAML() (any, error) {
	type plain Edge
	p := plain(e)
	if p.CacheFromBudget {
		p.CacheSize = 0
	}
	return p, nil
}
