package virtual

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/steering"
	"github.com/abrkit/abrkit/simulator/netsim"
	"github.com/abrkit/abrkit/simulator/policy"
	"github.com/abrkit/abrkit/simulator/results"
)

const (
	phaseFree uint8 = iota
	phaseLogin
	phasePlayAPI
	phasePlaying
	phaseBrowse // walking a journey's browse steps
)

type outcome uint8

const (
	outcomeWatched outcome = iota + 1 // watch time over
	outcomeEnded                      // reached the end of the title
	outcomeFailed
	outcomeAbandoned
	outcomeCut     // the run ended first
	outcomeBrowsed // the journey ended without playing
)

const maxAPIRetries = 2

// viewer is one session. Its memory is this struct plus its player core.
type viewer struct {
	core    *player.Core
	rng     *rand.Rand
	link    netsim.Link
	reason  string
	reqs    []int32 // requests in flight
	arrive  time.Duration
	firstAt time.Duration
	watch   time.Duration
	wakeAt  time.Duration
	jsent   time.Duration // when the journey's login or play call went
	rtt     time.Duration
	loss    float64
	id      int32
	title   int32
	wakeGen uint32
	life    uint32
	home    int16
	jstep   int16 // the journey step in progress or next; -1: exit
	// the edge and report window this viewer's CMCD session was last
	// counted in
	cmcdEdge int16
	cmcdWin  uint32
	region   uint8
	device   uint8
	network  uint8
	phase    uint8
	retries  uint8
	script   uint8 // next session.script step
	started  bool
	hls      bool
}

func pickWeighted(r *rand.Rand, w []float64) int {
	sum := 0.0
	for _, x := range w {
		sum += x
	}
	u := r.Float64() * sum
	for i, x := range w {
		if u < x {
			return i
		}
		u -= x
	}
	return len(w) - 1
}

func (sim *Sim) allocViewer() int32 {
	if n := len(sim.freeV); n > 0 {
		s := sim.freeV[n-1]
		sim.freeV = sim.freeV[:n-1]
		return s
	}
	sim.vs = append(sim.vs, viewer{})
	return int32(len(sim.vs) - 1)
}

func (sim *Sim) arrive(now time.Duration, k int) {
	if sim.next < len(sim.arr) {
		sim.eng.Schedule(sim.arr[sim.next], evArrive, int32(sim.next), 0)
		sim.next++
	}
	slot := sim.allocViewer()
	v := &sim.vs[slot]
	id := sim.ids[k]
	life := v.life + 1
	wakeGen := v.wakeGen
	reqs := v.reqs[:0]
	*v = viewer{id: id, life: life, wakeGen: wakeGen, reqs: reqs, arrive: now, wakeAt: netsim.Never}
	v.rng = rand.New(rand.NewPCG(sim.seed, uint64(id)+1))
	r := v.rng
	s := sim.s
	v.region = uint8(pickWeighted(r, sim.regW))
	edges := sim.region[sim.regs[v.region]]
	v.home = int16(edges[r.IntN(len(edges))])
	v.device = uint8(pickWeighted(r, sim.devW))
	v.network = uint8(pickWeighted(r, sim.netW))
	v.title = int32(sim.lib.pick(r.Float64()))
	if sim.lib.share > 0 {
		if i, ok := sim.lib.live(r.Float64()); ok {
			v.title = int32(i)
		}
	}
	nw := &sim.nets[v.network]
	tr := nw.traces[r.IntN(len(nw.traces))]
	v.link = netsim.Link{Trace: tr, Offset: time.Duration(r.Int64N(int64(tr.Period()))), Scale: 1}
	if nw.cfg.Trace != nil {
		v.link.Scale = nw.cfg.Trace.Scale
	}
	v.rtt = nw.cfg.RTT.D()
	v.loss = float64(nw.cfg.Loss)
	if sim.opt.WatchTime > 0 {
		v.watch = sim.opt.WatchTime
	} else {
		v.watch = s.Session.WatchTime.Sample(r)
	}
	switch s.Content.Format {
	case "hls":
		v.hls = true
	case "mixed":
		v.hls = r.IntN(2) == 0
	}
	sim.active++
	if _, ok := sim.sample[id]; ok {
		sim.sample[id] = int(slot)
		sim.res.Samples = append(sim.res.Samples, results.Sample{Viewer: int(id)})
	}
	if sim.jr != nil {
		v.jstep = sim.jr.start
		sim.journeyStep(now, slot)
		return
	}
	if a := s.Session.AbandonAfter.D(); a > 0 {
		sim.eng.Schedule(now+a, evAbandon, slot, v.life)
	}
	if *s.Session.Login {
		v.phase = phaseLogin
		sim.sendCall(now, slot, 0)
	} else {
		v.phase = phasePlayAPI
		sim.sendCall(now, slot, 1)
	}
}

