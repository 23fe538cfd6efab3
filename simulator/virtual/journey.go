package virtual

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/simulator/backend/catalog"
	"github.com/abrkit/abrkit/simulator/backend/control"
	"github.com/abrkit/abrkit/simulator/backend/faults"
	"github.com/abrkit/abrkit/simulator/journey"
	"github.com/abrkit/abrkit/simulator/results"
	"github.com/abrkit/abrkit/simulator/scenario"
)

// A journey in virtual time: each viewer walks the journey's steps; the
// browse steps are answered by the reference backend's catalog run in
// simulated time (its cache tier, a datastore queue with its concurrency
// limit, the heartbeat pipeline), login and play by the control-plane
// queues, and the play step hands over to the player. While it plays a
// viewer sends a heartbeat every heartbeat interval.

// searchQueries are what virtual viewers search for, as the default
// journey's {{pick:...}}.
var searchQueries = []string{"t1", "t2", "t3", "1", "2"}

type jstep struct {
	name    string
	route   string
	think   scenario.Dist
	next    []jedge
	onError int16
	class   *results.Class // api.<step>; nil for login and play named so
}

type jedge struct {
	to int16 // -1: exit
	w  float64
}

type journeyModel struct {
	steps   []jstep
	start   int16
	cat     *catalog.Catalog
	clk     *clock.Fake
	epoch   time.Time
	ctx     context.Context
	hb      int16         // the heartbeat step, -1 none
	hbEvery time.Duration // while playing
	titles  []string
	targets map[string]faults.Target
	// fallbacks counts home pages answered stale, generic or partial.
	fallbacks int64
	members   int
}

// member is the account a viewer signs in as: members come back, about
// three sessions each over a run (viewer ids modulo a third of the
// viewers), so profiles and homes are found in the cache as they would be.
func (m *journeyModel) member(v *viewer) string {
	return "member-" + strconv.Itoa(int(v.id)%m.members)
}

// stats is the browse plane's account for the results.
func (m *journeyModel) stats() *results.BrowseStats {
	st := m.cat.Stats()
	h, mi := m.cat.Cache.Counts()
	return &results.BrowseStats{CacheHits: h, CacheMisses: mi, DatastoreReads: st.DatastoreReads, DatastoreErrors: st.DatastoreErrs,
		HeartbeatsAccepted: st.Heartbeats.Accepted, HeartbeatsDropped: st.Heartbeats.Dropped, Fallbacks: m.fallbacks}
}

// setupJourney builds the journey model when the scenario has a journey.
func (sim *Sim) setupJourney() error {
	j, err := journey.FromScenario(sim.s)
	if err != nil || j == nil {
		return err
	}
	m := &journeyModel{hb: -1, epoch: sim.epoch, clk: clock.NewFake(sim.epoch), ctx: context.Background(), targets: map[string]faults.Target{}}
	idx := map[string]int16{}
	for i, name := range j.Order {
		idx[name] = int16(i)
	}
	for _, name := range j.Order {
		s := j.Steps[name]
		route, err := journey.Route(s)
		if err != nil {
			return err
		}
		st := jstep{name: name, route: route, think: s.Think, onError: -1}
		if e, ok := idx[s.OnError]; ok {
			st.onError = e
		}
		for _, e := range s.Next {
			to := int16(-1)
			if k, ok := idx[e.To]; ok {
				to = k
			}
			st.next = append(st.next, jedge{to, e.Weight})
		}
		if !(route == journey.RouteLogin && name == "login") && !(route == journey.RoutePlay && name == "play") {
			cn := "api." + name
			if sim.res.Classes[cn] == nil {
				sim.res.Classes[cn] = &results.Class{Latency: results.NewHistogram()}
			}
			st.class = sim.res.Classes[cn]
		}
		if route == journey.RouteHeartbeat && m.hb < 0 {
			m.hb = int16(len(m.steps))
			m.hbEvery = s.Think.MeanValue()
			if m.hbEvery <= 0 {
				m.hbEvery = 30 * time.Second
			}
		}
		m.steps = append(m.steps, st)
	}
	m.start = idx[j.Start]
	m.members = max(1, (sim.s.Viewers.Count+2)/3)
	for _, t := range sim.lib.cat.Titles {
		m.titles = append(m.titles, t.ID)
	}
	b := sim.s.Topology.ControlPlane.Breaker
	// the heartbeat pipeline sized as the gateway's telemetry pipeline
	cc := catalog.Config{Titles: m.titles, Clock: m.clk, Virtual: true, PartitionCapacity: sim.s.Topology.ControlPlane.EventQueue,
		Breaker: func() catalog.Breaker { return control.NewBreaker(b.Failures, b.Cooldown) }}
	if r := sim.s.Topology.Catalog.Release; r != nil {
		cc.Release = *r
	}
	m.cat, err = catalog.New(cc)
	if err != nil {
		return err
	}
	for _, n := range m.cat.Cache.Nodes() {
		m.targets[n.Name()] = n
	}
	m.targets[catalog.TargetDatastore] = m.cat.Datastore
	m.targets[catalog.TargetConsumers] = m.cat.Pipeline
	sim.jr = m
	return nil
}

