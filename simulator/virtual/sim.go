package virtual

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"sort"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/transport"
	"github.com/abrkit/abrkit/simulator/arrival"
	"github.com/abrkit/abrkit/simulator/backend/control"
	"github.com/abrkit/abrkit/simulator/des"
	"github.com/abrkit/abrkit/simulator/internal/cputime"
	"github.com/abrkit/abrkit/simulator/netsim"
	"github.com/abrkit/abrkit/simulator/policy"
	"github.com/abrkit/abrkit/simulator/results"
	"github.com/abrkit/abrkit/simulator/scenario"
	"github.com/abrkit/abrkit/simulator/slo"
)

// Defaults.
const (
	DefaultBucket        = 5 * time.Second
	DefaultSampleViewers = 4
	sampleEvery          = 2 * time.Second
)

// Options change a run without editing the scenario.
type Options struct {
	Viewers   int           // overrides viewers.count when > 0
	WatchTime time.Duration // overrides session.watch_time with a constant when > 0
	Seed      *uint64       // overrides the scenario's seed
	// Shard is the slice of the audience this process runs, of Shards (0
	// or 1: no sharding). Shards own whole regions: a region's viewers,
	// its edges with their caches and full capacity (split among shards
	// only when there are more shards than regions), and the control
	// plane's capacity in proportion to the shard's viewers.
	Shard  int
	Shards int
	Bucket time.Duration // timeline resolution; defaults to DefaultBucket
	// SampleViewers is how many viewers' bitrate and buffer are recorded
	// over time; defaults to DefaultSampleViewers, negative for none.
	SampleViewers int
	// Progress is called about once per simulated bucket and at the end.
	Progress func(p policy.Progress)
	// Requests receives every request as a vegeta result (timestamps from
	// Epoch); nil to skip. Returning an error stops the run.
	Requests func(r *vegeta.Result) error
	// Epoch is the wall-clock time of simulated time 0 in request results;
	// defaults to 2000-01-01 UTC so runs are reproducible.
	Epoch time.Time
	// Clock measures wall time for the speed figures; defaults to time.Now.
	Clock func() time.Time
	// Events receives every player event of every viewer (by viewer id),
	// in virtual time; nil to skip. For tests and tracing small runs.
	Events func(viewer int, e player.Event)
	// Steering, when set, makes every title's HLS multivariant playlist
	// and DASH MPD name a content-steering server, and answers the
	// viewers' steering reloads with the manifest it returns for the run
	// time now (HLS EXT-X-CONTENT-STEERING / DASH ContentSteering JSON).
	// The reference backend's manifests name no steering server, so nil
	// keeps the two modes alike.
	Steering func(now time.Duration, viewer int, title string) control.Manifest
}

// Errors for scenarios the virtual driver cannot run.
var (
	ErrNotVirtual = errors.New("scenario needs the embedded backend for virtual mode")
)

// svcEvents is the telemetry intake, where players' beacons go.
const svcEvents = 2

// event kinds
const (
	evArrive uint8 = iota + 1
	evWake
	evReqStart
	evFlow
	evEdge
	evCallReply
	evCallTimeout
	evCallDone
	evEnd
	evAbandon
	evSeek
	evPause
	evResume
	evFault
	evTick
	evSample
	evRetry
	evProgress
	evScript
	evPlay
	evJourney
	evHeartbeat
)

type edgeState struct {
	name     string
	rtt      time.Duration
	capacity float64 // bits/s, after shard scaling
	cache    *lru
	down     bool
	slow     time.Duration
	capShare float64 // 1, or less while slowed
	errRate  float64
	stat     *results.EdgeStat
	health   bool // as the playback API last saw it
	region   string
	win      window                   // what steering learns from this edge
	inflight map[uint64]time.Duration // live objects being fetched from the origin: ready at
}

type network struct {
	cfg    scenario.Network
	traces []*netsim.Trace
}

