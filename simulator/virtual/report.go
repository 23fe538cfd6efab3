package virtual

import (
	"time"

	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/transport"
	"github.com/abrkit/abrkit/simulator/backend/control"
	"github.com/abrkit/abrkit/simulator/backend/edge"
	"github.com/abrkit/abrkit/simulator/backend/topology"
)

// window is what an edge learns between two reports to steering, as the
// real edge counts it: requests, errors, and CMCD (sessions, starvation).
type window struct {
	reqs, errs     int64
	cmcd, starved  int64
	sessions       int
	bytesAtStart   float64 // the network's egress counter when the window opened
	maxConnections int
	last           edge.Report // the report sent when the window opened
}

// reportEvery is the edges' report interval, the real backend's
// HealthInterval/2.
func (sim *Sim) reportEvery() time.Duration {
	h := topology.DefaultHealthInterval
	if t := sim.s.Topology; t != nil && t.HealthInterval > 0 {
		h = t.HealthInterval
	}
	return max(h/2, 10*time.Millisecond)
}

// countCMCD records what a request's CMCD tells its edge. A viewer counts
// as a session once per edge and report window, as the real edge dedupes
// session ids between reports.
func (sim *Sim) countCMCD(now time.Duration, v *viewer, ei int, a *player.Action) {
	if sim.cmcd == transport.CMCDOff {
		return
	}
	sim.rollReports(now)
	w := &sim.edges[ei].win
	st := sim.edges[ei].stat
	w.cmcd++
	if st.CMCDRequests == nil {
		st.CMCDRequests = map[string]int64{}
	}
	st.CMCDRequests[string(a.CMCD.ObjectType)]++
	if a.CMCD.Starved {
		w.starved++
		st.CMCDStarved++
	}
	if v.cmcdEdge != int16(ei) || v.cmcdWin != sim.winN {
		v.cmcdEdge, v.cmcdWin = int16(ei), sim.winN
		w.sessions++
		st.CMCDSessions++
	}
}

// rollReports closes the report windows that ended by now: each edge's
// counts become its report to the modelled steering service.
func (sim *Sim) rollReports(now time.Duration) {
	if now < sim.winEnd {
		return
	}
	every := sim.reportEvery()
	span := every
	if sim.winN == 0 {
		span = now
	}
	for i := range sim.edges {
		e := &sim.edges[i]
		bytes := sim.net.EdgeBytes(i)
		r := edge.Report{ID: e.name, Region: e.region, Healthy: !e.down, Active: sim.net.EdgeFlows(i),
			MaxConnections: e.win.maxConnections, CapacityBps: int64(e.capacity * e.capShare),
			Sessions: e.win.sessions, Starved: e.win.starved, CMCDRequests: e.win.cmcd}
		if span > 0 {
			r.EgressBps = (bytes - e.win.bytesAtStart) * 8 / span.Seconds()
		}
		if e.win.reqs > 0 {
			r.ErrorRatio = float64(e.win.errs) / float64(e.win.reqs)
		}
		e.win = window{bytesAtStart: bytes, maxConnections: e.win.maxConnections, last: r}
	}
	sim.winN++
	sim.winEnd = now - now%every + every
}

// rankRegion orders a region's edges by the real steering's rule
// (control.Rank) over the edges' last reports.
func (sim *Sim) rankRegion(now time.Duration, region string, title string, edges []int) []int {
	sim.rollReports(now)
	states := sim.rankBuf[:0]
	for _, i := range edges {
		states = append(states, control.EdgeState{Report: sim.edges[i].win.last, LastSeen: sim.epoch.Add(now)})
	}
	sim.rankBuf = states
	ranked := control.Rank(states, region, title, sim.epoch.Add(now), time.Hour)
	out := make([]int, 0, len(edges))
	for _, r := range ranked {
		out = append(out, sim.edgeIx[r.ID])
	}
	for _, i := range edges {
		if sim.edges[i].down { // not ranked: the caller puts them last
			out = append(out, i)
		}
	}
	return out
}
