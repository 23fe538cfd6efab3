package steering

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/abrkit/abrkit/player/manifest"
)

// maxEntries bounds the servers of one session (clones accumulate over
// steering reloads).
const maxEntries = 64

// minSampleBytes is the smallest transfer that counts as a throughput
// sample: smaller ones measure latency, not throughput.
const minSampleBytes = 16 << 10

// Throughput averages: fast reacts within a few samples, slow is the
// server's own baseline.
const (
	fastAlpha    = 0.5
	slowAlpha    = 0.1
	latencyAlpha = 0.3
	// successesToForgive consecutive successes reset the failure count.
	successesToForgive = 3
	// probeSlack keeps tiny latency differences from moving off rank 1.
	probeSlack = 20 * time.Millisecond
)

// entry is one server. Strings share storage with the presentation, the
// edges and the steering manifest, so an entry costs ~200 bytes.
type entry struct {
	id      string
	pathway string // HLS pathway key whose variants this server plays ("" none)
	base    string // API edge: base URL without query
	query   string // API edge: signed query parameters
	host    string // scheme://host[:port] of the server's URIs
	clone   *Clone // FromClone: the replacement

	penaltyUntil time.Duration
	fast, slow   float64 // bits per second
	latency      time.Duration

	cloneOf   int32 // FromClone: index of the base entry; -1 otherwise
	failures  int32
	successes int32
	samples   int32
	origin    Origin
	selected  bool // chosen since the last steering reload (DASH report)
}

// probeResult is one server's start-up probe.
type probeResult struct {
	latency         time.Duration
	tput            float64
	asked, done, ok bool
}

// probe returns entry i's probe; entries that were never probed get a
// fresh zero value (probing is rare, so sessions keep no room for it).
func (m *Manager) probe(i int) *probeResult {
	if i < len(m.probes) {
		return &m.probes[i]
	}
	return new(probeResult)
}

// basePrefix ties a DASH BaseURL (or an API edge base) to its server and
// its group: the prefixes of one group are interchangeable.
type basePrefix struct {
	prefix string
	entry  int32
	group  int32
}

// Manager is the concrete [Selector]. Create it with [New]. It is not
// safe for concurrent use.
type Manager struct {
	cfg      tuning
	entries  []entry
	order    []int // priority order (indices into entries)
	bases    []basePrefix
	variants []variantRef // HLS variants in manifest order (only with several pathways)

	now     time.Duration
	cur     int // index into entries; -1 before the first choice
	pinned  int // probe winner, preferred over order; -1 none
	last    Switch
	minTput float64
	tput    float64 // session throughput (fast average over all servers)

	probes        []probeResult // per entry, allocated when probing starts
	probeDeadline time.Duration

	steerURI string
	proxy    string // DASH proxyServerURL
	reloadAt time.Duration
	ttl      time.Duration

	pending    Reason
	hls        bool  // HLS pathway keys are in use (Usable filters)
	hasLast    bool  // last is set
	probeState uint8 // 0 none, 1 asked, 2 decided
	reported   bool  // a media report arrived: too late to probe
	inFlight   bool
	stopped    bool
}

var (
	_ Selector = (*Manager)(nil)
	_ Prober   = (*Manager)(nil)
)

// tuning is the part of a Config a Manager keeps after New (the sources
// are read once): every session holds one, so it stays small.
type tuning struct {
	DefaultServer   string
	ProbeTimeout    time.Duration
	ProbeFactor     float64
	PenaltyBase     time.Duration
	PenaltyMax      time.Duration
	CollapseRatio   float64
	DefaultTTL      time.Duration
	ProbeCount      int32
	CollapseSamples int32
	Protocol        Protocol
}

func tuningOf(c *Config) tuning {
	return tuning{DefaultServer: c.DefaultServer, ProbeTimeout: c.ProbeTimeout, ProbeFactor: c.ProbeFactor,
		PenaltyBase: c.PenaltyBase, PenaltyMax: c.PenaltyMax, CollapseRatio: c.CollapseRatio, DefaultTTL: c.DefaultTTL,
		ProbeCount: int32(min(max(c.ProbeCount, math.MinInt32), math.MaxInt32)), CollapseSamples: int32(min(c.CollapseSamples, math.MaxInt32)),
		Protocol: c.Protocol}
}

