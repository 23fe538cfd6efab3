package catalog

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/simulator/backend/faults"
	"github.com/abrkit/abrkit/simulator/backend/queue"
	"github.com/abrkit/abrkit/simulator/backend/topology"
)

// DefaultPartitions is the telemetry pipeline's partitions unless configured.
const DefaultPartitions = 8

// Service names: the gateway's breakers and fault targets for the routes.
const (
	SvcHome      = "home"
	SvcRows      = "rows"
	SvcSearch    = "search"
	SvcDetails   = "details"
	SvcHeartbeat = "heartbeat"
)

// Fault target names besides the cache nodes ("cache-0", ...).
const (
	TargetDatastore = "datastore"
	TargetConsumers = "heartbeat-consumers"
)

// Config sets a catalog up; zero values take the defaults named.
type Config struct {
	// Titles are the title ids rows and search draw from; empty: 100
	// generated ids ("title-000", ...).
	Titles []string
	// Rows is the number of rows (default 40); HomeRows how many the home
	// page assembles (default 10, at most 64); RowSize the items per page
	// (default 20); Pages the pages per row (default 5).
	Rows, HomeRows, RowSize, Pages int
	// CacheNodes (default 4) hold CacheCapacity entries each (default
	// 10,000) for CacheTTL (default 60s); a viewer's home is cached for
	// HomeTTL (default 30s), a viewer's profile for ProfileTTL (default
	// 10m: it changes rarely).
	CacheNodes, CacheCapacity     int
	CacheTTL, HomeTTL, ProfileTTL time.Duration
	// CacheLatency is one cache round trip (default median 300µs, p99 2ms).
	CacheLatency topology.ServiceTime
	// DatastoreLatency is one read (default median 4ms, p99 30ms);
	// DatastoreConcurrency bounds reads at once (default 64);
	// DatastoreTimeout bounds a read, waiting for a slot included
	// (default 250ms).
	DatastoreLatency     topology.ServiceTime
	DatastoreConcurrency int
	DatastoreTimeout     time.Duration
	// Pipeline is the telemetry pipeline heartbeats go into (the gateway
	// shares its own with /v1/events; it runs its consumers); nil: the
	// catalog makes one of Partitions (default 8) of PartitionCapacity
	// records each (default 1024), which Start runs.
	Pipeline                      *queue.Pipeline
	Partitions, PartitionCapacity int
	// StaleHomes bounds the stale homes kept for fallbacks (default 100,000).
	StaleHomes int
	// Release, when it has rows or titles, holds the last Release.Titles
	// titles back and adds Release.Rows rows at Release.At after New (see
	// topology.Release): from then on every home, row page and search
	// answer is a new cache key, so the cache is cold for the new season.
	Release topology.Release
	// Clock defaults to the wall clock; Sleep to a timer.
	Clock clock.Clock
	Sleep func(context.Context, time.Duration) error
	// Breaker makes the datastore client's breaker; nil: none.
	Breaker func() Breaker
	// Registerer, when set, gets the catalog's metrics.
	Registerer prometheus.Registerer
	// Virtual runs the catalog inside a discrete-event simulation: Clock
	// is the simulation's, nothing sleeps or blocks, the datastore's
	// concurrency limit is a FIFO queue of the times its slots free up,
	// the home fan-out runs in the caller, and heartbeats are consumed as
	// they arrive unless the consumers are stalled. The modelled times
	// returned are those a real run would take.
	Virtual bool
}