// apiAnswer continues a session after a control-plane answer.
func (sim *Sim) apiAnswer(now time.Duration, slot int32, svc uint8, status int, timedOut bool) {
	if sim.journeyAnswer(now, slot, svc, status) {
		return
	}
	v := &sim.vs[slot]
	if status/100 != 2 {
		if v.retries < maxAPIRetries {
			v.retries++
			sim.eng.Schedule(now+time.Duration(v.retries)*time.Second, evRetry, slot, v.life)
			return
		}
		why := fmt.Sprintf("status %d", status)
		if timedOut {
			why = "timeout"
		} else if status == 0 {
			why = "connection refused"
		}
		v.reason = fmt.Sprintf("%s: %s", sim.svcs[svc].name, why)
		sim.finish(slot, now, outcomeFailed)
		return
	}
	v.retries = 0
	if svc == 0 {
		v.phase = phasePlayAPI
		sim.sendCall(now, slot, 1)
		return
	}
	sim.startPlayer(now, slot)
}

func (sim *Sim) startPlayer(now time.Duration, slot int32) {
	v := &sim.vs[slot]
	t, err := sim.lib.get(int(v.title))
	if err != nil {
		sim.err = err
		return
	}
	p := t.dash
	if v.hls && t.hls != nil {
		p = t.hls
	}
	if sim.opt.Steering != nil {
		p = steered(p, t.id)
	}
	dev := sim.s.Devices[v.device]
	algo, err := policy.NewABR(dev.ABR)
	if err != nil {
		sim.err = fmt.Errorf("device %s: %w", dev.Name, err)
		return
	}
	cfg := player.CoreConfig{Edges: sim.rankEdges(now, v), MaxBitrate: policy.MaxBitrate(p, dev.MaxHeight), Buffer: sim.buffer, ABR: algo,
		ProbeEdges: sim.s.Session.ProbeEdges, CMCD: sim.cmcd}
	if t.ch != nil {
		cfg.Epoch = sim.epoch // live windows come from the wall clock
	}
	if f := sim.opt.Events; f != nil {
		id := int(v.id)
		cfg.Listener = player.ListenerFunc(func(e player.Event) { f(id, e) })
	}
	v.core = player.NewCore(cfg)
	v.phase = phasePlaying
	sim.startHeartbeats(now, slot)
	v.core.LoadPresentation(now, p)
	sim.step(slot, now)
}