// New builds a selector from cfg's sources. now is the session start:
// the first steering reload is due then. It fails with ErrNoServers when
// no source names a server.
func New(cfg Config, now time.Duration) (*Manager, error) {
	cfg.setDefaults()
	m := &Manager{cfg: tuningOf(&cfg), cur: -1, pinned: -1, now: now, ttl: cfg.DefaultTTL}
	if n := len(cfg.Edges); n > 0 {
		// sized exactly: a session with API edges rarely adds servers
		m.entries = make([]entry, 0, n)
		m.order = make([]int, 0, n)
		m.bases = make([]basePrefix, 0, n)
	}
	for k, e := range cfg.Edges {
		if e.ID == "" || e.URL == "" || schemeHost(e.URL) == "" {
			return nil, fmt.Errorf("%w: edges[%d] (id %q, url %q): want an ID and an absolute URL", ErrBadEdge, k, e.ID, e.URL)
		}
		base, query := splitQuery(e.URL)
		if h := schemeHost(base); h == base {
			base += "/"
		} else {
			base = base[:strings.LastIndexByte(base, '/')+1]
		}
		i := m.add(e.ID, FromAPI)
		m.entries[i].base = base
		m.entries[i].query = query
		m.entries[i].host = schemeHost(base)
		m.bases = append(m.bases, basePrefix{prefix: base, entry: int32(i), group: 0})
	}
	if p := cfg.Presentation; p != nil {
		m.fromPresentation(p)
		if p.Steering != nil {
			if m.steerURI == "" {
				m.steerURI = p.Steering.ServerURI
			}
			if p.Format == manifest.FormatDASH {
				m.proxy = p.Steering.ProxyServerURL
			}
			if cfg.DefaultServer == "" {
				cfg.DefaultServer = p.Steering.DefaultPathwayID
				m.cfg.DefaultServer = cfg.DefaultServer
			}
		}
	}
	if cfg.SteeringURI != "" {
		m.steerURI = cfg.SteeringURI
	}
	if len(m.entries) == 0 {
		return nil, ErrNoServers
	}
	if d := m.find(cfg.DefaultServer); d > 0 {
		// the default goes first, the rest keep their order
		for k, idx := range m.order {
			if idx == d {
				copy(m.order[1:k+1], m.order[:k])
				m.order[0] = d
				break
			}
		}
	}
	if m.steerURI != "" {
		m.reloadAt = now
	}
	return m, nil
}

// add returns the index of the entry with id, creating it.
func (m *Manager) add(id string, o Origin) int {
	if i := m.find(id); i >= 0 {
		return i
	}
	m.entries = append(m.entries, entry{id: id, origin: o, cloneOf: -1})
	m.order = append(m.order, len(m.entries)-1)
	return len(m.entries) - 1
}

func (m *Manager) find(id string) int {
	if id == "" {
		return -1
	}
	// IDs are unique: most lookups name the current server
	if c := m.cur; c >= 0 && c < len(m.entries) && m.entries[c].id == id {
		return c
	}
	for i := range m.entries {
		if m.entries[i].id == id {
			return i
		}
	}
	return -1
}

// fromPresentation adds HLS pathways (or redundant groups) and DASH
// service locations. Next to API edges, a presentation that offers no
// choice of its own (one implicit pathway, single BaseURLs) adds no server.
func (m *Manager) fromPresentation(p *manifest.Presentation) {
	edges := len(m.entries) > 0
	switch p.Format {
	case manifest.FormatHLS:
		distinct := 0
		forEachVariant(p, func(r *manifest.Rendition, key string) {
			m.variants = append(m.variants, variantRef{r: r, key: key})
			seen := false
			for _, v := range m.variants[:len(m.variants)-1] {
				if v.key == key {
					seen = true
					break
				}
			}
			if !seen {
				distinct++
			}
		})
		if distinct <= 1 && edges {
			m.variants = nil
			return
		}
		m.hls = distinct > 1
		for _, v := range m.variants {
			i := m.find(v.key)
			if i < 0 {
				o := FromPathway
				if v.r.PathwayID == "" && v.key != "." {
					o = FromRedundant
				}
				i = m.add(v.key, o)
			}
			e := &m.entries[i]
			if e.pathway == "" {
				e.pathway = v.key
			}
			if e.host == "" {
				e.host = schemeHost(v.r.PlaylistURI)
			}
		}
		if !m.hls {
			m.variants = nil // one pathway: nothing to map
		}
	case manifest.FormatDASH:
		choice := false
		forEachRendition(p, func(r *manifest.Rendition) {
			choice = choice || len(r.BaseURLs) > 1
		})
		if !choice && edges {
			return
		}
		groups := map[string]int{}
		forEachRendition(p, func(r *manifest.Rendition) {
			bs := r.BaseURLs
			if len(bs) == 0 {
				return
			}
			key := ""
			for _, b := range bs {
				key += b.URL + "\x00"
			}
			if _, ok := groups[key]; ok {
				return
			}
			g := len(groups) + 1 // group 0 is the API edges
			groups[key] = g
			for bi, b := range bs {
				id := b.ServiceLocation
				if id == "" {
					id = schemeHost(b.URL)
					if id == "" {
						id = fmt.Sprintf("base-%d", bi)
					}
				}
				i := m.add(id, FromServiceLocation)
				if m.entries[i].host == "" {
					m.entries[i].host = schemeHost(b.URL)
				}
				m.bases = append(m.bases, basePrefix{prefix: b.URL, entry: int32(i), group: int32(g)})
			}
		})
	}
}