func (c *Config) defaults() error {
	set := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	setD := func(p *time.Duration, v time.Duration) {
		if *p == 0 {
			*p = v
		}
	}
	set(&c.Rows, 40)
	set(&c.HomeRows, 10)
	set(&c.RowSize, 20)
	set(&c.Pages, 5)
	set(&c.CacheNodes, 4)
	set(&c.CacheCapacity, 10_000)
	set(&c.DatastoreConcurrency, 64)
	set(&c.Partitions, DefaultPartitions)
	set(&c.PartitionCapacity, 1024)
	set(&c.StaleHomes, 100_000)
	setD(&c.CacheTTL, 60*time.Second)
	setD(&c.HomeTTL, 30*time.Second)
	setD(&c.ProfileTTL, 10*time.Minute)
	setD(&c.DatastoreTimeout, 250*time.Millisecond)
	if c.CacheLatency.Median == 0 {
		c.CacheLatency = topology.ServiceTime{Median: 300 * time.Microsecond, P99: 2 * time.Millisecond}
	}
	if c.DatastoreLatency.Median == 0 {
		c.DatastoreLatency = topology.ServiceTime{Median: 4 * time.Millisecond, P99: 30 * time.Millisecond}
	}
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
	if c.Virtual {
		c.Sleep = func(context.Context, time.Duration) error { return nil }
	}
	if c.Sleep == nil {
		c.Sleep = clock.Real{}.Sleep
	}
	if len(c.Titles) == 0 {
		for i := range 100 {
			c.Titles = append(c.Titles, fmt.Sprintf("title-%03d", i))
		}
	}
	switch {
	case c.Rows < 1 || c.Rows > 10_000, c.HomeRows < 1 || c.HomeRows > 64 || c.HomeRows > c.Rows,
		c.RowSize < 1 || c.RowSize > 500, c.Pages < 1 || c.Pages > 1000:
		return fmt.Errorf("catalog: rows %d, home rows %d, row size %d, pages %d out of range", c.Rows, c.HomeRows, c.RowSize, c.Pages)
	case c.CacheNodes < 1 || c.CacheNodes > 256, c.CacheCapacity < 1, c.DatastoreConcurrency < 1,
		c.Partitions < 1 || c.Partitions > 1024, c.PartitionCapacity < 1, c.StaleHomes < 1:
		return errors.New("catalog: cache nodes, capacities, concurrency or partitions out of range")
	case c.Release.At < 0, c.Release.Rows < 0 || c.Release.Rows > 1000, c.Release.Titles < 0 || c.Release.Titles >= len(c.Titles):
		return fmt.Errorf("catalog: release at %v of %d rows and %d of %d titles out of range", c.Release.At, c.Release.Rows, c.Release.Titles, len(c.Titles))
	}
	return nil
}

// rowNames name the rows, cycled ("Trending Now 2", ...).
var rowNames = []string{"Continue Watching", "Trending Now", "New Releases", "Top 10", "Because You Watched",
	"Award Winners", "Documentaries", "Comedies", "Thrillers", "Kids & Family"}

// Catalog is the browse plane's services and their dependencies.
type Catalog struct {
	cfg       Config
	Cache     *Tier
	Datastore *Datastore
	// Pipeline is the telemetry pipeline heartbeats go into.
	Pipeline *queue.Pipeline
	ownPipe  bool
	titles   map[string]int
	// generic is the editorial home before and after the release.
	generic [2]Home
	// start is when the catalog was made; base the titles listed before
	// the release.
	start time.Time
	base  int

	mu        sync.Mutex
	staleHome map[string]Home
	staleRow  map[string]RowPage

	cancel context.CancelFunc
	done   chan struct{}

	requests *prometheus.CounterVec
	seconds  *prometheus.HistogramVec
}

// New builds a catalog; Start runs its heartbeat consumers.
func New(cfg Config) (*Catalog, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	b := Breaker(noBreaker{})
	if cfg.Breaker != nil {
		b = cfg.Breaker()
	}
	c := &Catalog{cfg: cfg, titles: map[string]int{}, staleHome: map[string]Home{}, staleRow: map[string]RowPage{},
		Cache:     newTier(cfg.CacheNodes, cfg.CacheCapacity, cfg.CacheTTL, cfg.CacheLatency, cfg.Clock.Now, cfg.Sleep),
		Datastore: newDatastore(cfg.DatastoreLatency, cfg.DatastoreConcurrency, cfg.DatastoreTimeout, cfg.Clock, cfg.Sleep, b, cfg.Virtual),
		Pipeline:  cfg.Pipeline}
	if c.Pipeline == nil {
		c.Pipeline, c.ownPipe = queue.NewPipeline(cfg.Partitions, cfg.PartitionCapacity, cfg.Clock, cfg.Virtual), true
	}
	for i, t := range cfg.Titles {
		c.titles[t] = i
	}
	c.start, c.base = cfg.Clock.Now(), len(cfg.Titles)-cfg.Release.Titles
	for i, v := range []view{c.viewAt(false), c.viewAt(true)} {
		rows := c.homeRows(v, "")
		for _, r := range rows {
			c.generic[i].Rows = append(c.generic[i].Rows, c.rowPage(v, r, 0))
		}
		c.generic[i].Fallback = "generic"
	}
	c.metrics()
	return c, nil
}

