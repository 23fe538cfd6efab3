package netsim

import (
	"fmt"
	"math"
	"time"
)

// Scheduler is where the network puts its timed events (a des.Engine).
type Scheduler interface {
	Schedule(at time.Duration, kind uint8, id int32, gen uint32)
}

// FlowID names an active flow.
type FlowID int32

// Done is a finished flow, given to the network's completion callback.
type Done struct {
	Flow    FlowID
	Tag     int64 // the caller's tag given to Start
	Edge    int
	Bytes   int64
	Started time.Duration
}

const (
	groupFree uint8 = iota
	groupA          // limited by its own access link: rate = cap
	groupB          // limited by the edge: rate = the edge's fair level
)

type flow struct {
	cap     float64 // access capacity now, bytes/s
	rem     float64 // bytes left at lastT (group A)
	finS    float64 // edge service counter value at which it is done (group B)
	next    time.Duration
	at      time.Duration // time of the flow's pending event; Never when none
	lastT   time.Duration
	started time.Duration
	tag     int64
	link    Link
	bytes   int64
	edge    int32
	posA    int32
	posBc   int32
	posBf   int32
	idx     int32 // trace interval of cap
	gen     uint32
	group   uint8
}

type edge struct {
	capacity float64 // bytes/s
	level    float64 // fair share of group B flows; +Inf when uncongested
	s        float64 // service each group B flow has received since the start
	lastS    time.Duration
	sumA     float64
	a        iheap // group A by cap, largest first
	bc       iheap // group B by cap, smallest first
	bf       iheap // group B by finS, smallest first
	gen      uint32
	at       time.Duration // time of the edge's pending event; Never when none
	bytes    float64       // delivered bytes (completed flows)
}

// Network is a flow-level model: every flow crosses one access link and
// one edge; an edge's capacity is shared max-min fairly by its flows, each
// also capped by its access link. Rates are recomputed by water-filling
// when a flow starts or ends, when an access link changes rate and when an
// edge's capacity changes. Each edge keeps its flows in two groups —
// limited by their own link, or by the edge's fair level — so a change
// costs O(log n) per flow that moves between groups, not O(n).
type Network struct {
	sched    Scheduler
	flowKind uint8
	edgeKind uint8
	onDone   func(now time.Duration, d Done)
	edges    []edge
	flows    []flow
	free     []int32
	active   int
}

// New returns a network that schedules its events on s with the two given
// event kinds and reports finished flows to onDone.
func New(s Scheduler, flowKind, edgeKind uint8, onDone func(now time.Duration, d Done)) *Network {
	return &Network{sched: s, flowKind: flowKind, edgeKind: edgeKind, onDone: onDone}
}

// AddEdge adds an edge of capacity bits/s and returns its index.
func (n *Network) AddEdge(bps float64) int {
	i := len(n.edges)
	n.edges = append(n.edges, edge{capacity: bps / 8, level: math.Inf(1), at: Never})
	e := &n.edges[i]
	e.a = iheap{less: func(x, y int32) bool { return n.flows[x].cap > n.flows[y].cap }, pos: func(id int32) *int32 { return &n.flows[id].posA }}
	e.bc = iheap{less: func(x, y int32) bool { return n.flows[x].cap < n.flows[y].cap }, pos: func(id int32) *int32 { return &n.flows[id].posBc }}
	e.bf = iheap{less: func(x, y int32) bool { return n.flows[x].finS < n.flows[y].finS }, pos: func(id int32) *int32 { return &n.flows[id].posBf }}
	return i
}

// Active is the number of flows in progress.
func (n *Network) Active() int { return n.active }

// EdgeFlows is the number of flows in progress on edge i.
func (n *Network) EdgeFlows(i int) int { return n.edges[i].a.len() + n.edges[i].bc.len() }

// EdgeBytes is the bytes edge i delivered in completed flows.
func (n *Network) EdgeBytes(i int) float64 { return n.edges[i].bytes }

// SetCapacity changes edge i's capacity (bits/s) from now on.
func (n *Network) SetCapacity(now time.Duration, i int, bps float64) {
	e := &n.edges[i]
	n.advance(e, now)
	e.capacity = bps / 8
	n.rebalance(int32(i), now)
}

