package virtual

import (
	"math/rand/v2"
	"sort"
)

// ShardBy is Results.ShardBy of a sharded virtual run: each shard owns
// whole regions (their viewers, edges, caches and capacity), so a merge
// of shards behaves like one process.
const ShardBy = "region"

// shardPlan says which shard simulates which viewers. The unit of work
// is a topology region with every viewer homed there: with no more
// shards than regions each region belongs to one shard (the heaviest
// regions first, each to the least loaded shard); with more shards the
// regions are dealt round robin and a region's viewers are split by id
// among its shards, each with the matching slice of its edges' capacity.
type shardPlan struct {
	unit   map[string]int // region name -> unit
	shards [][]int        // unit -> shards that run it
}

func newShardPlan(regions []string, weights []float64, n int) shardPlan {
	p := shardPlan{unit: map[string]int{}}
	var w []float64
	for i, r := range regions {
		u, ok := p.unit[r]
		if !ok {
			u = len(w)
			p.unit[r] = u
			w = append(w, 0)
		}
		w[u] += weights[i]
	}
	units := len(w)
	p.shards = make([][]int, units)
	if n > units {
		for s := 0; s < n; s++ {
			p.shards[s%units] = append(p.shards[s%units], s)
		}
		return p
	}
	order := make([]int, units)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return w[order[a]] > w[order[b]] })
	load := make([]float64, n)
	for _, u := range order {
		best := 0
		for s := 1; s < n; s++ {
			if load[s] < load[best] {
				best = s
			}
		}
		load[best] += w[u]
		p.shards[u] = []int{best}
	}
	return p
}

// owner is the shard that simulates viewer id homed in region.
func (p shardPlan) owner(region string, id int) int {
	ss := p.shards[p.unit[region]]
	return ss[id%len(ss)]
}

// split is how many shards share region's edges.
func (p shardPlan) split(region string) int {
	u, ok := p.unit[region]
	if !ok {
		return 1
	}
	return len(p.shards[u])
}

// viewerRegion is the region viewer id is homed in: the first draw of
// its own random source, as arrive makes it.
func (sim *Sim) viewerRegion(id int) string {
	r := rand.New(rand.NewPCG(sim.seed, uint64(id)+1))
	return sim.regs[pickWeighted(r, sim.regW)]
}