// at sets the catalog's clock to the simulated time now.
func (m *journeyModel) at(now time.Duration) {
	if t := m.epoch.Add(now); t.After(m.clk.Now()) {
		m.clk.Set(t)
	}
}

// journeyStep runs the viewer's current step at now.
func (sim *Sim) journeyStep(now time.Duration, slot int32) {
	m := sim.jr
	v := &sim.vs[slot]
	st := &m.steps[v.jstep]
	switch st.route {
	case journey.RouteWait:
		sim.journeyNext(now, slot, true, 0)
		return
	case journey.RouteLogin:
		v.phase, v.jsent = phaseLogin, now
		sim.sendCall(now, slot, 0)
		return
	case journey.RoutePlay:
		v.arrive = now
		if a := sim.s.Session.AbandonAfter.D(); a > 0 {
			sim.eng.Schedule(now+a, evAbandon, slot, v.life)
		}
		v.phase, v.jsent = phasePlayAPI, now
		sim.sendCall(now, slot, 1)
		return
	}
	m.at(now)
	d, ok := sim.catalogCall(v, st.route)
	lat := d + v.rtt
	sim.recordStep(st, now, lat, ok)
	sim.journeyNext(now, slot, ok, lat)
}

// recordStep accounts one request of a step sent at now.
func (sim *Sim) recordStep(st *jstep, now, lat time.Duration, ok bool) {
	if st.class != nil {
		st.class.Add(lat, !ok)
	}
	b := sim.res.Bucket(now)
	b.Requests++
	if !ok {
		b.Errors++
	}
	sim.res.StepBucket(st.name, now).Add(lat, !ok)
}

// catalogCall sends one browse request to the catalog model; d is its
// modelled time, ok whether it was answered with success.
func (sim *Sim) catalogCall(v *viewer, route string) (time.Duration, bool) {
	m := sim.jr
	c := m.cat
	r := v.rng
	var d time.Duration
	var err error
	switch route {
	case journey.RouteHome:
		var h catalog.Home
		h, d, err = c.Home(m.ctx, m.member(v))
		if h.Fallback != "" {
			m.fallbacks++
		}
	case journey.RouteRows:
		// as the default journey: one of the rows listed now, page 1 to 3
		_, d, err = c.Row(m.ctx, "row-"+strconv.Itoa(r.IntN(c.Rows())), 1+r.IntN(3))
	case journey.RouteSearch:
		_, d, err = c.Search(m.ctx, searchQueries[r.IntN(len(searchQueries))])
	case journey.RouteDetails:
		titles := c.Titles()
		_, d, err = c.Title(m.ctx, titles[r.IntN(len(titles))])
	case journey.RouteHeartbeat:
		_, ok := c.OfferHeartbeat(catalog.Heartbeat{Session: "s" + strconv.Itoa(int(v.id))})
		return 0, ok
	}
	return d, err == nil
}