// Start begins a transfer of size bytes over link to edge i at now. Tag is
// returned in Done.
func (n *Network) Start(now time.Duration, i int, link Link, size int64, tag int64) FlowID {
	var id int32
	if k := len(n.free); k > 0 {
		id = n.free[k-1]
		n.free = n.free[:k-1]
	} else {
		n.flows = append(n.flows, flow{})
		id = int32(len(n.flows) - 1)
	}
	f := &n.flows[id]
	gen := f.gen + 1
	*f = flow{link: link, rem: float64(size), bytes: size, lastT: now, started: now, tag: tag, edge: int32(i), gen: gen, at: Never, posA: -1, posBc: -1, posBf: -1}
	var idx int
	f.cap, f.next, idx = link.rateHint(now, -1)
	f.idx = int32(idx)
	n.active++
	e := &n.edges[i]
	n.advance(e, now)
	n.toA(id, now)
	n.rebalance(int32(i), now)
	return FlowID(id)
}

// Cancel stops a flow without reporting it.
func (n *Network) Cancel(now time.Duration, id FlowID) {
	f := &n.flows[id]
	if f.group == groupFree {
		return
	}
	ei := f.edge
	n.advance(&n.edges[ei], now)
	n.detach(int32(id))
	n.release(int32(id))
	n.rebalance(ei, now)
}

// Remaining returns the bytes a flow still has to transfer at now.
func (n *Network) Remaining(now time.Duration, id FlowID) float64 {
	f := &n.flows[id]
	switch f.group {
	case groupA:
		return math.Max(0, f.rem-f.cap*(now-f.lastT).Seconds())
	case groupB:
		e := &n.edges[f.edge]
		s := e.s
		if !math.IsInf(e.level, 1) {
			s += e.level * (now - e.lastS).Seconds()
		}
		return math.Max(0, f.finS-s)
	}
	return 0
}

// EdgeTags returns the tags of the flows in progress on edge i.
func (n *Network) EdgeTags(i int) []int64 {
	e := &n.edges[i]
	var out []int64
	for _, id := range e.a.ids {
		out = append(out, n.flows[id].tag)
	}
	for _, id := range e.bc.ids {
		out = append(out, n.flows[id].tag)
	}
	return out
}

// Handle processes an event of one of the network's kinds; it reports
// false for events that are not the network's.
func (n *Network) Handle(now time.Duration, kind uint8, id int32, gen uint32) bool {
	switch kind {
	case n.flowKind:
		n.flowEvent(now, id, gen)
	case n.edgeKind:
		n.edgeEvent(now, id, gen)
	default:
		return false
	}
	return true
}

func (n *Network) advance(e *edge, now time.Duration) {
	if e.bc.len() > 0 && !math.IsInf(e.level, 1) && now > e.lastS {
		e.s += e.level * (now - e.lastS).Seconds()
	}
	e.lastS = now
}

// toA puts a flow (with rem valid at now) into group A and schedules its event.
func (n *Network) toA(id int32, now time.Duration) {
	f := &n.flows[id]
	e := &n.edges[f.edge]
	f.group = groupA
	f.lastT = now
	e.sumA += f.cap
	e.a.push(id)
	n.scheduleFlow(id, now)
}

func (n *Network) toB(id int32, now time.Duration) {
	f := &n.flows[id]
	e := &n.edges[f.edge]
	f.group = groupB
	e.bc.push(id)
	e.bf.push(id)
	n.scheduleFlow(id, now)
}

// detach removes a flow from its group, leaving rem valid at now.
func (n *Network) detach(id int32) {
	f := &n.flows[id]
	e := &n.edges[f.edge]
	switch f.group {
	case groupA:
		e.a.remove(id)
		e.sumA -= f.cap
		if e.a.len() == 0 {
			e.sumA = 0
		}
		f.rem = math.Max(0, f.rem-f.cap*(e.lastS-f.lastT).Seconds())
	case groupB:
		e.bc.remove(id)
		e.bf.remove(id)
		f.rem = math.Max(0, f.finS-e.s)
	}
	f.lastT = e.lastS
	f.group = groupFree
}

func (n *Network) release(id int32) {
	f := &n.flows[id]
	f.group = groupFree
	f.gen++
	f.at = Never
	f.link = Link{}
	n.free = append(n.free, id)
	n.active--
}