// rankEdges is the playback API's answer: the viewer's region first
// (starting from its home edge), then the first healthy edge of each other
// region as a fallback; edges the API knows to be down go last. Keeping
// the list short keeps every core's steering state small.
func (sim *Sim) rankEdges(now time.Duration, v *viewer) []steering.Edge {
	sim.rollReports(now)
	key := [2]int32{v.title, int32(v.region)}
	if e, ok := sim.ranked[key]; ok && e.version == sim.faultVersion && e.window == sim.winN {
		return e.edges // shared and read-only: cores copy what they keep
	}
	if sim.urls[v.title] == nil {
		id := sim.lib.id(int(v.title))
		sim.urls[v.title] = make([]string, len(sim.edges))
		for i, e := range sim.edges {
			sim.urls[v.title][i] = "http://" + e.name + ".edge.abrkit.test/" + id + "/"
		}
	}
	urls := sim.urls[v.title]
	out := make([]steering.Edge, 0, len(sim.edges))
	var down []steering.Edge
	add := func(i int) {
		e := steering.Edge{ID: sim.edges[i].name, URL: urls[i]}
		if sim.edges[i].down {
			down = append(down, e)
		} else {
			out = append(out, e)
		}
	}
	mine := sim.regs[v.region]
	for _, i := range sim.rankRegion(now, mine, sim.lib.id(int(v.title)), sim.region[mine]) {
		add(i)
	}
	for _, r := range sim.regionOrder {
		if r == mine {
			continue
		}
		es := sim.region[r]
		pick := es[0]
		for _, i := range es {
			if !sim.edges[i].down {
				pick = i
				break
			}
		}
		add(pick)
	}
	out = append(out, down...)
	sim.ranked[key] = rankedEdges{edges: out, version: sim.faultVersion, window: sim.winN}
	return out
}

// rankedEdges is a cached playback-API answer, valid while no fault
// changed edge health and no edge reported since.
type rankedEdges struct {
	edges   []steering.Edge
	version int
	window  uint32
}

// step polls the viewer's core and acts on what it asks for.
func (sim *Sim) step(slot int32, now time.Duration) {
	v := &sim.vs[slot]
	acts, wake := v.core.Poll(now, sim.acts[:0])
	sim.acts = acts[:0]
	for i := range acts {
		sim.action(slot, now, &acts[i])
	}
	v = &sim.vs[slot]
	if v.core == nil {
		return
	}
	st := v.core.State()
	if !v.started && (st == player.StatePlaying || st == player.StateStalled || st == player.StateEnded) {
		v.started = true
		v.firstAt = now
		sim.res.Bucket(now).Starts++
		sim.eng.Schedule(now+v.watch, evEnd, slot, v.life)
		ss := sim.s.Session
		if !ss.SeekEvery.IsZero() {
			sim.eng.Schedule(now+ss.SeekEvery.Sample(v.rng), evSeek, slot, v.life)
		}
		if !ss.PauseEvery.IsZero() {
			sim.eng.Schedule(now+ss.PauseEvery.Sample(v.rng), evPause, slot, v.life)
		}
		if len(ss.Script) > 0 {
			sim.eng.Schedule(now+ss.Script[0].At.D(), evScript, slot, v.life)
		}
	}
	switch st {
	case player.StateEnded:
		sim.finish(slot, now, outcomeEnded)
		return
	case player.StateFailed:
		sim.finish(slot, now, outcomeFailed)
		return
	}
	if wake != v.wakeAt {
		v.wakeAt = wake
		v.wakeGen++
		if wake != player.Never {
			at := max(wake, now+time.Microsecond)
			sim.eng.Schedule(at, evWake, slot, v.wakeGen)
		}
	}
}

// user handles the viewer's own timers.
func (sim *Sim) user(now time.Duration, kind uint8, slot int32, life uint32) {
	v := &sim.vs[slot]
	if v.life != life || v.phase == phaseFree {
		return
	}
	ss := sim.s.Session
	switch kind {
	case evEnd:
		sim.finish(slot, now, outcomeWatched)
	case evAbandon:
		if !v.started {
			sim.finish(slot, now, outcomeAbandoned)
		}
	case evRetry:
		sim.sendCall(now, slot, map[bool]uint8{true: 0, false: 1}[v.phase == phaseLogin])
	case evSeek:
		if v.core == nil {
			return
		}
		if d := v.core.Presentation(); d != nil && d.Duration > 0 {
			v.core.Seek(now, time.Duration(v.rng.Float64()*0.9*float64(d.Duration)))
			sim.step(slot, now)
		}
		if v = &sim.vs[slot]; v.life == life && v.core != nil {
			sim.eng.Schedule(now+ss.SeekEvery.Sample(v.rng), evSeek, slot, v.life)
		}
	case evScript, evPlay:
		sim.script(now, kind, slot)
	case evPause:
		if v.core == nil {
			return
		}
		v.core.Pause(now)
		sim.step(slot, now)
		if v = &sim.vs[slot]; v.life == life && v.core != nil {
			sim.eng.Schedule(now+ss.PauseFor.Sample(v.rng), evResume, slot, v.life)
		}
	case evResume:
		if v.core == nil {
			return
		}
		v.core.Play(now)
		sim.step(slot, now)
		if v = &sim.vs[slot]; v.life == life && v.core != nil {
			sim.eng.Schedule(now+ss.PauseEvery.Sample(v.rng), evPause, slot, v.life)
		}
	}
}

