package topology

import (
	"strings"
	"testing"
)

func TestSplitBudget(t *testing.T) {
	tests := []struct {
		name       string
		budget     ByteSize
		edges      int
		cache, liv ByteSize
	}{
		{"default, nine edges", GiB, 9, 512*MiB/9 - 512*MiB/9*20/100, 512 * MiB / 9 * 20 / 100},
		{"default, one edge", GiB, 1, 512*MiB - 512*MiB/5, 512 * MiB / 5},
		{"4GiB, nine edges", 4 * GiB, 9, 2*GiB/9 - 2*GiB/9/5, 2 * GiB / 9 / 5},
		{"no edges counts one", 100 * MiB, 0, 40 * MiB, 10 * MiB},
		{"tiny budget keeps 1MiB each", 64 * MiB, 100, MiB, MiB},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SplitBudget(tt.budget, tt.edges)
			if got.Cache != tt.cache || got.Live != tt.liv {
				t.Errorf("SplitBudget(%v, %d) = %+v; want cache %v, live %v", tt.budget, tt.edges, got, tt.cache, tt.liv)
			}
			if n := max(tt.edges, 1); tt.cache > MiB && (got.Cache+got.Live)*ByteSize(n) > tt.budget*CacheSharePercent/100 {
				t.Errorf("caches of %d edges take %v, more than the cache share of %v", n, (got.Cache+got.Live)*ByteSize(n), tt.budget)
			}
		})
	}
}

func TestEdgeMemory(t *testing.T) {
	src := `
memory_budget: 2GiB
regions:
  - id: eu
    edges:
      - {id: a}
      - {id: b, cache_size: 100MiB}
`
	topo, err := Parse([]byte(src), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if topo.Budget() != 2*GiB {
		t.Fatalf("Budget() = %v; want 2GiB", topo.Budget())
	}
	a, _ := topo.Edge("a")
	b, _ := topo.Edge("b")
	if !a.CacheFromBudget || b.CacheFromBudget || a.CacheSize != DefaultCacheSize {
		t.Errorf("a = %+v, b = %+v; want a from the budget (virtual model: 256MiB), b set", a, b)
	}
	share := SplitBudget(2*GiB, 2)
	if got := topo.EdgeMemory(a, 2); got != share {
		t.Errorf("EdgeMemory(a) = %+v; want %+v", got, share)
	}
	if got := topo.EdgeMemory(b, 2); got.Cache != 100*MiB || got.Live != share.Live {
		t.Errorf("EdgeMemory(b) = %+v; want the set 100MiB and the live share %v", got, share.Live)
	}
	if w := topo.CacheWarning([]string{"a", "b"}); w != "" {
		t.Errorf("CacheWarning = %q; want none", w)
	}
	topo.Regions[0].Edges[1].CacheSize = 4 * GiB
	if w := topo.CacheWarning([]string{"a", "b"}); !strings.Contains(w, "memory budget") {
		t.Errorf("CacheWarning with a 4GiB cache_size = %q; want a warning", w)
	}
	if d := Default(); d.Budget() != DefaultMemoryBudget || d.MemoryBudget != 0 {
		t.Errorf("Default budget = %v (field %v); want 1GiB, field unset", d.Budget(), d.MemoryBudget)
	}
}

func TestMemoryBudgetInvalid(t *testing.T) {
	for _, v := range []string{"1MiB", "-1GiB", "lots"} {
		_, err := Parse([]byte("memory_budget: "+v+"\nregions: [{id: eu, edges: [{id: a}]}]\n"), "x.yaml")
		if err == nil {
			t.Errorf("memory_budget %s: no error", v)
		}
	}
}
