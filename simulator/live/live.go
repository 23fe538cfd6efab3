package live

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/player/steering"
	"github.com/abrkit/abrkit/player/transport"
	"github.com/abrkit/abrkit/simulator/arrival"
	"github.com/abrkit/abrkit/simulator/backend"
	"github.com/abrkit/abrkit/simulator/backend/control"
	"github.com/abrkit/abrkit/simulator/backend/faults"
	"github.com/abrkit/abrkit/simulator/backend/packager"
	"github.com/abrkit/abrkit/simulator/internal/cputime"
	"github.com/abrkit/abrkit/simulator/journey"
	"github.com/abrkit/abrkit/simulator/netsim"
	"github.com/abrkit/abrkit/simulator/policy"
	"github.com/abrkit/abrkit/simulator/results"
	"github.com/abrkit/abrkit/simulator/scenario"
)

// Options change a live run.
type Options struct {
	Viewers   int
	WatchTime time.Duration
	Seed      *uint64
	Shard     int
	Shards    int
	// Gateway is the URL of a running reference backend's gateway; empty
	// starts the embedded backend on loopback for the run.
	Gateway string
	// Admin and AdminToken reach that backend's admin API, through which
	// the scenario's faults are scheduled; a scenario with faults against
	// a running backend needs them.
	Admin      string
	AdminToken string
	Progress   func(p policy.Progress)
	Requests   func(r *vegeta.Result) error
	Bucket     time.Duration
	// Sessions, when set, is told +1 when a viewer's session begins (its
	// login came back) and -1 when it ends, so a caller can follow the
	// number of viewers in progress (memory per viewer, dashboards).
	Sessions func(delta int)
	// Events receives every player event of every viewer (by viewer id),
	// from the viewers' goroutines; nil to skip.
	Events func(viewer int, e player.Event)
}

// run is the shared state of one live run.
type run struct {
	s       *scenario.Scenario
	opt     Options
	seed    uint64
	start   time.Time
	gateway string
	urls    []string // plain manifest URLs (backend.urls)
	hc      *http.Client
	lists   *player.PlaylistCache // parsed media playlists, shared by every viewer
	mu      sync.Mutex            // guards res and the sink
	res     *results.Results
	edgeIx  map[string]int // edge host -> index in res.Edges
	edgeRTT []time.Duration
	cmcd    transport.CMCDMode
	traces  [][]*netsim.Trace
	regW    []float64
	devW    []float64
	netW    []float64
	zipf    []float64
	done    atomic.Int64
	started atomic.Int64
	seq     atomic.Uint64
	sinkErr error
	buffer  player.BufferPolicy
	walker  *journey.Walker // the scenario's journey, nil without
	// serviceOf is api.login or api.play for the journey's steps sent
	// to /v1/login or /v1/play under another name
	serviceOf map[string]string
	ladMu     sync.Mutex
	ladders   map[string]*manifest.Presentation // title+format or URL -> parsed manifest (nil: unavailable)
}