// variantRef is an HLS variant of the presentation with its pathway key.
type variantRef struct {
	r   *manifest.Rendition
	key string
}

func forEachRendition(p *manifest.Presentation, f func(r *manifest.Rendition)) {
	for pi := range p.Periods {
		for si := range p.Periods[pi].Sets {
			set := &p.Periods[pi].Sets[si]
			for ri := range set.Renditions {
				f(&set.Renditions[ri])
			}
		}
	}
}

// forEachVariant calls f for every HLS variant with its pathway key:
// PATHWAY-ID, else "redundant-<n>" for the n-th copy of a variant that
// repeats, else "." (the implicit pathway).
func forEachVariant(p *manifest.Presentation, f func(r *manifest.Rendition, key string)) {
	type sig struct {
		bw, w, h int
		codecs   string
		audio    string
	}
	var seen map[sig]int
	redundant := false
	for pi := range p.Periods {
		for si := range p.Periods[pi].Sets {
			set := &p.Periods[pi].Sets[si]
			if set.Type != manifest.Video {
				continue
			}
			for ri := range set.Renditions {
				r := &set.Renditions[ri]
				if r.PathwayID != "" || r.IFrameOnly {
					continue
				}
				if seen == nil {
					seen = map[sig]int{}
				}
				k := sig{r.Bandwidth, r.Width, r.Height, r.Codecs, r.AudioGroup}
				seen[k]++
				if seen[k] > 1 {
					redundant = true
				}
			}
		}
	}
	clear(seen)
	for pi := range p.Periods {
		for si := range p.Periods[pi].Sets {
			set := &p.Periods[pi].Sets[si]
			if set.Type != manifest.Video {
				continue
			}
			for ri := range set.Renditions {
				r := &set.Renditions[ri]
				if r.IFrameOnly {
					continue
				}
				switch {
				case r.PathwayID != "":
					f(r, r.PathwayID)
				case redundant:
					k := sig{r.Bandwidth, r.Width, r.Height, r.Codecs, r.AudioGroup}
					n := seen[k]
					seen[k]++
					f(r, redundantKey(n))
				default:
					f(r, ".")
				}
			}
		}
	}
}

func redundantKey(n int) string {
	if n < len(redundantKeys) {
		return redundantKeys[n]
	}
	return fmt.Sprintf("redundant-%d", n)
}

var redundantKeys = [...]string{"redundant-0", "redundant-1", "redundant-2", "redundant-3"}

// ---- choice ----

// advance clamps time: the player clock never runs backwards.
func (m *Manager) advance(now time.Duration) time.Duration {
	if now < m.now {
		return m.now
	}
	m.now = now
	return now
}

// Current implements [Selector].
func (m *Manager) Current(now time.Duration) Server {
	now = m.advance(now)
	if m.probeState == 1 && now >= m.probeDeadline {
		m.decideProbes(now)
	}
	best := m.pick(now)
	if best != m.cur {
		reason := m.pending
		switch {
		case m.cur < 0:
			reason = ReasonStart
			if m.pinned >= 0 {
				reason = ReasonProbe
			}
		case reason == 0 && m.rankOf(best) < m.rankOf(m.cur):
			reason = ReasonRecovered
		case reason == 0:
			reason = ReasonError
		}
		m.last = Switch{At: now, Reason: reason, To: m.entries[best].id}
		if m.cur >= 0 {
			m.last.From = m.entries[m.cur].id
		}
		m.hasLast = true
		m.cur = best
		m.entries[best].selected = true
	}
	m.pending = 0
	return m.view(best)
}

// pick returns the first server of the effective order that is not
// penalised; when all are, the one whose penalty ends first.
func (m *Manager) pick(now time.Duration) int {
	if m.pinned >= 0 && m.entries[m.pinned].penaltyUntil <= now {
		return m.pinned
	}
	soonest := -1
	for _, i := range m.order {
		e := &m.entries[i]
		if e.penaltyUntil <= now {
			return i
		}
		if soonest < 0 || e.penaltyUntil < m.entries[soonest].penaltyUntil {
			soonest = i
		}
	}
	return soonest
}

