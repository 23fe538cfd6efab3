package topology_test

import (
	"fmt"

	"github.com/abrkit/abrkit/simulator/backend/topology"
)

func ExampleParse() {
	topo, err := topology.Parse([]byte(`
regions:
  - id: eu
    edges:
      - {id: eu-1, capacity: 10Gbps}
      - {id: eu-2, capacity: 1Gbps, cache_size: 64MiB}
`), "backend.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range topo.Edges() {
		fmt.Println(e.Region, e.ID, e.Capacity, e.CacheSize)
	}
	_, err = topology.Parse([]byte("regions: []\nbogus: 1\n"), "bad.yaml")
	fmt.Println(err)
	// Output:
	// eu eu-1 10Gbps 256MiB
	// eu eu-2 1Gbps 64MiB
	// bad.yaml:2: field "bogus": unknown field
}