// Run plays the scenario in real time: viewers are real players (the
// real-time driver with net/http) against the reference backend on
// loopback (or plain URLs), arrivals paced through vegeta's attacker, each
// viewer's bandwidth shaped by its network profile. Bodies are counted and
// discarded; latencies are measured from when a request was due.
//
// With a journey, each viewer walks it over real HTTP against the gateway
// (journey.Walker) from its arrival: the play step's answer hands over to
// the player as above, heartbeats go on while it plays, and every step's
// latency goes into api.<step> and its timeline.
func Run(ctx context.Context, s *scenario.Scenario, opt Options) (*results.Results, error) {
	j, err := journey.FromScenario(s)
	if err != nil {
		return nil, err
	}
	if j != nil && s.Backend.Embedded == nil {
		return nil, ErrJourneyBackend
	}
	if opt.Gateway != "" && len(s.Faults) > 0 && opt.Admin == "" {
		return nil, ErrFaultsNeedAdmin
	}
	if err := policy.CheckContent(s); err != nil {
		return nil, err
	}
	bp, err := policy.BufferPolicy(s)
	if err != nil {
		return nil, err
	}
	cmcd, err := transport.ParseCMCDMode(s.CMCD)
	if err != nil {
		return nil, fmt.Errorf("cmcd: %w", err)
	}
	if opt.Shards <= 0 {
		opt.Shards = 1
	}
	if opt.Bucket <= 0 {
		opt.Bucket = 5 * time.Second
	}
	r := &run{s: s, opt: opt, seed: s.Seed, buffer: bp, cmcd: cmcd, edgeIx: map[string]int{}, ladders: map[string]*manifest.Presentation{}, lists: player.NewPlaylistCache(0), hc: &http.Client{Timeout: 10 * time.Second, Transport: newTransport()}}
	defer r.hc.CloseIdleConnections()
	if opt.Seed != nil {
		r.seed = *opt.Seed
	}
	r.res = results.New(opt.Bucket)
	res := r.res
	res.Scenario, res.Mode, res.Seed, res.Shards, res.ShardCount = s.Name, "live", r.seed, []int{opt.Shard}, opt.Shards
	res.Objectives = s.Objectives()
	for _, c := range s.Cohorts {
		if c.Control {
			res.ControlCohort = c.Name
		}
	}
	var bk *backend.Backend
	if s.Backend.Embedded != nil && opt.Gateway == "" {
		cat := packager.DefaultCatalog(s.Content.Titles)
		for i := range cat.Titles {
			cat.Titles[i].Duration = s.Content.TitleLength.D()
			cat.Titles[i].SegmentDuration = s.Content.SegmentLen.D()
		}
		b, err := backend.Start(ctx, backend.Options{Topology: s.Topology, Catalog: cat})
		if err != nil {
			return nil, fmt.Errorf("start the reference backend: %w", err)
		}
		defer b.Close(context.Background())
		bk = b
		r.gateway = b.GatewayURL()
		for _, e := range b.Edges {
			r.addEdge(e.URL(), e.ID(), e.Region())
		}
	} else if s.Backend.Embedded != nil {
		r.gateway = opt.Gateway
	} else {
		r.urls = s.Backend.URLs
	}
	r.setupProfiles()
	r.start = time.Now()
	if j != nil {
		if err := r.setupJourney(j); err != nil {
			return nil, err
		}
		defer r.walker.Close()
	}
	cpu0 := cputime.Process()
	var schedule func(time.Time, faults.Fault) error
	switch {
	case bk != nil:
		schedule = bk.Faults.Schedule
	case opt.Admin != "":
		hc := &http.Client{Timeout: 10 * time.Second}
		schedule = func(at time.Time, f faults.Fault) error {
			return faults.Post(ctx, hc, opt.Admin, opt.AdminToken, faults.RequestAt(f, at))
		}
	}
	if schedule != nil {
		marks, err := scheduleFaults(schedule, s, r.start)
		if err != nil {
			return nil, err
		}
		res.Faults = marks
	}
	n := s.Viewers.Count
	if opt.Viewers > 0 {
		n = opt.Viewers
	}
	times, err := arrival.Times(s.ArrivalFor(n), n, rand.New(rand.NewPCG(r.seed, 0xa77)))
	if err != nil {
		return nil, err
	}
	var due []time.Duration
	var ids []int
	for i, t := range times {
		if i%opt.Shards == opt.Shard {
			due, ids = append(due, t), append(ids, i)
		}
	}
	res.Viewers = len(due)
	stopTick := r.ticker(ctx, due)
	var wg sync.WaitGroup
	r.arrive(ctx, due, func(k int, login *vegeta.Result) {
		wg.Add(1)
		if opt.Sessions != nil {
			opt.Sessions(1)
		}
		go r.viewer(ctx, ids[k], r.start.Add(due[k]), login, func() {
			if opt.Sessions != nil {
				opt.Sessions(-1)
			}
			wg.Done()
		})
	})
	wg.Wait()
	stopTick()
	if bk != nil {
		r.edgeCounts(bk)
	}
	res.SimSeconds = time.Since(r.start).Seconds()
	res.WallSeconds = res.SimSeconds
	if c := cputime.Process(); c > 0 {
		// the whole process: players, and the embedded backend when it runs here
		res.CPUSeconds = (c - cpu0).Seconds()
	}
	sort.Slice(res.Records, func(i, j int) bool { return res.Records[i].Viewer < res.Records[j].Viewer })
	res.PeakLoads()
	if r.sinkErr != nil {
		return nil, r.sinkErr
	}
	return res, ctx.Err()
}

