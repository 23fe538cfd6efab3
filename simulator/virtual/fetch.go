package virtual

import (
	"errors"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/transport"
	"github.com/abrkit/abrkit/simulator/netsim"
	"github.com/abrkit/abrkit/simulator/results"
	"github.com/abrkit/abrkit/simulator/scenario"
)

// Errors the modelled network reports to players.
var (
	ErrRefused = errors.New("connection refused")
	ErrReset   = errors.New("connection reset")
)

// request is one media or manifest fetch in progress.
type request struct {
	url    string
	start  time.Duration
	ttfb   time.Duration
	size   int64
	err    error
	status int
	flow   netsim.FlowID
	viewer int32
	life   uint32
	gen    uint32
	id     player.RequestID
	edge   int16
	kind   transport.Kind
	class  uint8
	flowOn bool
	hit    bool
	live   bool
	// progress: the core may abandon this fetch, so it gets progress
	// reports (a media segment above the lowest rung: the core ignores
	// reports of the others)
	progress bool
}

var classNames = []string{results.ClassSegment, results.ClassInit, results.ClassManifest}

func classOf(k transport.Kind) uint8 {
	switch k {
	case transport.KindMedia:
		return 0
	case transport.KindInit:
		return 1
	}
	return 2
}

func (sim *Sim) allocReq() int32 {
	if n := len(sim.freeR); n > 0 {
		r := sim.freeR[n-1]
		sim.freeR = sim.freeR[:n-1]
		return r
	}
	sim.reqs = append(sim.reqs, request{})
	return int32(len(sim.reqs) - 1)
}

func (sim *Sim) freeReq(rid int32) {
	r := &sim.reqs[rid]
	gen := r.gen + 1
	*r = request{gen: gen}
	sim.freeR = append(sim.freeR, rid)
}

// action starts or cancels a fetch for viewer slot.
func (sim *Sim) action(slot int32, now time.Duration, a *player.Action) {
	v := &sim.vs[slot]
	if a.Op == player.OpBeacon {
		// a telemetry post: load on the control plane, no answer needed
		sim.sendCall(now, slot, svcEvents)
		return
	}
	if a.Op == player.OpCancel {
		for k, rid := range v.reqs {
			if sim.reqs[rid].id == a.ID {
				sim.dropRequest(now, rid)
				v.reqs = append(v.reqs[:k], v.reqs[k+1:]...)
				return
			}
		}
		return
	}
	if a.Op != player.OpFetch {
		return // beacons: not modelled yet
	}
	rid := sim.allocReq()
	r := &sim.reqs[rid]
	r.viewer, r.life, r.id, r.kind, r.class, r.start, r.live, r.url = slot, v.life, a.ID, a.Kind, classOf(a.Kind), now, true, a.URL
	r.progress = a.Kind == transport.KindMedia && a.Level > 0
	ei, ok := sim.edgeIx[a.Server]
	if !ok {
		ei = int(v.home)
	}
	r.edge = int16(ei)
	sim.countCMCD(now, v, ei, a)
	e := &sim.edges[ei]
	t := sim.lib.titles[v.title]
	switch a.Kind {
	case transport.KindMedia, transport.KindInit:
		if a.Length > 0 {
			r.size = a.Length
		} else if n, ok := t.size(a.URL); ok {
			r.size = n
		} else {
			r.size = a.Size
		}
	}
	rtt := v.rtt + e.rtt
	switch {
	case a.Kind == transport.KindSteering:
		// the steering server is in the control plane, not on the edge
		r.status, r.ttfb = 200, v.rtt
	case e.down:
		r.err, r.ttfb = ErrRefused, rtt
	case v.loss > 0 && v.rng.Float64() < v.loss:
		r.err, r.ttfb = ErrReset, rtt
	case e.errRate > 0 && v.rng.Float64() < e.errRate:
		r.status, r.ttfb = 503, rtt+e.slow
	default:
		r.status = 200
		r.ttfb = rtt + e.slow
		switch {
		case r.size == 0:
		case t.ch != nil:
			r.ttfb, r.hit = sim.liveObject(now, e, fnv64(pathOf(a.URL)), r.size, r.ttfb)
		case e.cache.touch(fnv64(pathOf(a.URL)), r.size):
			r.hit = true
		default:
			r.ttfb += sim.s.Backend.Embedded.OriginLatency.D()
		}
	}
	v.reqs = append(v.reqs, rid)
	sim.eng.Schedule(now+r.ttfb, evReqStart, rid, r.gen)
}