// journeyNext moves the viewer on after its step: the next step after
// the step's think time, or the end of its session.
func (sim *Sim) journeyNext(now time.Duration, slot int32, ok bool, lat time.Duration) {
	m := sim.jr
	v := &sim.vs[slot]
	st := &m.steps[v.jstep]
	next := int16(-1)
	switch {
	case !ok:
		next = st.onError
	case len(st.next) > 0:
		w := make([]float64, 0, 8)
		for _, e := range st.next {
			w = append(w, e.w)
		}
		next = st.next[pickWeighted(v.rng, w)].to
	}
	if next < 0 {
		v.jstep = -1
		sim.eng.Schedule(now+lat, evJourney, slot, v.life)
		return
	}
	v.jstep = next
	v.phase = phaseBrowse
	sim.eng.Schedule(now+lat+st.think.Sample(v.rng), evJourney, slot, v.life)
}

// journeyEvent continues a browsing viewer.
func (sim *Sim) journeyEvent(now time.Duration, slot int32, life uint32) {
	v := &sim.vs[slot]
	if v.life != life || v.phase != phaseBrowse {
		return
	}
	if v.jstep < 0 {
		sim.finish(slot, now, outcomeBrowsed)
		return
	}
	sim.journeyStep(now, slot)
}

// journeyAnswer takes a login or play answer of a journey viewer; false
// when the session goes on as without a journey (play).
func (sim *Sim) journeyAnswer(now time.Duration, slot int32, svc uint8, status int) bool {
	if sim.jr == nil || svc != 0 {
		return false
	}
	v := &sim.vs[slot]
	st := &sim.jr.steps[v.jstep]
	ok := status/100 == 2
	if st.class != nil {
		// the login service's own class counts the request once more
		st.class.Add(now-v.jsent, !ok)
	}
	sim.res.StepBucket(st.name, v.jsent).Add(now-v.jsent, !ok)
	sim.journeyNext(now, slot, ok, 0)
	return true
}

// startHeartbeats schedules a playing viewer's heartbeats.
func (sim *Sim) startHeartbeats(now time.Duration, slot int32) {
	if m := sim.jr; m != nil && m.hb >= 0 {
		sim.eng.Schedule(now+m.hbEvery, evHeartbeat, slot, sim.vs[slot].life)
	}
}

// heartbeat sends a playing viewer's heartbeat into the pipeline.
func (sim *Sim) heartbeat(now time.Duration, slot int32, life uint32) {
	v := &sim.vs[slot]
	if v.life != life || v.core == nil {
		return
	}
	m := sim.jr
	m.at(now)
	_, ok := sim.catalogCall(v, journey.RouteHeartbeat)
	sim.recordStep(&m.steps[m.hb], now, v.rtt, ok)
	sim.eng.Schedule(now+m.hbEvery, evHeartbeat, slot, life)
}

// catalogFault applies or lifts a fault on a browse-plane dependency.
func (sim *Sim) catalogFault(now time.Duration, f scenario.Fault, name string, start bool) {
	m := sim.jr
	if m == nil {
		return
	}
	t := m.targets[name]
	if t == nil {
		sim.err = fmt.Errorf("fault target service:%s: no such browse-plane service", name)
		return
	}
	m.at(now)
	switch {
	case !start:
		t.Impair(faults.Impairment{})
		_ = t.Restart()
	case f.Kind == "down":
		_ = t.Kill()
	case f.Kind == "slow":
		t.Impair(faults.Impairment{Latency: f.Latency.D()})
	case f.Kind == "errors":
		t.Impair(faults.Impairment{ErrorRate: float64(f.ErrorRate)})
	}
}