// newTransport is the HTTP transport every viewer of a run shares. Bodies
// are read at loopback speed and the link shaping waits afterwards, so a
// connection is busy only briefly and a few hundred pooled keep-alive
// connections serve thousands of viewers. http.DefaultTransport keeps only
// 2 idle connections per host: with thousands of viewers on a few edges
// nearly every request would dial (and leave a TIME_WAIT socket behind).
func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 0 // no total bound; per host below
	t.MaxIdleConnsPerHost = 1024
	t.IdleConnTimeout = 30 * time.Second
	t.DisableCompression = true
	t.ForceAttemptHTTP2 = false
	return t
}

func (r *run) addEdge(base, id, region string) int {
	u, err := url.Parse(base)
	if err != nil {
		return -1
	}
	if i, ok := r.edgeIx[u.Host]; ok {
		return i
	}
	r.res.Edges = append(r.res.Edges, results.EdgeStat{Name: id, Region: region})
	r.edgeIx[u.Host] = len(r.res.Edges) - 1
	if r.s.Topology != nil {
		if e, ok := r.s.Topology.Edge(id); ok {
			r.edgeRTT = append(r.edgeRTT, e.RTT)
		}
	}
	r.edgeRTT = append(r.edgeRTT, 0)[:len(r.res.Edges)]
	return len(r.res.Edges) - 1
}

// edgeCounts copies what each embedded edge counted into the results:
// hits and misses of its cache and live store (a request that waited for
// another's origin fetch is a hit), and its origin fetches of live
// objects.
func (r *run) edgeCounts(b *backend.Backend) {
	for _, e := range b.Edges {
		i, ok := r.edgeAt(e.URL())
		if !ok {
			continue
		}
		cs, ls, es := e.Cache().Stats(), e.LiveStats(), &r.res.Edges[i]
		es.Hits, es.Misses = cs.Hits+cs.Coalesced+ls.Hits+ls.Coalesced, cs.Misses+ls.Fetches
		es.OriginRequests, es.OriginObjects = ls.Fetches, ls.Objects
	}
}

// edgeAt is the index in the results of the edge serving URL u.
func (r *run) edgeAt(u string) (int, bool) {
	pu, err := url.Parse(u)
	if err != nil {
		return 0, false
	}
	i, ok := r.edgeIx[pu.Host]
	return i, ok
}

// rttTo is the modelled round trip of the edge serving u (loopback has
// none), as the virtual driver adds it to every first byte.
func (r *run) rttTo(u string) time.Duration {
	if i, ok := r.edgeAt(u); ok {
		return r.edgeRTT[i]
	}
	return 0
}