// Sim is one virtual-time run.
type Sim struct {
	s            *scenario.Scenario
	opt          Options
	seed         uint64
	eng          *des.Engine
	net          *netsim.Network
	lib          *library
	res          *results.Results
	edges        []edgeState
	edgeIx       map[string]int
	region       map[string][]int // topology region -> edge indexes
	regionOrder  []string         // topology regions in file order
	regs         []string         // viewer regions (scenario order)
	regW         []float64
	devW         []float64
	netW         []float64
	nets         []network
	svcs         [3]*service // login, play, events
	calls        []call
	freeC        []int32
	reqs         []request
	freeR        []int32
	vs           []viewer
	freeV        []int32
	arr          []time.Duration // arrival times of this shard's viewers
	ids          []int32         // their global ids
	next         int             // next arrival to schedule
	active       int
	done         int
	total        int
	acts         []player.Action
	stop         string
	epoch        time.Time
	urls         [][]string // [title][edge] base URL
	sample       map[int32]int
	err          error
	seq          uint64
	abortO       []slo.Objective
	spareR       *rand.Rand
	buffer       player.BufferPolicy
	classes      [3]*results.Class // segment, init, manifest
	ranked       map[[2]int32]rankedEdges
	ctx          context.Context
	horizon      time.Duration // expected end, for progress
	polls        uint32        // stop checks, to look at ctx every ctxEvery
	faultVersion int           // changes whenever a fault changes edge health
	cmcd         transport.CMCDMode
	collapse     bool          // edges collapse concurrent requests for a live object
	winN         uint32        // report windows closed so far
	winEnd       time.Duration // end of the open report window
	rankBuf      []control.EdgeState
	plan         shardPlan     // with Shards > 1
	share        float64       // this shard's part of the audience
	jr           *journeyModel // the scenario's journey; nil without
}

// spare is the run's own source for draws that belong to no viewer.
func (sim *Sim) spare() *rand.Rand {
	if sim.spareR == nil {
		sim.spareR = rand.New(rand.NewPCG(sim.seed, 0x5b0e))
	}
	return sim.spareR
}

// Run simulates the scenario in virtual time and returns its results.
func Run(s *scenario.Scenario, opt Options) (*results.Results, error) {
	return RunContext(context.Background(), s, opt)
}

// Interrupted is Results.Aborted of a run stopped by its context.
const Interrupted = "interrupted"

// RunContext is Run that stops promptly when ctx is done: the sessions in
// progress are cut, and the results so far are returned with Aborted set
// to Interrupted (and no error).
func RunContext(ctx context.Context, s *scenario.Scenario, opt Options) (*results.Results, error) {
	sim, err := New(s, opt)
	if err != nil {
		return nil, err
	}
	sim.ctx = ctx
	return sim.Run()
}