// scheduleFlow makes the flow's pending event the one at its next
// completion or rate change. An event already pending at that time stands
// (its handler looks at the flow's state when it runs), so a move between
// groups that does not change the time schedules nothing.
func (n *Network) scheduleFlow(id int32, now time.Duration) {
	f := &n.flows[id]
	at := f.next
	if f.group == groupA && f.cap > 0 {
		if fin := now + durationOf(f.rem/f.cap); fin < at {
			at = fin
		}
	}
	if at == f.at {
		return
	}
	f.gen++
	f.at = at
	if at != Never {
		n.sched.Schedule(at, n.flowKind, id, f.gen)
	}
}

func durationOf(sec float64) time.Duration {
	d := math.Ceil(sec * 1e9)
	if d >= float64(Never) {
		return Never / 2
	}
	return time.Duration(d)
}

const doneBytes = 0.5 // a flow within half a byte of its end is done

func (n *Network) flowEvent(now time.Duration, id int32, gen uint32) {
	if int(id) >= len(n.flows) {
		return
	}
	f := &n.flows[id]
	if f.gen != gen || f.group == groupFree {
		return
	}
	f.at = Never // this event is consumed
	e := &n.edges[f.edge]
	n.advance(e, now)
	if f.group == groupA {
		rem := f.rem - f.cap*(now-f.lastT).Seconds()
		if rem <= doneBytes {
			n.finish(id, now)
			return
		}
	}
	// The access link changes rate: take the flow out and put it back.
	n.detach(id)
	var idx int
	f.cap, f.next, idx = f.link.rateHint(now, int(f.idx))
	f.idx = int32(idx)
	n.toA(id, now)
	n.rebalance(f.edge, now)
}

func (n *Network) edgeEvent(now time.Duration, ei int32, gen uint32) {
	e := &n.edges[ei]
	if e.gen != gen {
		return
	}
	e.at = Never // this event is consumed
	n.advance(e, now)
	finished := false
	for e.bf.len() > 0 {
		id := e.bf.top()
		if n.flows[id].finS-e.s > doneBytes {
			break
		}
		n.finish(id, now)
		finished = true
	}
	if !finished {
		n.rebalance(ei, now)
	}
}

func (n *Network) finish(id int32, now time.Duration) {
	f := &n.flows[id]
	ei := f.edge
	n.detach(id)
	d := Done{Flow: FlowID(id), Tag: f.tag, Edge: int(ei), Bytes: f.bytes, Started: f.started}
	n.edges[ei].bytes += float64(f.bytes)
	n.release(id)
	n.rebalance(ei, now)
	n.onDone(now, d)
}

// rebalance recomputes the fair level of edge ei by water-filling and
// reschedules the edge's next group-B completion. e.s must be current.
func (n *Network) rebalance(ei int32, now time.Duration) {
	e := &n.edges[ei]
	for iter := 0; ; iter++ {
		if iter > 4*(e.a.len()+e.bc.len())+16 {
			panic(fmt.Sprintf("netsim: water-filling did not converge on edge %d", ei))
		}
		nb := e.bc.len()
		if nb == 0 {
			if e.sumA <= e.capacity || e.a.len() == 0 {
				e.level = math.Inf(1)
				break
			}
			n.moveAB(e.a.top(), now)
			continue
		}
		e.level = math.Max(0, (e.capacity-e.sumA)/float64(nb))
		if e.a.len() > 0 && n.flows[e.a.top()].cap > e.level {
			n.moveAB(e.a.top(), now)
			continue
		}
		if id := e.bc.top(); n.flows[id].cap < e.level {
			n.detach(id)
			n.toA(id, now)
			continue
		}
		break
	}
	at := Never
	if e.bf.len() > 0 && e.level > 0 {
		left := n.flows[e.bf.top()].finS - e.s
		at = now + durationOf(math.Max(0, left)/e.level)
	}
	if at == e.at {
		return // the pending event stands
	}
	e.gen++
	e.at = at
	if at != Never {
		n.sched.Schedule(at, n.edgeKind, ei, e.gen)
	}
}

func (n *Network) moveAB(id int32, now time.Duration) {
	n.detach(id)
	f := &n.flows[id]
	e := &n.edges[f.edge]
	f.finS = e.s + f.rem
	n.toB(id, now)
}