func (r *run) setupProfiles() {
	s := r.s
	for _, d := range s.Devices {
		r.devW = append(r.devW, d.Weight)
	}
	for _, rg := range s.Regions {
		r.regW = append(r.regW, rg.Weight)
	}
	for i, n := range s.Networks {
		r.netW = append(r.netW, n.Weight)
		var trs []*netsim.Trace
		if n.Trace != nil {
			if p, ok := s.ResolveData(n.Trace.Path); ok {
				trs, _ = netsim.LoadTraces(p, n.Trace.Format, n.Trace.Limit)
			}
		}
		if len(trs) == 0 {
			rr := rand.New(rand.NewPCG(r.seed, uint64(0x7ace+i)))
			if n.Variation == 0 {
				trs = []*netsim.Trace{netsim.Constant(n.Bandwidth.Bps())}
			} else {
				for k := 0; k < 8; k++ {
					trs = append(trs, netsim.RandomWalk(n.Name, rr, n.Bandwidth.Bps(), n.Variation, n.Step.D(), 600))
				}
			}
		}
		r.traces = append(r.traces, trs)
	}
	sum := 0.0
	for k := 0; k < s.Content.Titles; k++ {
		sum += 1 / pow(float64(k+1), s.Content.Zipf)
		r.zipf = append(r.zipf, sum)
	}
	for k := range r.zipf {
		r.zipf[k] /= sum
	}
}

// arrive paces the viewers' logins through vegeta's attacker: a pacer
// that replays the arrival times, one login per hit; each result starts
// its viewer. With plain URLs there is no login and viewers start on time.
func (r *run) arrive(ctx context.Context, due []time.Duration, start func(k int, login *vegeta.Result)) {
	n := len(due)
	if n == 0 {
		return
	}
	if r.gateway == "" || r.walker != nil {
		for k := range due {
			t := time.NewTimer(time.Until(r.start.Add(due[k])))
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return
			}
			start(k, nil)
		}
		return
	}
	pacer := replay{due: due, ctx: ctx}
	var next atomic.Int64
	targeter := func(t *vegeta.Target) error {
		k := next.Add(1) - 1
		body, _ := json.Marshal(control.LoginRequest{User: fmt.Sprintf("viewer-%d", k), Password: "abrkit"})
		t.Method, t.URL, t.Body = http.MethodPost, r.gateway+"/v1/login", body
		t.Header = http.Header{"Content-Type": []string{"application/json"}}
		return nil
	}
	atk := vegeta.NewAttacker(vegeta.Timeout(5*time.Second), vegeta.MaxBody(4096), vegeta.Workers(8), vegeta.MaxWorkers(uint64(min(n, 1024))))
	for res := range atk.Attack(targeter, pacer, 0, r.s.Name) {
		k := int(res.Seq)
		if k >= n {
			continue
		}
		start(k, res)
	}
}

func (r *run) ticker(ctx context.Context, due []time.Duration) (stop func()) {
	if r.opt.Progress == nil || len(due) == 0 {
		return func() {}
	}
	watch := r.opt.WatchTime
	if watch <= 0 {
		watch = r.s.Session.WatchTime.MeanValue()
	}
	horizon := policy.Horizon(due[len(due)-1], watch, r.s.Duration.D())
	report := func() {
		done, started := int(r.done.Load()), int(r.started.Load())
		r.opt.Progress(policy.Progress{Now: time.Since(r.start), Horizon: horizon, Started: started,
			InFlight: started - done, Finished: done, Total: len(due)})
	}
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				report()
			case <-quit:
				report()
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return func() { close(quit); wg.Wait() }
}

// record adds one request to the accounts; due is when it was due.
func (r *run) record(class string, method, u string, due time.Time, status int, bytes int64, err error) {
	lat := time.Since(due)
	failed := err != nil || status/100 != 2
	r.mu.Lock()
	defer r.mu.Unlock()
	r.res.Classes[class].Add(lat, failed)
	b := r.res.Bucket(time.Since(r.start))
	b.Requests++
	if failed {
		b.Errors++
	}
	if pu, perr := url.Parse(u); perr == nil {
		if i, ok := r.edgeIx[pu.Host]; ok {
			e := &r.res.Edges[i]
			e.Requests++
			b.EdgeReqs[i]++
			if failed {
				e.Errors++
			} else {
				e.Bytes += float64(bytes)
				b.EdgeBytes[i] += float64(bytes)
			}
		}
	}
	if r.opt.Requests != nil && r.sinkErr == nil {
		res := vegeta.Result{Attack: r.s.Name, Seq: r.seq.Add(1), Code: uint16(status), Timestamp: due, Latency: lat, BytesIn: uint64(bytes), Method: method, URL: u}
		if err != nil {
			res.Error = err.Error()
		}
		r.sinkErr = r.opt.Requests(&res)
	}
}