// Register makes the cache nodes, the datastore and the heartbeat
// consumers fault targets.
func (c *Catalog) Register(fc *faults.Controller) {
	for _, n := range c.Cache.nodes {
		fc.Register(n.name, n)
	}
	fc.Register(TargetDatastore, c.Datastore)
	fc.Register(TargetConsumers, c.Pipeline)
}

// Start runs the consumers of the pipeline the catalog made until Close.
func (c *Catalog) Start() {
	if c.cancel != nil || !c.ownPipe {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel, c.done = cancel, make(chan struct{})
	go func() {
		defer close(c.done)
		c.Pipeline.Run(ctx)
	}()
}

// Close stops the consumers.
func (c *Catalog) Close() {
	if c.cancel != nil {
		c.cancel()
		<-c.done
		c.cancel = nil
	}
}

// view is what the browse plane lists at a moment: before or after the
// release.
type view struct {
	released bool
	// gen prefixes the cache keys of homes, row pages and search answers:
	// a release makes every one cached before it stale.
	gen    string
	rows   int
	titles int
}

func (c *Catalog) viewAt(released bool) view {
	if !released {
		return view{rows: c.cfg.Rows, titles: c.base}
	}
	return view{released: true, gen: "r1:", rows: c.cfg.Rows + c.cfg.Release.Rows, titles: len(c.cfg.Titles)}
}

// view returns what is listed now.
func (c *Catalog) view() view {
	r := c.cfg.Release
	return c.viewAt((r.Rows > 0 || r.Titles > 0) && !c.cfg.Clock.Now().Before(c.start.Add(r.At)))
}

// Released reports whether the release (if any) has dropped.
func (c *Catalog) Released() bool { return c.view().released }

// Rows returns the number of rows listed now ("row-0" to "row-N-1").
func (c *Catalog) Rows() int { return c.view().rows }

// Titles returns the titles listed now.
func (c *Catalog) Titles() []string { return c.cfg.Titles[:c.view().titles] }

func (c *Catalog) rowPage(v view, row, page int) RowPage {
	rp := RowPage{ID: "row-" + strconv.Itoa(row), Page: page, Pages: c.cfg.Pages}
	from, n, k := 0, v.titles, row
	if row >= c.cfg.Rows {
		// a new row: the new titles, or every title when none are new
		k = row - c.cfg.Rows
		rp.Name = "New Season"
		if k > 0 {
			rp.Name += " " + strconv.Itoa(k+1)
		}
		if c.cfg.Release.Titles > 0 {
			from, n = c.base, c.cfg.Release.Titles
		}
	} else {
		rp.Name = rowNames[row%len(rowNames)]
		if row >= len(rowNames) {
			rp.Name += " " + strconv.Itoa(row/len(rowNames)+1)
		}
	}
	for j := range c.cfg.RowSize {
		id := c.cfg.Titles[from+(k*7+page*c.cfg.RowSize+j)%n]
		rp.Items = append(rp.Items, Item{ID: id, Title: strings.ToUpper(id[:1]) + id[1:]})
	}
	return rp
}

// parseRow returns the row number of "row-N" if v lists it.
func parseRow(v view, id string) (int, bool) {
	s, ok := strings.CutPrefix(id, "row-")
	if !ok || len(s) > 6 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 0 && n < v.rows && strconv.Itoa(n) == s
}

// Row serves one page of a row: the cache, else the datastore.
func (c *Catalog) Row(ctx context.Context, id string, page int) (RowPage, time.Duration, error) {
	return c.row(ctx, c.view(), id, page)
}

func (c *Catalog) row(ctx context.Context, vw view, id string, page int) (RowPage, time.Duration, error) {
	row, ok := parseRow(vw, id)
	if !ok || page < 0 || page >= c.cfg.Pages {
		return RowPage{}, 0, errNotFound
	}
	key := id + ":" + strconv.Itoa(page)
	v, hit, d := c.Cache.Get(ctx, "row:"+vw.gen+key)
	if hit {
		return v.(RowPage), d, nil
	}
	rd, err := c.Datastore.Read(ctx)
	d += rd
	if err != nil {
		return RowPage{}, d, err
	}
	rp := c.rowPage(vw, row, page)
	d += c.Cache.Set(ctx, "row:"+vw.gen+key, rp, 0)
	c.mu.Lock()
	c.staleRow[key] = rp
	c.mu.Unlock()
	return rp, d, nil
}

var errNotFound = errors.New("not found")

// personalise picks the viewer's rows from the viewer's profile: the
// cache, else one datastore read. Profiles are per viewer, so a lost cache
// node sends a share of every viewer's profile reads to the datastore.
func (c *Catalog) personalise(ctx context.Context, v view, user string) ([]int, time.Duration, error) {
	key := "profile:" + user
	_, hit, d := c.Cache.Get(ctx, key)
	if !hit {
		rd, err := c.Datastore.Read(ctx)
		d += rd
		if err != nil {
			return nil, d, err
		}
		d += c.Cache.Set(ctx, key, true, c.cfg.ProfileTTL)
	}
	return c.homeRows(v, user), d, nil
}

// homeRows are the rows of user's home page (user "": the generic one).
// The first rows are shared (continue watching, trending), then the new
// season's rows after a release; the rest rotate by viewer, so the rows'
// cache is shared across viewers.
func (c *Catalog) homeRows(v view, user string) []int {
	h := fnv.New32a()
	h.Write([]byte(user))
	off := int(h.Sum32() % uint32(c.cfg.Rows))
	rows := make([]int, c.cfg.HomeRows)
	fresh := v.rows - c.cfg.Rows
	for i := range rows {
		switch {
		case i < 2:
			rows[i] = i
		case i-2 < fresh:
			rows[i] = c.cfg.Rows + i - 2
		default:
			rows[i] = 2 + (off+i-2)%max(c.cfg.Rows-2, 1)
		}
	}
	return rows
}

// Home assembles the viewer's home: the cached copy, else personalisation
// and a fan-out over the rows. A failed row is replaced by its last good
// copy, or left out ("partial"); when personalisation or every row fails
// the viewer's stale home answers, else the generic one. d is the
// modelled time.
func (c *Catalog) Home(ctx context.Context, user string) (Home, time.Duration, error) {
	vw := c.view()
	key := "home:" + vw.gen + user
	v, hit, d := c.Cache.Get(ctx, key)
	if hit {
		return v.(Home), d, nil
	}
	rows, pd, err := c.personalise(ctx, vw, user)
	d += pd
	if err != nil {
		return c.fallback(vw, user), d, nil
	}
	home := Home{User: user, Rows: make([]RowPage, len(rows))}
	durs := make([]time.Duration, len(rows))
	ok := make([]bool, len(rows))
	var partial atomic.Bool
	fetch := func(i, r int) {
		id := "row-" + strconv.Itoa(r)
		rp, rd, err := c.row(ctx, vw, id, 0)
		durs[i] = rd
		if err == nil {
			home.Rows[i], ok[i] = rp, true
			return
		}
		partial.Store(true)
		c.mu.Lock()
		home.Rows[i], ok[i] = c.staleRow[id+":0"]
		c.mu.Unlock()
	}
	if c.cfg.Virtual {
		for i, r := range rows {
			fetch(i, r)
		}
	} else {
		var wg sync.WaitGroup
		for i, r := range rows {
			wg.Add(1)
			go func() {
				defer wg.Done()
				fetch(i, r)
			}()
		}
		wg.Wait()
	}
	var slowest time.Duration
	out := home.Rows[:0]
	for i := range rows {
		slowest = max(slowest, durs[i])
		if ok[i] {
			out = append(out, home.Rows[i])
		}
	}
	d += slowest
	home.Rows = out
	if len(out) == 0 {
		return c.fallback(vw, user), d, nil
	}
	if partial.Load() {
		// Some rows are old copies or missing: answer, but do not cache
		// the page, so the next load tries the rows again.
		home.Fallback = "partial"
		return home, d, nil
	}
	d += c.Cache.Set(ctx, key, home, c.cfg.HomeTTL)
	c.mu.Lock()
	if _, had := c.staleHome[user]; !had && len(c.staleHome) >= c.cfg.StaleHomes {
		for k := range c.staleHome { // drop any one: the bound matters, not which
			delete(c.staleHome, k)
			break
		}
	}
	c.staleHome[user] = home
	c.mu.Unlock()
	return home, d, nil
}

func (c *Catalog) fallback(v view, user string) Home {
	c.mu.Lock()
	h, ok := c.staleHome[user]
	c.mu.Unlock()
	if ok {
		h.Fallback = "stale"
		return h
	}
	if v.released {
		return c.generic[1]
	}
	return c.generic[0]
}

// Search answers the titles whose id holds q, from the cache or one
// datastore (index) read.
func (c *Catalog) Search(ctx context.Context, q string) (SearchResult, time.Duration, error) {
	q, err := checkQuery(q)
	if err != nil {
		return SearchResult{}, 0, err
	}
	vw := c.view()
	v, hit, d := c.Cache.Get(ctx, "search:"+vw.gen+q)
	if hit {
		return v.(SearchResult), d, nil
	}
	rd, err := c.Datastore.Read(ctx)
	d += rd
	if err != nil {
		return SearchResult{}, d, err
	}
	res := SearchResult{Query: q, Results: []Item{}}
	for _, t := range c.cfg.Titles[:vw.titles] {
		if strings.Contains(strings.ToLower(t), q) && len(res.Results) < c.cfg.RowSize {
			res.Results = append(res.Results, Item{ID: t, Title: strings.ToUpper(t[:1]) + t[1:]})
		}
	}
	d += c.Cache.Set(ctx, "search:"+vw.gen+q, res, 0)
	return res, d, nil
}

// Title answers a title's details, from the cache or the datastore.
func (c *Catalog) Title(ctx context.Context, id string) (Details, time.Duration, error) {
	i, ok := c.titles[id]
	if !ok || i >= c.view().titles {
		return Details{}, 0, errNotFound
	}
	v, hit, d := c.Cache.Get(ctx, "title:"+id)
	if hit {
		return v.(Details), d, nil
	}
	rd, err := c.Datastore.Read(ctx)
	d += rd
	if err != nil {
		return Details{}, d, err
	}
	row := i % c.cfg.Rows
	if i >= c.base && c.cfg.Release.Rows > 0 {
		row = c.cfg.Rows // a new title is on the first new row
	}
	det := Details{ID: id, Title: strings.ToUpper(id[:1]) + id[1:], Synopsis: "Synopsis of " + id + ".",
		Rows: []string{"row-" + strconv.Itoa(row)}}
	d += c.Cache.Set(ctx, "title:"+id, det, 0)
	return det, d, nil
}

// Stats is a snapshot of the catalog's dependencies.
type Stats struct {
	CacheHitRatio  float64       `json:"cache_hit_ratio"`
	CacheNodesUp   int           `json:"cache_nodes_up"`
	DatastoreReads int64         `json:"datastore_reads"`
	DatastoreErrs  int64         `json:"datastore_errors"`
	Heartbeats     PipelineStats `json:"heartbeats"`
}

// Stats returns the snapshot.
func (c *Catalog) Stats() Stats {
	s := Stats{CacheHitRatio: c.Cache.HitRatio(), DatastoreReads: c.Datastore.Reads(), DatastoreErrs: c.Datastore.errs.Load(),
		Heartbeats: c.heartbeatStats()}
	for _, n := range c.Cache.nodes {
		if n.Up() {
			s.CacheNodesUp++
		}
	}
	return s
}

// status maps a service error to an HTTP status.
func status(err error) int {
	switch {
	case errors.Is(err, errNotFound):
		return http.StatusNotFound
	case errors.Is(err, ErrBadRequest):
		return http.StatusBadRequest
	case errors.Is(err, ErrTimeout):
		return http.StatusGatewayTimeout
	default:
		return http.StatusServiceUnavailable
	}
}