// liveObject models an edge serving a live segment to a request whose
// first byte would come at ttfb from the edge: the first request fetches
// it from the origin; while that fetch is in flight, a collapsing edge
// makes later requests wait for it, a plain one asks the origin again.
// It returns the first-byte time and whether the origin was spared.
func (sim *Sim) liveObject(now time.Duration, e *edgeState, key uint64, size int64, ttfb time.Duration) (time.Duration, bool) {
	origin := sim.s.Backend.Embedded.OriginLatency.D()
	if ready, ok := e.inflight[key]; ok && ready > now {
		if sim.collapse {
			return ttfb + ready - now, true
		}
		e.stat.OriginRequests++
		return ttfb + origin, false
	}
	if e.cache.touch(key, size) {
		return ttfb, true
	}
	e.stat.OriginRequests++
	e.stat.OriginObjects++
	if len(e.inflight) >= maxInflight {
		for k, ready := range e.inflight {
			if ready <= now {
				delete(e.inflight, k)
			}
		}
	}
	e.inflight[key] = now + origin
	return ttfb + origin, false
}

// maxInflight is the count of in-flight live fetches an edge keeps before
// it forgets those that are done.
const maxInflight = 1024

func pathOf(url string) string {
	if i := strings.Index(url, "://"); i >= 0 {
		if j := strings.IndexByte(url[i+3:], '/'); j >= 0 {
			url = url[i+3+j:]
		}
	}
	if q := strings.IndexByte(url, '?'); q >= 0 {
		url = url[:q]
	}
	return url
}

// reqStart runs when the first byte would arrive.
func (sim *Sim) reqStart(now time.Duration, rid int32, gen uint32) {
	r := &sim.reqs[rid]
	if r.gen != gen || !r.live {
		return
	}
	if r.err != nil || r.status != 200 || r.size == 0 {
		sim.complete(now, rid)
		return
	}
	v := &sim.vs[r.viewer]
	r.flow = sim.net.Start(now, int(r.edge), v.link, r.size, int64(rid)|int64(gen)<<32)
	r.flowOn = true
	if r.progress {
		sim.eng.Schedule(nextProgress(r.start, now), evProgress, rid, gen)
	}
}

// nextProgress is the first progress report after now for a request sent
// at start: the real-time driver reports at most once per
// player.DefaultProgressInterval, counted from when it sent the request,
// and only once bytes flow.
func nextProgress(start, now time.Duration) time.Duration {
	const every = player.DefaultProgressInterval
	return start + ((now-start)/every+1)*every
}

// progress reports the bytes a media flow has delivered so far to the
// viewer's core, as the real-time driver's transfer callback does, and
// carries out what the core decides (an abandonment cancels the flow).
func (sim *Sim) progress(now time.Duration, rid int32, gen uint32) {
	r := &sim.reqs[rid]
	if r.gen != gen || !r.live || !r.flowOn {
		return
	}
	slot := r.viewer
	v := &sim.vs[slot]
	if v.core == nil {
		return
	}
	got := r.size - int64(sim.net.Remaining(now, r.flow))
	if v.core.Progress(now, r.id, got) {
		sim.step(slot, now)
	}
	if r = &sim.reqs[rid]; r.gen == gen && r.live && r.flowOn {
		sim.eng.Schedule(now+player.DefaultProgressInterval, evProgress, rid, gen)
	}
}

func (sim *Sim) flowDone(now time.Duration, d netsim.Done) {
	rid, gen := int32(d.Tag&0xffffffff), uint32(d.Tag>>32)
	r := &sim.reqs[rid]
	if r.gen != gen || !r.live {
		return
	}
	r.flowOn = false
	sim.complete(now, rid)
}

// complete reports a finished request to its viewer and the accounts.
func (sim *Sim) complete(now time.Duration, rid int32) {
	r := &sim.reqs[rid]
	slot := r.viewer
	v := &sim.vs[slot]
	lat := now - r.start
	failed := r.err != nil || r.status/100 != 2
	sim.account(now, r, lat, failed)
	o := player.Outcome{Status: r.status, Err: r.err, TTFB: r.ttfb, Duration: lat}
	if !failed {
		o.Bytes = r.size
		switch r.kind {
		case transport.KindManifest:
			sim.manifestBody(v, r, &o)
		case transport.KindSteering:
			sim.steeringBody(now, v, &o)
		}
	}
	id := r.id
	for k, x := range v.reqs {
		if x == rid {
			v.reqs = append(v.reqs[:k], v.reqs[k+1:]...)
			break
		}
	}
	sim.freeReq(rid)
	if v.core == nil {
		return
	}
	v.core.Complete(now, id, o)
	sim.step(slot, now)
}