// viewer is one real player session; end is called once when it is
// over. The viewer's goroutine lasts until the first frame: a viewer
// then watching is a player and two timers (see ending), so thousands
// of them keep no goroutine of their own.
func (r *run) viewer(ctx context.Context, id int, due time.Time, login *vegeta.Result, end func()) {
	r.started.Add(1)
	s := r.s
	rng := rand.New(rand.NewPCG(r.seed, uint64(id)+1))
	region := pick(rng, r.regW)
	rng.IntN(3) // keep the draw sequence of the virtual driver (home edge)
	dev := s.Devices[pick(rng, r.devW)]
	ni := pick(rng, r.netW)
	title := fmt.Sprintf("t%d", searchCum(r.zipf, rng.Float64())+1)
	if chans := policy.Channels(s); len(chans) > 0 {
		if k, ok := policy.LiveChannel(rng.Float64(), float64(s.Content.LiveShare), len(chans)); ok {
			title = chans[k].ID
		}
	}
	trs := r.traces[ni]
	tr := trs[rng.IntN(len(trs))]
	link := netsim.Link{Trace: tr, Offset: time.Duration(rng.Int64N(int64(tr.Period())))}
	watch := s.Session.WatchTime.Sample(rng)
	if r.opt.WatchTime > 0 {
		watch = r.opt.WatchTime
	}
	rec := results.Record{Viewer: id, Device: dev.Name, Network: s.Networks[ni].Name, Cohort: dev.Cohort, ABR: policy.ABRName(dev.ABR),
		ArriveS: due.Sub(r.start).Seconds(), Title: title}
	if len(s.Regions) > 0 {
		rec.Region = s.Regions[region].Name
	}
	finish := func() {
		r.mu.Lock()
		r.res.Records = append(r.res.Records, rec)
		if rec.Failed {
			r.res.Bucket(time.Since(r.start)).Failures++
		}
		r.mu.Unlock()
		r.done.Add(1)
		end()
	}
	handedOff := false
	defer func() {
		if !handedOff {
			finish()
		}
	}()
	pr := profile{dev: dev, net: ni, link: link, watch: watch}
	if r.walker != nil {
		r.journey(ctx, id, &rec, pr, rng)
		return
	}
	var manifest string
	var edges []steering.Edge
	var tel *player.Telemetry
	var err error
	if a := s.Backend.Adapter; a != nil {
		vars := strings.NewReplacer("{viewer}", fmt.Sprint(id), "{title}", rec.Title, "{region}", rec.Region, "{device}", dev.Name)
		manifest, err = r.adapterSession(ctx, a, due, vars)
	} else {
		manifest, edges, tel, err = r.api(ctx, login, due, rec.Title, rec.Region, s.Content.Format, rng)
		if len(r.urls) > 0 && err == nil {
			rec.Title = manifest // a user's URL is the title the viewer played
		}
	}
	if err != nil {
		rec.Failed, rec.Reason = true, err.Error()
		return
	}
	handedOff = r.playback(ctx, id, due, &rec, pr, manifest, edges, tel, finish)
}

// profile is what a viewer was drawn to be.
type profile struct {
	dev   scenario.Device
	net   int // index in the scenario's networks
	link  netsim.Link
	watch time.Duration
}

