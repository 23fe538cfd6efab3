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
	f.Fuzz(func(t *testing.T, data []byte) {
		topo, err := Parse(data, "fuzz.yaml")
		if err == nil && len(topo.Edges()) == 0 {
			t.Fatalf("Parse accepted a topology without edges")
		}
	})
}