// New prepares a run.
func New(s *scenario.Scenario, opt Options) (*Sim, error) {
	if s.Backend.Embedded == nil || s.Topology == nil {
		return nil, ErrNotVirtual
	}
	if err := policy.CheckContent(s); err != nil {
		return nil, err
	}
	if opt.Shards <= 0 {
		opt.Shards = 1
	}
	if opt.Shard < 0 || opt.Shard >= opt.Shards {
		return nil, fmt.Errorf("virtual: shard %d of %d", opt.Shard, opt.Shards)
	}
	if opt.Bucket <= 0 {
		opt.Bucket = DefaultBucket
	}
	if opt.SampleViewers == 0 {
		opt.SampleViewers = DefaultSampleViewers
	}
	if opt.Clock == nil {
		opt.Clock = time.Now
	}
	sim := &Sim{s: s, opt: opt, seed: s.Seed, eng: des.New(), edgeIx: map[string]int{}, region: map[string][]int{}, sample: map[int32]int{}, ranked: map[[2]int32]rankedEdges{}}
	if opt.Seed != nil {
		sim.seed = *opt.Seed
	}
	sim.epoch = opt.Epoch
	if sim.epoch.IsZero() {
		sim.epoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	bp, err := policy.BufferPolicy(s)
	if err != nil {
		return nil, err
	}
	sim.buffer = bp
	if sim.cmcd, err = transport.ParseCMCDMode(s.CMCD); err != nil {
		return nil, fmt.Errorf("cmcd: %w", err)
	}
	n := s.Viewers.Count
	if opt.Viewers > 0 {
		n = opt.Viewers
	}
	times, err := arrival.Times(s.ArrivalFor(n), n, rand.New(rand.NewPCG(sim.seed, 0xa77)))
	if err != nil {
		return nil, err
	}
	for _, rg := range s.Regions {
		sim.regs = append(sim.regs, rg.Name)
		sim.regW = append(sim.regW, rg.Weight)
	}
	if opt.Shards > 1 {
		sim.plan = newShardPlan(sim.regs, sim.regW, opt.Shards)
	}
	for i, t := range times {
		if opt.Shards == 1 || sim.plan.owner(sim.viewerRegion(i), i) == opt.Shard {
			sim.arr = append(sim.arr, t)
			sim.ids = append(sim.ids, int32(i))
		}
	}
	sim.share = 1
	if n > 0 && opt.Shards > 1 {
		sim.share = float64(len(sim.arr)) / float64(n)
	}
	sim.total = len(sim.arr)
	if sim.total > 0 {
		watch := opt.WatchTime
		if watch <= 0 {
			watch = s.Session.WatchTime.MeanValue()
		}
		sim.horizon = policy.Horizon(sim.arr[sim.total-1], watch, s.Duration.D())
	}
	c := s.Content
	sim.lib = newLibrary(c.Titles, c.TitleLength.D(), c.SegmentLen.D(), c.Zipf, policy.Channels(s), float64(c.LiveShare), sim.epoch)
	sim.res = results.New(opt.Bucket)
	r := sim.res
	for i, name := range classNames {
		sim.classes[i] = r.Classes[name]
	}
	r.Scenario, r.Mode, r.Seed, r.Shards, r.ShardCount, r.Viewers = s.Name, "virtual", sim.seed, []int{opt.Shard}, opt.Shards, sim.total
	if opt.Shards > 1 {
		r.ShardBy = ShardBy
	}
	r.Objectives = s.Objectives()
	for _, o := range r.Objectives {
		if o.Abort || s.Abort {
			sim.abortO = append(sim.abortO, o)
		}
	}
	for _, ch := range s.Cohorts {
		if ch.Control {
			r.ControlCohort = ch.Name
		}
	}
	sim.net = netsim.New(sim.eng, evFlow, evEdge, sim.flowDone)
	sim.setupEdges()
	sim.collapse = s.Topology.LiveEdges.Collapsing()
	sim.setupServices()
	if err := sim.setupJourney(); err != nil {
		return nil, err
	}
	if err := sim.setupNetworks(); err != nil {
		return nil, err
	}
	for _, d := range s.Devices {
		sim.devW = append(sim.devW, d.Weight)
	}
	for _, nw := range s.Networks {
		sim.netW = append(sim.netW, nw.Weight)
	}
	sim.urls = make([][]string, len(sim.lib.titles))
	for i, f := range s.Faults {
		sim.eng.Schedule(f.At.D(), evFault, int32(i), 0)
		if f.For > 0 {
			sim.eng.Schedule(f.At.D()+f.For.D(), evFault, int32(i), 1)
		}
		end := 0.0
		if f.For > 0 {
			end = (f.At + f.For).D().Seconds()
		}
		r.Faults = append(r.Faults, results.FaultMark{StartS: f.At.D().Seconds(), EndS: end, Target: f.Target, Kind: f.Kind})
	}
	if opt.SampleViewers > 0 {
		for i := 0; i < opt.SampleViewers && i < len(sim.ids); i++ {
			sim.sample[sim.ids[i]] = -1
		}
	}
	return sim, nil
}

func (sim *Sim) setupEdges() {
	topo := sim.s.Topology
	for _, e := range topo.Edges() {
		// a shard owns its regions' edges whole; other regions' edges
		// carry only its viewers' failover traffic, so they keep their
		// full capacity too
		split := 1
		if sim.opt.Shards > 1 {
			split = sim.plan.split(e.Region)
		}
		capBps := float64(e.Capacity) / float64(split)
		i := len(sim.edges)
		sim.res.Edges = append(sim.res.Edges, results.EdgeStat{Name: e.ID, Region: e.Region, Capacity: float64(e.Capacity)})
		sim.edges = append(sim.edges, edgeState{name: e.ID, rtt: e.RTT, capacity: capBps, cache: newLRU(int64(e.CacheSize)), capShare: 1, health: true,
			region: e.Region, inflight: map[uint64]time.Duration{}, win: window{maxConnections: max(e.MaxConnections/split, 1)}})
		sim.edgeIx[e.ID] = i
		if _, ok := sim.region[e.Region]; !ok {
			sim.regionOrder = append(sim.regionOrder, e.Region)
		}
		sim.region[e.Region] = append(sim.region[e.Region], i)
		sim.net.AddEdge(capBps)
	}
	for i := range sim.edges {
		sim.edges[i].stat = &sim.res.Edges[i]
	}
}

func (sim *Sim) setupServices() {
	topo := sim.s.Topology
	var login, play *scenario.Service
	for i := range sim.s.Backend.Embedded.Services {
		sv := &sim.s.Backend.Embedded.Services[i]
		switch sv.Name {
		case "login":
			login = sv
		case "play":
			play = sv
		}
	}
	sim.svcs[0] = newService("login", sim.res.Classes[results.ClassLogin], topo.ControlPlane.Services.Auth, login, sim.share)
	sim.svcs[1] = newService("play", sim.res.Classes[results.ClassPlay], topo.ControlPlane.Services.Playback, play, sim.share)
	sim.svcs[svcEvents] = newService("events", sim.res.Classes[results.ClassEvents], topo.ControlPlane.Services.Telemetry, nil, sim.share)
}

// synthetic traces per network profile: viewers share them from random
// offsets, so memory does not grow with the number of viewers.
const syntheticTraces = 32

func (sim *Sim) setupNetworks() error {
	for i, n := range sim.s.Networks {
		nw := network{cfg: n}
		if n.Trace != nil {
			if p, ok := sim.s.ResolveData(n.Trace.Path); ok {
				trs, err := netsim.LoadTraces(p, n.Trace.Format, n.Trace.Limit)
				if err != nil {
					return fmt.Errorf("networks[%d] %s: %w", i, n.Name, err)
				}
				nw.traces = trs
			}
		}
		if len(nw.traces) == 0 {
			r := rand.New(rand.NewPCG(sim.seed, uint64(0x7ace+i)))
			for k := 0; k < syntheticTraces; k++ {
				if n.Variation == 0 {
					nw.traces = append(nw.traces, netsim.Constant(n.Bandwidth.Bps()))
					break
				}
				nw.traces = append(nw.traces, netsim.RandomWalk(fmt.Sprintf("%s-%d", n.Name, k), r, n.Bandwidth.Bps(), n.Variation, n.Step.D(), 600))
			}
		}
		sim.nets = append(sim.nets, nw)
	}
	return nil
}

// runGCPercent is the garbage collector's target during a run, unless
// the GOGC environment variable sets one. A run's heap is almost all
// long-lived session state and its steady state hardly allocates, so a
// low target costs little CPU and keeps the resident size close to the
// live heap instead of twice it.
const runGCPercent = 20

// Run executes the simulation.
func (sim *Sim) Run() (*results.Results, error) {
	if _, set := os.LookupEnv("GOGC"); !set {
		defer debug.SetGCPercent(debug.SetGCPercent(runGCPercent))
	}
	start := sim.opt.Clock()
	cpu0 := cputime.Process()
	if len(sim.arr) > 0 {
		sim.eng.Schedule(sim.arr[0], evArrive, 0, 0)
		sim.next = 1
	}
	sim.eng.Schedule(sim.opt.Bucket, evTick, 0, 0)
	if len(sim.sample) > 0 {
		sim.eng.Schedule(0, evSample, 0, 0)
	}
	end := netsim.Never
	if sim.s.Duration > 0 {
		end = sim.s.Duration.D()
	}
	sim.eng.RunUntil(end, sim.handle, sim.stopped)
	now := sim.eng.Now()
	if end != netsim.Never && now < end && sim.done < sim.total {
		now = end
	}
	for i := range sim.vs {
		if v := &sim.vs[i]; v.core != nil || v.phase != phaseFree {
			sim.finish(int32(i), now, outcomeCut)
		}
	}
	if sim.err != nil {
		return nil, sim.err
	}
	if sim.jr != nil {
		sim.res.Browse = sim.jr.stats()
	}
	sim.tickBucket(now)
	sort.Slice(sim.res.Records, func(i, j int) bool { return sim.res.Records[i].Viewer < sim.res.Records[j].Viewer })
	sim.res.SimSeconds = now.Seconds()
	sim.res.WallSeconds = sim.opt.Clock().Sub(start).Seconds()
	if c := cputime.Process(); c > 0 {
		sim.res.CPUSeconds = (c - cpu0).Seconds()
	}
	sim.res.Events = sim.eng.Handled()
	sim.res.Aborted = sim.stop
	sim.res.PeakLoads()
	sim.report(now)
	return sim.res, nil
}

// ctxEvery is how many events run between looks at the context: often
// enough to stop within milliseconds, rare enough to cost nothing.
const ctxEvery = 1024

func (sim *Sim) stopped() bool {
	if sim.polls++; sim.polls%ctxEvery == 0 && sim.ctx != nil && sim.ctx.Err() != nil && sim.stop == "" {
		sim.stop = Interrupted
	}
	return sim.err != nil || sim.stop != "" || sim.done == sim.total
}

func (sim *Sim) handle(ev des.Event) {
	now := ev.At
	switch ev.Kind {
	case evFlow, evEdge:
		sim.net.Handle(now, ev.Kind, ev.ID, ev.Gen)
	case evArrive:
		sim.arrive(now, int(ev.ID))
	case evWake:
		if v := &sim.vs[ev.ID]; v.core != nil && v.wakeGen == ev.Gen {
			v.wakeAt = netsim.Never
			sim.step(ev.ID, now)
		}
	case evReqStart:
		sim.reqStart(now, ev.ID, ev.Gen)
	case evProgress:
		sim.progress(now, ev.ID, ev.Gen)
	case evCallReply, evCallTimeout:
		sim.callAnswer(now, ev.ID, ev.Gen, ev.Kind == evCallTimeout)
	case evCallDone:
		sim.callDone(now, ev.ID, ev.Gen)
	case evEnd, evAbandon, evSeek, evPause, evResume, evRetry, evScript, evPlay:
		sim.user(now, ev.Kind, ev.ID, ev.Gen)
	case evJourney:
		sim.journeyEvent(now, ev.ID, ev.Gen)
	case evHeartbeat:
		sim.heartbeat(now, ev.ID, ev.Gen)
	case evFault:
		sim.fault(now, int(ev.ID), ev.Gen == 0)
	case evTick:
		sim.tick(now)
	case evSample:
		sim.sampleTick(now)
	}
}

func (sim *Sim) tick(now time.Duration) {
	sim.tickBucket(now - 1)
	sim.report(now)
	if len(sim.abortO) > 0 && int(now/sim.opt.Bucket)%6 == 0 && len(sim.res.Records) > 0 {
		for _, v := range slo.Evaluate(sim.abortO, sim.res) {
			if !v.Held {
				sim.stop = v.Expr
			}
		}
	}
	if sim.done < sim.total {
		sim.eng.Schedule(now+sim.opt.Bucket, evTick, 0, 0)
	}
}

func (sim *Sim) report(now time.Duration) {
	if sim.opt.Progress == nil {
		return
	}
	sim.opt.Progress(policy.Progress{Now: now, Horizon: sim.horizon, Started: sim.done + sim.active,
		InFlight: sim.active, Finished: sim.done, Total: sim.total})
}

// tickBucket records the sessions active and stalled in the bucket of now.
func (sim *Sim) tickBucket(now time.Duration) {
	if now < 0 {
		now = 0
	}
	b := sim.res.Bucket(now)
	b.Active, b.Stalled = 0, 0
	for i := range sim.vs {
		v := &sim.vs[i]
		if v.phase == phaseFree {
			continue
		}
		b.Active++
		if v.core != nil && v.core.State() == player.StateStalled {
			b.Stalled++
		}
	}
}

func (sim *Sim) sampleTick(now time.Duration) {
	alive := false
	for id, slot := range sim.sample {
		if slot == -1 {
			alive = true // not arrived yet
			continue
		}
		if slot < 0 {
			continue // gone
		}
		v := &sim.vs[slot]
		if v.id != id || v.core == nil {
			continue
		}
		alive = true
		pt := results.Point{T: now.Seconds(), Bitrate: float64(v.core.Bitrate()), Buffer: v.core.Buffered(now).Seconds()}
		for k := range sim.res.Samples {
			if sim.res.Samples[k].Viewer == int(id) {
				sim.res.Samples[k].Points = append(sim.res.Samples[k].Points, pt)
			}
		}
	}
	if alive {
		sim.eng.Schedule(now+sampleEvery, evSample, 0, 0)
	}
}