// playback plays manifest as the viewer from due (when the play API was
// asked) until its watch time is over, filling rec. With then set and no
// session script, it returns true once the first frame is shown and the
// session goes on without this goroutine: then is called when it is
// over. Otherwise it returns false when the session is over.
func (r *run) playback(ctx context.Context, id int, due time.Time, rec *results.Record, pr profile, manifest string, edges []steering.Edge, tel *player.Telemetry, then func()) bool {
	s, dev, ni, link, watch := r.s, pr.dev, pr.net, pr.link, pr.watch
	opts := []player.Option{player.WithBufferPolicy(r.buffer), player.WithCMCD(r.cmcd), player.WithContentID(rec.Title), player.WithPlaylistCache(r.lists),
		player.WithFetcher(&shaped{r: r, link: link, rtt: s.Networks[ni].RTT.D(), start: r.start, inner: transport.NewHTTP(transport.HTTPConfig{Client: r.hc, CMCD: r.cmcd})})}
	if len(edges) > 0 {
		opts = append(opts, player.WithEdges(edges), player.WithProbing(s.Session.ProbeEdges))
	}
	if tel != nil {
		opts = append(opts, player.WithTelemetry(*tel))
	}
	if dev.MaxHeight > 0 {
		key := rec.Title + path.Ext(strings.SplitN(manifest, "?", 2)[0])
		if s.Backend.Embedded == nil {
			key = manifest
		}
		if bps := policy.MaxBitrate(r.ladder(ctx, key, manifest), dev.MaxHeight); bps > 0 {
			opts = append(opts, player.WithMaxBitrate(bps))
		}
	}
	a, err := policy.NewABR(dev.ABR)
	if err != nil {
		rec.Failed, rec.Reason = true, err.Error()
		return false
	}
	opts = append(opts, player.WithABR(a))
	first := make(chan time.Time, 1)
	over := &ending{}
	opts = append(opts, player.WithListener(player.ListenerFunc(func(e player.Event) {
		if r.opt.Events != nil {
			r.opt.Events(id, e)
		}
		switch {
		case e.Kind == player.EventFirstFrame:
			select {
			case first <- time.Now():
			default:
			}
		case e.Kind == player.EventEnded, e.Kind == player.EventError && e.Fatal:
			over.playerOver()
		}
	})))
	p, err := player.New(opts...)
	if err != nil {
		rec.Failed, rec.Reason = true, err.Error()
		return false
	}
	handedOff := false
	defer func() {
		if !handedOff {
			p.Close()
		}
	}()
	abandon := s.Session.AbandonAfter.D()
	if abandon <= 0 {
		abandon = time.Hour
	}
	lctx, cancel := context.WithDeadline(ctx, due.Add(abandon))
	err = p.Load(lctx, manifest)
	cancel()
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		rec.Failed, rec.Reason = true, err.Error()
		return false
	}
	wait := time.NewTimer(time.Until(due.Add(abandon)))
	var firstAt time.Time
	select {
	case firstAt = <-first:
		wait.Stop()
		rec.Started, rec.StartupS = true, firstAt.Sub(due).Seconds()
		r.mu.Lock()
		r.res.Bucket(time.Since(r.start)).Starts++
		r.mu.Unlock()
	case <-wait.C:
		rec.Abandoned, rec.Reason = true, "start-up took too long"
	case <-ctx.Done():
		wait.Stop()
	}
	if rec.Started && then != nil && len(r.s.Session.Script) == 0 {
		handedOff = true
		over.arm(ctx, firstAt.Add(watch), func() {
			account(p, rec)
			p.Close()
			then()
		})
		return true
	}
	if rec.Started {
		r.watch(ctx, p, firstAt, watch)
	}
	account(p, rec)
	return false
}