// manifestBody answers manifest and playlist requests from the shared,
// already parsed title.
func (sim *Sim) manifestBody(v *viewer, r *request, o *player.Outcome) {
	t := sim.lib.titles[v.title]
	p := pathOf(r.url)
	rel := strings.TrimPrefix(p, "/"+t.id+"/")
	switch {
	case strings.HasSuffix(rel, ".mpd"):
		o.Presentation = t.dash
	case rel == "master.m3u8":
		o.Presentation = t.hls
	default:
		body, err := t.pkg.Open(rel)
		if err != nil {
			o.Status, o.Err = 404, err
			return
		}
		o.Body = body
	}
}

func (sim *Sim) account(now time.Duration, r *request, lat time.Duration, failed bool) {
	sim.classes[r.class].Add(lat, failed)
	e := &sim.edges[r.edge]
	b := sim.res.Bucket(now)
	b.Requests++
	b.EdgeReqs[r.edge]++
	e.stat.Requests++
	e.win.reqs++
	if failed {
		e.win.errs++
		b.Errors++
		e.stat.Errors++
	} else if r.size > 0 {
		e.stat.Bytes += float64(r.size)
		b.EdgeBytes[r.edge] += float64(r.size)
		if r.hit {
			e.stat.Hits++
			b.EdgeHits[r.edge]++
		} else {
			e.stat.Misses++
		}
	}
	if sim.opt.Requests != nil && sim.err == nil {
		sim.seq++
		res := vegeta.Result{Attack: sim.s.Name, Seq: sim.seq, Code: uint16(r.status), Timestamp: sim.epoch.Add(r.start),
			Latency: lat, Method: "GET", URL: "http://" + e.name + ".edge.abrkit.test" + pathOf(r.url)}
		if !failed {
			res.BytesIn = uint64(r.size)
		}
		if r.err != nil {
			res.Error = r.err.Error()
		} else if failed {
			res.Error = "http " + itoa(r.status)
		}
		if err := sim.opt.Requests(&res); err != nil {
			sim.err = err
		}
	}
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	if n == 0 {
		return "0"
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// dropRequest forgets a request without telling the core (cancelled, or
// the session ended).
func (sim *Sim) dropRequest(now time.Duration, rid int32) {
	r := &sim.reqs[rid]
	if r.flowOn {
		sim.net.Cancel(now, r.flow)
	}
	sim.freeReq(rid)
}

// sendCall sends a control-plane call (svc 0 login, 1 play, 2 events).
func (sim *Sim) sendCall(now time.Duration, slot int32, svc uint8) {
	v := &sim.vs[slot]
	var cid int32
	if n := len(sim.freeC); n > 0 {
		cid = sim.freeC[n-1]
		sim.freeC = sim.freeC[:n-1]
	} else {
		sim.calls = append(sim.calls, call{})
		cid = int32(len(sim.calls) - 1)
	}
	c := &sim.calls[cid]
	gen := c.gen + 1
	*c = call{viewer: slot, life: v.life, svc: svc, sent: now, rtt: v.rtt, gen: gen}
	s := sim.svcs[svc]
	switch {
	case s.down:
		c.status = 0
		c.served = true
		sim.eng.Schedule(now+v.rtt, evCallReply, cid, gen)
	case s.busy < s.workers:
		sim.serve(now, cid)
		sim.eng.Schedule(now+s.timeout, evCallTimeout, cid, gen)
	case s.limit == 0 || s.queued() < s.limit:
		s.push(cid)
		sim.eng.Schedule(now+s.timeout, evCallTimeout, cid, gen)
	default:
		c.status = 503
		c.served = true
		sim.eng.Schedule(now+v.rtt, evCallReply, cid, gen)
	}
}

func (sim *Sim) serve(now time.Duration, cid int32) {
	c := &sim.calls[cid]
	s := sim.svcs[c.svc]
	s.busy++
	v := &sim.vs[c.viewer]
	r := sim.rngFor(v)
	st := s.sample(r) + s.slow
	c.status = 200
	if s.errRate > 0 && r.Float64() < s.errRate {
		c.status = 500
	}
	sim.eng.Schedule(now+st, evCallDone, cid, c.gen)
}

// rngFor returns the viewer's source, or the run's when the viewer left.
func (sim *Sim) rngFor(v *viewer) randSource {
	if v.rng != nil {
		return v.rng
	}
	return sim.spare()
}

func (sim *Sim) callDone(now time.Duration, cid int32, gen uint32) {
	c := &sim.calls[cid]
	if c.gen != gen {
		return
	}
	s := sim.svcs[c.svc]
	s.busy--
	c.served = true
	for s.queued() > 0 && s.busy < s.workers {
		next := s.pop()
		sim.serve(now, next)
	}
	c = &sim.calls[cid]
	if c.answered {
		sim.freeCall(cid)
		return
	}
	sim.eng.Schedule(now+c.rtt, evCallReply, cid, gen)
}

func (sim *Sim) freeCall(cid int32) {
	c := &sim.calls[cid]
	gen := c.gen + 1
	*c = call{gen: gen}
	sim.freeC = append(sim.freeC, cid)
}

// callAnswer delivers a reply, or a client timeout, to the viewer.
func (sim *Sim) callAnswer(now time.Duration, cid int32, gen uint32, timeout bool) {
	c := &sim.calls[cid]
	if c.gen != gen || c.answered {
		return
	}
	c.answered = true
	status := c.status
	if timeout {
		status = 0
	}
	s := sim.svcs[c.svc]
	s.class.Add(now-c.sent, status/100 != 2)
	if sim.opt.Requests != nil && sim.err == nil {
		sim.seq++
		res := vegeta.Result{Attack: sim.s.Name, Seq: sim.seq, Code: uint16(status), Timestamp: sim.epoch.Add(c.sent),
			Latency: now - c.sent, Method: "POST", URL: "http://gateway.abrkit.test/v1/" + s.name}
		switch {
		case timeout:
			res.Error = "timeout"
		case status == 0:
			res.Error = ErrRefused.Error()
		case status/100 != 2:
			res.Error = "http " + itoa(status)
		}
		if err := sim.opt.Requests(&res); err != nil {
			sim.err = err
		}
	}
	b := sim.res.Bucket(now)
	b.Requests++
	if status/100 != 2 {
		b.Errors++
	}
	slot, life, svc := c.viewer, c.life, c.svc
	if c.served {
		sim.freeCall(cid)
	}
	v := &sim.vs[slot]
	if v.life != life || v.phase == phaseFree || v.phase == phasePlaying {
		return
	}
	sim.apiAnswer(now, slot, svc, status, timeout)
}

// fault applies (start) or lifts a scheduled fault.
func (sim *Sim) fault(now time.Duration, i int, start bool) {
	f := sim.s.Faults[i]
	t, err := scenario.ParseTarget(f.Target)
	if err != nil {
		sim.err = err
		return
	}
	if t.Kind == "service" && scenario.IsCatalogTarget(t.Name) {
		sim.catalogFault(now, f, t.Name, start)
		return
	}
	if t.Kind == "service" {
		s := sim.svcs[1]
		if t.Name == "login" {
			s = sim.svcs[0]
		}
		switch f.Kind {
		case "down":
			s.down = start
		case "slow":
			s.slow = 0
			if start {
				s.slow = f.Latency.D()
			}
		case "errors":
			s.errRate = 0
			if start {
				s.errRate = float64(f.ErrorRate)
			}
		}
		return
	}
	var edges []int
	if t.Kind == "edge" {
		edges = []int{sim.edgeIx[t.Name]}
	} else {
		edges = sim.region[t.Name]
	}
	for _, ei := range edges {
		e := &sim.edges[ei]
		switch f.Kind {
		case "down":
			e.down = start
			sim.faultVersion++
			if start {
				sim.resetEdge(now, ei)
			}
		case "slow":
			e.slow, e.capShare = 0, 1
			if start {
				e.slow = f.Latency.D()
				if sim.s.Has("faults[" + itoa(i) + "].capacity") {
					e.capShare = float64(f.Capacity)
				}
			}
			sim.net.SetCapacity(now, ei, e.capacity*e.capShare)
		case "errors":
			e.errRate = 0
			if start {
				e.errRate = float64(f.ErrorRate)
			}
		}
	}
}

// resetEdge fails every transfer in progress on a dying edge.
func (sim *Sim) resetEdge(now time.Duration, ei int) {
	for _, tag := range sim.net.EdgeTags(ei) {
		rid, gen := int32(tag&0xffffffff), uint32(tag>>32)
		r := &sim.reqs[rid]
		if r.gen != gen || !r.live || !r.flowOn {
			continue
		}
		sim.net.Cancel(now, r.flow)
		r.flowOn = false
		r.err, r.status = ErrReset, 0
		sim.eng.Schedule(now, evReqStart, rid, r.gen)
	}
}
