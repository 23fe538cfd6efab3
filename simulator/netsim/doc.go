// Package netsim is a flow-level network model for the virtual-time
// simulator. Each transfer is a flow across a viewer's access [Link] (a
// shared, read-only bandwidth [Trace] read from a per-viewer offset) and
// one edge. An edge's capacity is shared max-min fairly: a flow gets its
// access rate when that is below the edge's fair level, otherwise the
// level. Rates are recomputed by water-filling on every flow start and
// end, access-rate change and capacity change, with per-edge accounting
// that makes each change O(log n):
//
//	net := netsim.New(engine, kindFlow, kindEdge, func(now time.Duration, d netsim.Done) { ... })
//	e := net.AddEdge(10e9)
//	net.Start(now, e, netsim.Link{Trace: netsim.Constant(20e6)}, 2_000_000, tag)
//
// Traces come from files (Pensieve two-column, Sabre JSON; see
// [LoadTraces]) or are synthetic ([Constant], [RandomWalk]).
package netsim