// account copies the player's QoE into the viewer's record.
func account(p *player.Player, rec *results.Record) {
	q := p.QoE()
	rec.PlayS, rec.StallS, rec.RebufferRatio, rec.Stalls = q.PlaySeconds, q.StallSeconds, q.RebufferRatio, q.Stalls
	rec.AvgBitrate, rec.Switches, rec.ServerChanges, rec.Errors, rec.Bytes = q.AvgBitrate, q.Switches, q.ServerChanges, q.Errors, q.Bytes
	rec.SegmentsAbandoned = q.Abandoned
	rec.Live, rec.LiveLatencyS = q.Live, q.LiveLatencySeconds
	if q.FatalError != "" {
		// a failure, not a viewer who gave up (counted once)
		rec.Failed, rec.Abandoned, rec.Reason = true, false, q.FatalError
	}
}

// ending ends a watching viewer's session once, at the first of: its
// watch time is over, the player ended or failed, the run is cancelled
// (as watch does, without a goroutine waiting for it).
type ending struct {
	mu     sync.Mutex
	over   bool   // the player ended or failed
	done   func() // set by arm; nil again once called
	timer  *time.Timer
	stopCx func() bool
}

// playerOver is told by the player's listener that the session ended or
// failed.
func (e *ending) playerOver() {
	e.mu.Lock()
	e.over = true
	armed := e.done != nil
	e.mu.Unlock()
	if armed {
		go e.fire() // not on the player's goroutine: done closes the player
	}
}

// arm calls done at the watch time's end (at), when the player ends or
// fails, or when ctx is done, whichever comes first.
func (e *ending) arm(ctx context.Context, at time.Time, done func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.done = done
	if e.over {
		go e.fire()
		return
	}
	e.timer = time.AfterFunc(time.Until(at), e.fire)
	e.stopCx = context.AfterFunc(ctx, e.fire)
}

func (e *ending) fire() {
	e.mu.Lock()
	done := e.done
	e.done = nil
	if e.timer != nil {
		e.timer.Stop()
	}
	if e.stopCx != nil {
		e.stopCx()
	}
	e.mu.Unlock()
	if done != nil {
		done()
	}
}

// watch plays until the watch time is over, the title ends or fails, or
// ctx is done, carrying out session.script on the way (timed from the
// first frame, as the virtual driver does).
func (r *run) watch(ctx context.Context, p *player.Player, firstAt time.Time, watch time.Duration) {
	wctx, cancel := context.WithDeadline(ctx, firstAt.Add(watch))
	defer cancel()
	if len(r.s.Session.Script) == 0 {
		_ = p.Wait(wctx)
		return
	}
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		_ = p.Wait(wctx) // the outcome is read from the QoE
	}()
	sleep := func(d time.Duration) bool {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return true
		case <-ended:
			return false
		}
	}
	for _, st := range r.s.Session.Script {
		if !sleep(time.Until(firstAt.Add(st.At.D()))) {
			return
		}
		if st.Seek != nil {
			p.Seek(st.Seek.D())
			continue
		}
		p.Pause()
		if !sleep(st.Pause.D()) {
			return
		}
		p.Play()
	}
	<-ended
}