// rankOf is the position of entry i in the effective order.
func (m *Manager) rankOf(i int) int {
	if m.pinned >= 0 {
		if i == m.pinned {
			return 0
		}
		r := 1
		for _, j := range m.order {
			if j == i {
				return r
			}
			if j != m.pinned {
				r++
			}
		}
	}
	for r, j := range m.order {
		if j == i {
			return r
		}
	}
	return len(m.order)
}

func (m *Manager) view(i int) Server {
	e := &m.entries[i]
	s := Server{
		ID:             e.id,
		Origin:         e.origin,
		Rank:           m.rankOf(i),
		BaseURL:        e.base,
		PenalizedUntil: e.penaltyUntil,
		Failures:       int(e.failures),
		Throughput:     e.fast,
		Latency:        e.latency,
	}
	if m.hls {
		s.VariantPathway = e.pathway
	}
	if s.BaseURL == "" {
		for _, b := range m.bases {
			if int(b.entry) == i {
				s.BaseURL = b.prefix
				break
			}
		}
	}
	if s.PenalizedUntil <= m.now {
		s.PenalizedUntil = 0
	}
	return s
}

// Servers appends all servers in priority order to dst.
func (m *Manager) Servers(dst []Server) []Server {
	if m.pinned >= 0 {
		dst = append(dst, m.view(m.pinned))
	}
	for _, i := range m.order {
		if i != m.pinned {
			dst = append(dst, m.view(i))
		}
	}
	return dst
}

// LastSwitch implements [Selector].
func (m *Manager) LastSwitch() (Switch, bool) { return m.last, m.hasLast }

// SetMinThroughput implements [Selector].
func (m *Manager) SetMinThroughput(bps float64) {
	if bps < 0 {
		bps = 0
	}
	m.minTput = bps
}

// ---- reports ----

// Report implements [Selector].
func (m *Manager) Report(now time.Duration, serverID string, o Outcome) error {
	now = m.advance(now)
	i := m.find(serverID)
	if i < 0 {
		return fmt.Errorf("steering: report for %q: %w", serverID, ErrUnknownServer)
	}
	e := &m.entries[i]
	if errors.Is(o.Err, context.Canceled) {
		return nil // the player gave up on the request: no verdict on the server
	}
	m.reported = true
	if failed(o) {
		m.penalise(now, i, ReasonError)
		return nil
	}
	if o.Status >= 400 {
		return nil // the resource is missing or refused; the server is fine
	}
	if o.TTFB > 0 {
		if e.latency == 0 {
			e.latency = o.TTFB
		} else {
			e.latency += time.Duration(latencyAlpha * float64(o.TTFB-e.latency))
		}
	}
	e.successes++
	if e.successes >= successesToForgive {
		e.failures = 0
	}
	transfer := o.Duration - o.TTFB
	if o.Bytes < minSampleBytes || transfer <= 0 {
		return nil
	}
	bps := float64(o.Bytes) * 8 / transfer.Seconds()
	if m.tput == 0 {
		m.tput = bps
	} else {
		m.tput += fastAlpha * (bps - m.tput)
	}
	if e.samples == 0 {
		e.fast, e.slow = bps, bps
	} else {
		e.fast += fastAlpha * (bps - e.fast)
		e.slow += slowAlpha * (bps - e.slow)
	}
	e.samples++
	if e.samples >= m.cfg.CollapseSamples &&
		(e.fast < m.cfg.CollapseRatio*e.slow || (m.minTput > 0 && e.fast < m.minTput)) {
		m.penalise(now, i, ReasonThroughput)
	}
	return nil
}

func failed(o Outcome) bool {
	if o.Err != nil {
		return true
	}
	return o.Status >= 500 || o.Status == 408 || o.Status == 429
}

// penalise puts entry i out of use for PenaltyBase·2^(failures-1), capped,
// and forgets its throughput history so a return starts afresh.
func (m *Manager) penalise(now time.Duration, i int, why Reason) {
	e := &m.entries[i]
	e.failures++
	e.successes = 0
	d := m.cfg.PenaltyBase
	for k := int32(1); k < e.failures && d < m.cfg.PenaltyMax; k++ {
		d *= 2
	}
	d = min(d, m.cfg.PenaltyMax)
	e.penaltyUntil = now + d
	e.fast, e.slow, e.samples = 0, 0, 0
	if i == m.cur {
		m.pending = why
	}
}

