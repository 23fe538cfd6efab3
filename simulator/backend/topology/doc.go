// Package topology describes the reference backend as data: regions, the
// edge caches (OCAs) in each region with their capacity, the catalog the
// origin serves, the control plane's capacity and service-time model, and
// the health-report interval.
//
// It has no HTTP code, so the virtual-time simulator can import it to model
// the same backend that package backend runs for real. [Default] returns the
// built-in topology (3 regions x 3 edges, 20 titles); [Load] and [Parse] read
// a YAML file strictly: unknown fields are errors that name file, line and
// field (see [Error]).
//
//	topo, err := topology.Load("backend.yaml")
//	if err != nil {
//		return err // e.g. backend.yaml:7: field "capacty": unknown field
//	}
//	for _, e := range topo.Edges() {
//		fmt.Println(e.Region, e.ID, e.Capacity)
//	}
package topology