// ladder returns the parsed manifest of a title (one fetch per key and
// run, shared by its viewers, not counted in the results), or nil.
func (r *run) ladder(ctx context.Context, key, u string) *manifest.Presentation {
	r.ladMu.Lock()
	p, ok := r.ladders[key]
	r.ladMu.Unlock()
	if ok {
		return p
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err == nil {
		var resp *http.Response
		if resp, err = r.hc.Do(hr); err == nil {
			body, rerr := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
			resp.Body.Close()
			if rerr == nil && resp.StatusCode/100 == 2 {
				p, _ = manifest.Parse(body, u)
			}
		}
	}
	r.ladMu.Lock()
	r.ladders[key] = p
	r.ladMu.Unlock()
	return p
}

// api logs in (the attacker already did) and asks the playback API for
// the title; it returns the manifest URL and the ranked edges.
func (r *run) api(ctx context.Context, login *vegeta.Result, due time.Time, title, region, format string, rng *rand.Rand) (string, []steering.Edge, *player.Telemetry, error) {
	if r.gateway == "" {
		if len(r.urls) == 0 {
			return "", nil, nil, errors.New("no backend URLs")
		}
		return r.urls[rng.IntN(len(r.urls))], nil, nil, nil
	}
	var token string
	if login != nil {
		r.record(results.ClassLogin, login.Method, login.URL, due, int(login.Code), int64(login.BytesIn), errorOf(login.Error))
		if login.Code/100 != 2 {
			return "", nil, nil, fmt.Errorf("login: status %d %s", login.Code, login.Error)
		}
		var lr control.LoginResponse
		if err := json.Unmarshal(login.Body, &lr); err != nil {
			return "", nil, nil, fmt.Errorf("login: %w", err)
		}
		token = lr.Token
	}
	var resp control.PlayResponse
	var err error
	for attempt := 0; attempt <= 2; attempt++ {
		callDue := time.Now()
		if attempt == 0 {
			callDue = due
		}
		var status int
		resp, status, err = r.play(ctx, token, control.PlayRequest{Title: title, Region: region})
		r.record(results.ClassPlay, http.MethodPost, r.gateway+"/v1/play", callDue, status, 0, err)
		if err == nil {
			break
		}
		select {
		case <-time.After(time.Duration(attempt+1) * time.Second):
		case <-ctx.Done():
			return "", nil, nil, ctx.Err()
		}
	}
	if err != nil {
		return "", nil, nil, fmt.Errorf("play: %w", err)
	}
	m, edges, tel := r.fromPlay(resp, token, format, rng)
	return m, edges, tel, nil
}

// fromPlay reads the playback API's answer: the manifest URL of the
// scenario's format, the ranked edges and where QoE beacons go.
func (r *run) fromPlay(resp control.PlayResponse, token, format string, rng *rand.Rand) (string, []steering.Edge, *player.Telemetry) {
	var edges []steering.Edge
	for _, e := range resp.Edges {
		edges = append(edges, steering.Edge{ID: e.ID, URL: e.URL})
	}
	m := resp.HLS
	if format == "dash" || m == "" || (format == "mixed" && rng.IntN(2) == 0) {
		if resp.DASH != "" {
			m = resp.DASH
		}
	}
	// QoE beacons go to the gateway's telemetry intake, as a device's would
	tel := &player.Telemetry{URL: r.gateway + "/v1/events", Session: resp.Session, Client: r.hc}
	if token != "" {
		tel.Header = http.Header{"Authorization": []string{"Bearer " + token}}
	}
	return m, edges, tel
}

func (r *run) play(ctx context.Context, token string, req control.PlayRequest) (control.PlayResponse, int, error) {
	var out control.PlayResponse
	body, _ := json.Marshal(req)
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, r.gateway+"/v1/play", bytes.NewReader(body))
	if err != nil {
		return out, 0, err
	}
	hr.Header.Set("Content-Type", "application/json")
	if token != "" {
		hr.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := r.hc.Do(hr)
	if err != nil {
		return out, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return out, resp.StatusCode, fmt.Errorf("status %d", resp.StatusCode)
	}
	return out, resp.StatusCode, json.NewDecoder(resp.Body).Decode(&out)
}

func errorOf(s string) error {
	if s == "" {
		return nil
	}
	return errors.New(s)
}

// replay is a vegeta pacer that replays precomputed arrival times.
type replay struct {
	due []time.Duration
	ctx context.Context
}

var _ vegeta.Pacer = replay{}

func (p replay) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	if hits >= uint64(len(p.due)) || p.ctx.Err() != nil {
		return 0, true
	}
	if d := p.due[hits] - elapsed; d > 0 {
		return d, false
	}
	return 0, false
}

// Rate is the arrival rate around elapsed (for vegeta's reporting).
func (p replay) Rate(elapsed time.Duration) float64 {
	i := sort.Search(len(p.due), func(i int) bool { return p.due[i] > elapsed })
	j := sort.Search(len(p.due), func(i int) bool { return p.due[i] > elapsed+time.Second })
	return float64(j - i)
}