// script carries out the viewer's next session.script step (evScript) or
// the end of a scripted pause (evPlay).
func (sim *Sim) script(now time.Duration, kind uint8, slot int32) {
	v := &sim.vs[slot]
	if v.core == nil {
		return
	}
	if kind == evPlay {
		v.core.Play(now)
		sim.step(slot, now)
		return
	}
	steps := sim.s.Session.Script
	st := steps[v.script]
	v.script++
	if st.Seek != nil {
		v.core.Seek(now, st.Seek.D())
	} else {
		v.core.Pause(now)
		sim.eng.Schedule(now+st.Pause.D(), evPlay, slot, v.life)
	}
	if int(v.script) < len(steps) {
		sim.eng.Schedule(max(now, v.firstAt+steps[v.script].At.D()), evScript, slot, v.life)
	}
	sim.step(slot, now)
}

// finish ends a session and writes its record.
func (sim *Sim) finish(slot int32, now time.Duration, how outcome) {
	v := &sim.vs[slot]
	if v.phase == phaseFree {
		return
	}
	for _, rid := range v.reqs {
		sim.dropRequest(now, rid)
	}
	v.reqs = v.reqs[:0]
	s := sim.s
	dev := s.Devices[v.device]
	rec := results.Record{Viewer: int(v.id), Region: sim.regs[v.region], Device: dev.Name, Network: s.Networks[v.network].Name,
		Cohort: dev.Cohort, Title: sim.lib.id(int(v.title)), ABR: policy.ABRName(dev.ABR), ArriveS: v.arrive.Seconds(), Reason: v.reason}
	if v.core != nil {
		// the session's last beacon goes out as it ends, as a device's would
		for _, a := range v.core.End(now, sim.acts[:0]) {
			if a.Op == player.OpBeacon {
				sim.sendCall(now, slot, svcEvents)
			}
		}
		q := v.core.QoE(now)
		rec.PlayS, rec.StallS, rec.RebufferRatio, rec.Stalls = q.PlaySeconds, q.StallSeconds, q.RebufferRatio, q.Stalls
		rec.AvgBitrate, rec.Switches, rec.ServerChanges, rec.Errors, rec.Bytes = q.AvgBitrate, q.Switches, q.ServerChanges, q.Errors, q.Bytes
		rec.SegmentsAbandoned = q.Abandoned
		rec.Live, rec.LiveLatencyS = q.Live, q.LiveLatencySeconds
		if q.FatalError != "" {
			rec.Reason = q.FatalError
		}
	}
	if v.started {
		rec.Started = true
		rec.StartupS = (v.firstAt - v.arrive).Seconds()
	}
	switch how {
	case outcomeFailed:
		rec.Failed = true
		sim.res.Bucket(now).Failures++
	case outcomeBrowsed:
		rec.Browsed = true
	case outcomeAbandoned:
		rec.Abandoned = true
		if rec.Reason == "" {
			rec.Reason = "start-up took too long"
		}
	}
	sim.res.Records = append(sim.res.Records, rec)
	if k, ok := sim.sample[v.id]; ok && k == int(slot) {
		sim.sample[v.id] = -2
	}
	v.core = nil
	v.rng = nil
	v.link = netsim.Link{}
	v.phase = phaseFree
	v.life++
	v.wakeGen++
	sim.freeV = append(sim.freeV, slot)
	sim.active--
	sim.done++
}
