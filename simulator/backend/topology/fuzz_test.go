package topology

import (
	"os"
	"testing"
)

func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile("testdata/default.yaml"); err == nil {
		f.Add(data)
	}
	f.Add([]byte("regions:\n  - id: eu\n    edges: [{id: e1, capacity: 1Gbps}]\n"))
	f.Add([]byte("regions: [\n"))
	f.Add([]byte("memory_budget: 2GiB\nregions: [{id: eu, edges: [{id: e1}, {id: e2, cache_size: 64MiB}]}]\n"))
	f.Add([]byte("catalog: {generate: 5, release: {at: 3m, rows: 2, titles: 4}}\nregions: [{id: eu, edges: [{id: e1}]}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		topo, err := Parse(data, "fuzz.yaml")
		if err == nil && len(topo.Edges()) == 0 {
			t.Fatalf("Parse accepted a topology without edges")
		}
		if err == nil && topo.Catalog.Release != nil && badRelease(*topo.Catalog.Release) {
			t.Fatalf("Parse accepted a bad release %+v", *topo.Catalog.Release)
		}
	})
}

func badRelease(r Release) bool {
	return r.At < 0 || r.Rows < 0 || r.Titles < 0 || r.Rows+r.Titles == 0
}