// ---- probing ----

// Probes implements [Prober].
func (m *Manager) Probes(now time.Duration, uri string) []Probe {
	now = m.advance(now)
	if m.cfg.ProbeCount < 0 || m.probeState != 0 || m.reported {
		return nil
	}
	var out []Probe
	for _, i := range m.order {
		if len(out) == int(m.cfg.ProbeCount) {
			break
		}
		if m.entries[i].penaltyUntil > now {
			continue
		}
		out = append(out, Probe{ServerID: m.entries[i].id, URL: m.resolveTo(i, uri, "", false)})
	}
	if len(out) < 2 {
		return nil // nothing to choose between
	}
	m.probes = make([]probeResult, len(m.entries))
	for _, p := range out {
		m.probes[m.find(p.ServerID)].asked = true
	}
	m.probeState = 1
	m.probeDeadline = now + m.cfg.ProbeTimeout
	return out
}

// ProbeDone implements [Prober].
func (m *Manager) ProbeDone(now time.Duration, serverID string, o Outcome) error {
	now = m.advance(now)
	i := m.find(serverID)
	if i < 0 {
		return fmt.Errorf("steering: probe result for %q: %w", serverID, ErrUnknownServer)
	}
	p := m.probe(i)
	if !p.asked || p.done || m.probeState != 1 {
		return nil
	}
	p.done = true
	p.ok = !failed(o) && o.Status < 400
	p.latency = o.TTFB
	if p.latency <= 0 {
		p.latency = o.Duration
	}
	if t := o.Duration - o.TTFB; p.ok && t > 0 && o.Bytes >= minSampleBytes {
		p.tput = float64(o.Bytes) * 8 / t.Seconds()
	}
	if p.ok && o.TTFB > 0 {
		m.entries[i].latency = o.TTFB
	}
	if failed(o) {
		m.penalise(now, i, ReasonError)
	}
	for k := range m.entries {
		if p := m.probe(k); p.asked && !p.done {
			return nil
		}
	}
	m.decideProbes(now)
	return nil
}

// decideProbes keeps rank 1 unless it failed or is much worse than the
// best probe; then it pins the best-ranked candidate that is not much
// worse than the best on latency and throughput.
func (m *Manager) decideProbes(now time.Duration) {
	m.probeState = 2
	bestLat, bestTput := time.Duration(-1), 0.0
	for i := range m.entries {
		p := m.probe(i)
		if !p.asked {
			continue
		}
		if !p.done { // no answer by the deadline
			p.done, p.latency = true, m.cfg.ProbeTimeout
			p.ok = true
		}
		if !p.ok {
			continue
		}
		if bestLat < 0 || p.latency < bestLat {
			bestLat = p.latency
		}
		bestTput = max(bestTput, p.tput)
	}
	if bestLat < 0 {
		return // every probe failed: penalties already order the choice
	}
	f := m.cfg.ProbeFactor
	good := func(i int) bool {
		p := m.probe(i)
		if !p.ok || m.entries[i].penaltyUntil > now {
			return false
		}
		if float64(p.latency) > f*float64(bestLat) && p.latency-bestLat > probeSlack {
			return false
		}
		return p.tput == 0 || p.tput*f >= bestTput
	}
	for _, i := range m.order {
		if !m.probe(i).asked {
			continue
		}
		if good(i) {
			if i != m.order[0] {
				m.pinned = i
				m.pending = ReasonProbe
			}
			return
		}
	}
}

// ---- renditions ----

// Usable implements [Selector].
func (m *Manager) Usable(dst []int, rs []manifest.Rendition) []int {
	start := len(dst)
	if m.hls && m.cur >= 0 {
		want := m.entries[m.cur].pathway
		for i := range rs {
			if k, ok := m.variantKey(&rs[i]); !ok || k == want {
				dst = append(dst, i)
			}
		}
	}
	if len(dst) == start { // no choice, or no copies on this pathway (audio groups)
		for i := range rs {
			dst = append(dst, i)
		}
	}
	return dst
}

// variantKey finds r among the presentation's variants (by identity, else
// by playlist URI and ID) and returns its pathway key.
func (m *Manager) variantKey(r *manifest.Rendition) (string, bool) {
	for _, v := range m.variants {
		if v.r == r {
			return v.key, true
		}
	}
	for _, v := range m.variants {
		if v.r.PlaylistURI == r.PlaylistURI && v.r.ID == r.ID {
			return v.key, true
		}
	}
	return "", false
}
