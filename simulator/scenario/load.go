package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/abrkit/abrkit/simulator/backend/topology"
	"github.com/abrkit/abrkit/simulator/slo"
)

// Defaults applied to fields left empty.
const (
	DefaultSeed          = 1
	DefaultWatchTime     = 5 * time.Minute
	DefaultAbandonAfter  = 10 * time.Second
	DefaultPauseFor      = 30 * time.Second
	DefaultTitleLength   = 10 * time.Minute
	DefaultSegmentLength = 4 * time.Second
	DefaultZipf          = 1.0
	DefaultBandwidth     = 20e6
	DefaultRTT           = 40 * time.Millisecond
	DefaultTraceStep     = time.Second
	DefaultOriginLatency = 40 * time.Millisecond
	DefaultTimeout       = 5 * time.Second
	MaxViewers           = 10_000_000
)

// Option changes how a scenario is loaded.
type Option func(*loadConfig)

type loadConfig struct {
	checkABR     func(name string) error
	checkJourney func(s *Scenario) error
}

// WithJourneyCheck makes validation parse the scenario's journey with
// check (pass journey.Check); its errors name the journey's file and line.
func WithJourneyCheck(check func(s *Scenario) error) Option {
	return func(c *loadConfig) { c.checkJourney = check }
}

// WithABRCheck makes validation reject device ABR names for which check
// returns an error (pass a function that tries abr.New).
func WithABRCheck(check func(name string) error) Option {
	return func(c *loadConfig) { c.checkABR = check }
}

// Load reads, decodes, completes and validates a scenario file. Errors
// about the content are Errors (each an *Error naming file, line and
// field) and wrap ErrInvalid.
func Load(path string, opts ...Option) (*Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	return Parse(data, path, opts...)
}

// Parse is Load for data already read; file names the source in errors
// and is the base for relative paths in the scenario.
func Parse(data []byte, file string, opts ...Option) (*Scenario, error) {
	var cfg loadConfig
	for _, o := range opts {
		o(&cfg)
	}
	if len(data) > MaxFileSize {
		return nil, Errors{&Error{File: file, Line: 1, Msg: fmt.Sprintf("file too large: over %d bytes", MaxFileSize)}}
	}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		return nil, Errors{syntaxError(file, err)}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, Errors{{File: file, Line: extra.Line, Column: extra.Column, Msg: "more than one YAML document"}}
	}
	s := &Scenario{File: file}
	d := &decoder{file: file, pos: map[string]Pos{}}
	if len(root.Content) == 0 {
		return nil, Errors{{File: file, Line: 1, Column: 1, Msg: "empty scenario"}}
	}
	d.decode(&root, "", reflect.ValueOf(s).Elem())
	if len(d.errs) > 0 {
		return nil, d.errs
	}
	s.Positions = d.pos
	v := &validator{s: s, cfg: cfg}
	v.defaults()
	v.validate()
	if len(v.errs) > 0 {
		return nil, v.errs
	}
	if s.Journey != nil && cfg.checkJourney != nil {
		if err := cfg.checkJourney(s); err != nil {
			return nil, Errors{{File: file, Line: s.Journey.Line, Field: "journey", Msg: err.Error()}}
		}
	}
	return s, nil
}

var lineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func syntaxError(file string, err error) *Error {
	e := &Error{File: file, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	if m := lineRE.FindStringSubmatch(err.Error()); m != nil {
		fmt.Sscan(m[1], &e.Line)
		e.Msg = m[2]
	}
	return e
}

// Has reports whether the scenario file set the field at path (dotted,
// e.g. "content.zipf").
func (s *Scenario) Has(path string) bool {
	_, ok := s.Positions[path]
	return ok
}

// Dir is the directory relative paths in the scenario are resolved from.
func (s *Scenario) Dir() string { return filepath.Dir(s.File) }

// Resolve returns p resolved against the scenario's directory.
func (s *Scenario) Resolve(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(s.Dir(), p)
}

// ResolveData finds a data path (traces): relative paths are tried against
// the scenario's directory, then the repository root above it (the nearest
// directory holding go.mod), then the working directory. ok is false when
// none exists.
func (s *Scenario) ResolveData(p string) (string, bool) {
	if p == "" {
		return "", false
	}
	if filepath.IsAbs(p) {
		_, err := os.Stat(p)
		return p, err == nil
	}
	cands := []string{filepath.Join(s.Dir(), p)}
	if dir, err := filepath.Abs(s.Dir()); err == nil {
		for d := dir; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				cands = append(cands, filepath.Join(d, p))
				break
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	cands = append(cands, p)
	for _, c := range cands {
		if _, err := os.Stat(c); err == nil {
			return c, true
		}
	}
	return cands[0], false
}

type validator struct {
	s    *Scenario
	cfg  loadConfig
	errs Errors
}

// errf reports a problem at the position of path, or of its closest
// written parent.
func (v *validator) errf(path, format string, a ...any) {
	p := path
	pos, ok := v.s.Positions[p]
	for !ok && p != "" {
		if i := strings.LastIndexAny(p, ".["); i >= 0 {
			p = p[:i]
		} else {
			p = ""
		}
		pos, ok = v.s.Positions[p]
	}
	v.errs = append(v.errs, &Error{File: v.s.File, Line: pos.Line, Column: pos.Column, Field: path, Msg: fmt.Sprintf(format, a...)})
}

func (v *validator) require(ok bool, path, format string, a ...any) {
	if !ok {
		v.errf(path, format, a...)
	}
}

func (v *validator) defaults() {
	s := v.s
	if s.Name == "" {
		s.Name = strings.TrimSuffix(filepath.Base(s.File), filepath.Ext(s.File))
	}
	if !s.Has("seed") {
		s.Seed = DefaultSeed
	}
	if s.Mode == "" {
		s.Mode = "virtual"
	}
	if s.CMCD == "" {
		s.CMCD = "query"
	}
	if s.Viewers.Arrival.Process == "" {
		s.Viewers.Arrival.Process = "instant"
	}
	ss := &s.Session
	if ss.WatchTime.IsZero() {
		ss.WatchTime = Dist{Kind: "constant", Value: Duration(DefaultWatchTime)}
	}
	if ss.WatchTime.Kind == "" {
		ss.WatchTime.Kind = "constant"
	}
	if !s.Has("session.abandon_startup_after") {
		ss.AbandonAfter = Duration(DefaultAbandonAfter)
	}
	if ss.Login == nil {
		t := true
		ss.Login = &t
	}
	if !ss.PauseEvery.IsZero() && ss.PauseFor.IsZero() {
		ss.PauseFor = Dist{Kind: "constant", Value: Duration(DefaultPauseFor)}
	}
	for _, d := range []*Dist{&ss.SeekEvery, &ss.PauseEvery, &ss.PauseFor} {
		if !d.IsZero() && d.Kind == "" {
			d.Kind = "constant"
		}
	}
	c := &s.Content
	if c.Titles == 0 {
		c.Titles = topology.DefaultTitles
	}
	if c.TitleLength == 0 {
		c.TitleLength = Duration(DefaultTitleLength)
	}
	if !s.Has("content.zipf") {
		c.Zipf = DefaultZipf
	}
	if c.Format == "" {
		c.Format = "hls"
	}
	if c.SegmentLen == 0 {
		c.SegmentLen = Duration(DefaultSegmentLength)
	}
	if len(s.Devices) == 0 {
		s.Devices = []Device{{Name: "default", Weight: 1}}
	}
	if len(s.Networks) == 0 {
		s.Networks = []Network{{Name: "broadband", Weight: 1, Bandwidth: DefaultBandwidth}}
	}
	for i := range s.Networks {
		n := &s.Networks[i]
		if n.RTT == 0 {
			n.RTT = Duration(DefaultRTT)
		}
		if n.Step == 0 {
			n.Step = Duration(DefaultTraceStep)
		}
		if n.Trace != nil && n.Trace.Scale == 0 {
			n.Trace.Scale = 1
		}
	}
	b := &s.Backend
	if b.Embedded == nil && len(b.URLs) == 0 && b.Adapter == nil {
		b.Embedded = &Embedded{}
	}
	if e := b.Embedded; e != nil {
		if e.Topology == "" {
			e.Topology = "default"
		}
		if e.OriginLatency == 0 {
			e.OriginLatency = Duration(DefaultOriginLatency)
		}
		for i := range e.Services {
			if e.Services[i].Timeout == 0 {
				e.Services[i].Timeout = Duration(DefaultTimeout)
			}
			if e.Services[i].ServiceTime.Kind == "" && !e.Services[i].ServiceTime.IsZero() {
				e.Services[i].ServiceTime.Kind = "constant"
			}
		}
	}
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

func (v *validator) validate() {
	s := v.s
	v.require(s.Mode == "virtual" || s.Mode == "live", "mode", "must be virtual or live, not %q", s.Mode)
	v.require(s.CMCD == "query" || s.CMCD == "headers" || s.CMCD == "off", "cmcd", "must be query, headers or off, not %q", s.CMCD)
	v.require(s.Viewers.Count > 0 && s.Viewers.Count <= MaxViewers, "viewers.count", "must be 1..%d, got %d", MaxViewers, s.Viewers.Count)
	v.arrival()
	v.session()
	v.content()
	v.devices()
	v.networks()
	v.backend()
	v.regions()
	v.faults()
	v.slos()
}

func (v *validator) arrival() {
	a := v.s.Viewers.Arrival
	p := "viewers.arrival"
	switch a.Process {
	case "instant":
	case "constant", "poisson":
		v.require(a.Rate > 0, p+".rate", "%s arrivals need rate > 0 (e.g. 50/s)", a.Process)
	case "ramp":
		v.require(a.From > 0 || a.To > 0, p+".to", "ramp needs from and to rates")
		v.require(a.Over > 0, p+".over", "ramp needs over > 0 (the ramp's length)")
	case "sine":
		v.require(a.Rate > 0, p+".rate", "sine needs rate > 0 (the mean)")
		v.require(a.Amplitude < a.Rate, p+".amplitude", "sine amplitude must be below the mean rate")
		v.require(a.Period > 0, p+".period", "sine needs period > 0")
	case "flash":
		v.require(a.Rate > 0, p+".rate", "flash needs a baseline rate > 0")
		v.require(a.Burst > 0 && a.Burst <= v.s.Viewers.Count, p+".burst", "flash needs 1 <= burst <= viewers.count, got %d", a.Burst)
		v.require(a.Over > 0, p+".over", "flash needs over > 0 (how long the burst lasts)")
	default:
		v.errf(p+".process", "must be instant, constant, poisson, ramp, sine or flash, not %q", a.Process)
	}
}

func (v *validator) session() {
	ss := v.s.Session
	ss.WatchTime.check(v, "session.watch_time")
	v.require(ss.WatchTime.MeanValue() > 0, "session.watch_time", "watch time must be positive")
	for path, d := range map[string]Dist{"session.seek_every": ss.SeekEvery, "session.pause_every": ss.PauseEvery, "session.pause_for": ss.PauseFor} {
		if !d.IsZero() {
			d.check(v, path)
		}
	}
	if !ss.SeekEvery.IsZero() {
		v.require(ss.SeekEvery.MeanValue() >= time.Second, "session.seek_every", "seek interval must average at least 1s")
	}
	if !ss.PauseEvery.IsZero() {
		v.require(ss.PauseEvery.MeanValue() >= time.Second, "session.pause_every", "pause interval must average at least 1s")
	}
	v.require(ss.ProbeEdges >= 0 && ss.ProbeEdges <= 10, "session.probe_edges", "must be 0..10, got %d", ss.ProbeEdges)
	v.require(len(ss.Script) <= MaxScriptSteps, "session.script", "at most %d steps, got %d", MaxScriptSteps, len(ss.Script))
	for i, st := range ss.Script {
		p := fmt.Sprintf("session.script[%d]", i)
		v.require(st.At >= 0, p+".at", "must not be negative")
		v.require((st.Seek != nil) != (st.Pause > 0), p, "needs exactly one of seek or pause")
		v.require(st.Seek == nil || *st.Seek >= 0, p+".seek", "must not be negative")
		v.require(i == 0 || st.At >= ss.Script[i-1].At, p+".at", "steps must be in time order")
	}
}

func (v *validator) content() {
	c := v.s.Content
	v.require(c.Titles > 0 && c.Titles <= 100_000, "content.titles", "must be 1..100000, got %d", c.Titles)
	v.require(c.TitleLength >= Duration(c.SegmentLen), "content.title_length", "must be at least one segment long")
	v.require(c.Zipf >= 0 && c.Zipf <= 5, "content.zipf", "must be in 0..5, got %g", c.Zipf)
	v.require(c.LiveChannels >= 0 && c.LiveChannels <= 1000, "content.live_channels", "must be 0..1000")
	v.require(c.LiveShare == 0 || c.LiveChannels > 0, "content.live_share", "needs live_channels > 0")
	v.require(c.Format == "hls" || c.Format == "dash" || c.Format == "mixed", "content.format", "must be hls, dash or mixed, not %q", c.Format)
	v.require(c.SegmentLen >= Duration(500*time.Millisecond) && c.SegmentLen <= Duration(30*time.Second), "content.segment_length", "must be 500ms..30s")
}

func (v *validator) weights(path string, n int, name func(i int) string, weight func(i int) float64) {
	seen := map[string]bool{}
	sum := 0.0
	for i := 0; i < n; i++ {
		p := fmt.Sprintf("%s[%d]", path, i)
		nm := name(i)
		if !nameRE.MatchString(nm) {
			v.errf(p+".name", "name %q must be letters, digits, '_', '.', '-'", nm)
		} else if seen[nm] {
			v.errf(p+".name", "duplicate name %q", nm)
		}
		seen[nm] = true
		w := weight(i)
		v.require(w >= 0, p+".weight", "weight must be >= 0, got %g", w)
		sum += w
	}
	v.require(sum > 0, path, "weights must add up to more than 0")
}

func (v *validator) devices() {
	ds := v.s.Devices
	for i := range ds {
		if ds[i].Weight == 0 && !v.s.Has(fmt.Sprintf("devices[%d].weight", i)) {
			ds[i].Weight = 1
		}
	}
	v.weights("devices", len(ds), func(i int) string { return ds[i].Name }, func(i int) float64 { return ds[i].Weight })
	cohorts := map[string]bool{}
	controls := 0
	for i, c := range v.s.Cohorts {
		p := fmt.Sprintf("cohorts[%d]", i)
		v.require(nameRE.MatchString(c.Name), p+".name", "bad cohort name %q", c.Name)
		v.require(!cohorts[c.Name], p+".name", "duplicate cohort %q", c.Name)
		cohorts[c.Name] = true
		if c.Control {
			controls++
		}
	}
	v.require(len(v.s.Cohorts) == 0 || controls == 1, "cohorts", "exactly one cohort must be the control, found %d", controls)
	for i, d := range ds {
		p := fmt.Sprintf("devices[%d]", i)
		v.require(d.MaxHeight >= 0, p+".max_height", "must be >= 0")
		if d.ABR != "" && v.cfg.checkABR != nil {
			if err := v.cfg.checkABR(d.ABR); err != nil {
				v.errf(p+".abr", "%v", err)
			}
		}
		if d.Cohort != "" {
			v.require(cohorts[d.Cohort], p+".cohort", "no cohort named %q under cohorts", d.Cohort)
		}
	}
}

func (v *validator) networks() {
	ns := v.s.Networks
	for i := range ns {
		if ns[i].Weight == 0 && !v.s.Has(fmt.Sprintf("networks[%d].weight", i)) {
			ns[i].Weight = 1
		}
	}
	v.weights("networks", len(ns), func(i int) string { return ns[i].Name }, func(i int) float64 { return ns[i].Weight })
	for i, n := range ns {
		p := fmt.Sprintf("networks[%d]", i)
		v.require(n.Variation >= 0 && n.Variation <= 1, p+".variation", "must be in 0..1, got %g", n.Variation)
		v.require(n.RTT <= Duration(10*time.Second), p+".rtt", "must be at most 10s")
		v.require(n.Step >= Duration(10*time.Millisecond), p+".step", "must be at least 10ms")
		if n.Trace == nil {
			v.require(n.Bandwidth > 0, p+".bandwidth", "needs a bandwidth (e.g. 20Mbps) or a trace")
			continue
		}
		t := n.Trace
		v.require(t.Path != "", p+".trace.path", "trace needs a path")
		v.require(t.Format == "" || t.Format == "pensieve" || t.Format == "sabre", p+".trace.format", "must be pensieve or sabre, not %q", t.Format)
		v.require(t.Scale > 0 && t.Scale <= 1000, p+".trace.scale", "must be in (0, 1000]")
		v.require(t.Limit >= 0, p+".trace.limit", "must be >= 0")
		if _, ok := v.s.ResolveData(t.Path); !ok && n.Bandwidth <= 0 {
			v.errf(p+".trace.path", "%s not found and no synthetic bandwidth to fall back on (set networks[%d].bandwidth)", t.Path, i)
		}
	}
}

func (v *validator) backend() {
	b := v.s.Backend
	n := 0
	if b.Embedded != nil {
		n++
	}
	if len(b.URLs) > 0 {
		n++
	}
	if b.Adapter != nil {
		n++
	}
	v.require(n == 1, "backend", "give exactly one of embedded, urls or adapter")
	for i, u := range b.URLs {
		pu, err := url.Parse(u)
		v.require(err == nil && (pu.Scheme == "http" || pu.Scheme == "https") && pu.Host != "", fmt.Sprintf("backend.urls[%d]", i), "want an absolute http(s) URL, got %q", u)
	}
	if a := b.Adapter; a != nil {
		if a.TokenField == "" {
			a.TokenField = "token"
		}
		if a.Manifest == "" {
			a.Manifest = "manifest"
		}
		v.endpoint("backend.adapter.play", a.Play)
		if a.Login != nil {
			v.endpoint("backend.adapter.login", *a.Login)
		}
	}
	if v.s.Mode == "virtual" && b.Embedded == nil {
		v.errf("mode", "virtual mode models the embedded backend; use mode: live for urls or adapter")
	}
	e := b.Embedded
	if e == nil {
		return
	}
	var topo *topology.Topology
	if e.Topology == "default" {
		topo = topology.Default()
	} else {
		t, err := topology.Load(v.s.Resolve(e.Topology))
		if err != nil {
			v.errf("backend.embedded.topology", "%v", err)
			return
		}
		topo = t
	}
	for ri := range topo.Regions {
		for ei := range topo.Regions[ri].Edges {
			ed := &topo.Regions[ri].Edges[ei]
			if e.EdgeCapacity > 0 {
				ed.Capacity = topology.Bitrate(e.EdgeCapacity)
			}
			if e.EdgeCache > 0 {
				ed.CacheSize, ed.CacheFromBudget = topology.ByteSize(e.EdgeCache), false
			}
		}
	}
	if e.Collapse != nil {
		topo.LiveEdges.Collapse = e.Collapse
	}
	if r := e.Release; r != nil {
		v.require(r.At >= 0, "backend.embedded.release.at", "must not be negative")
		v.require(r.Rows >= 0 && r.Rows <= 1000, "backend.embedded.release.rows", "must be 0..1000, not %d", r.Rows)
		v.require(r.Titles >= 0 && r.Titles < v.s.Content.Titles, "backend.embedded.release.titles",
			"must be 0..%d (content.titles less one), not %d", max(v.s.Content.Titles-1, 0), r.Titles)
		v.require(r.Rows > 0 || r.Titles > 0, "backend.embedded.release", "a release needs rows or titles")
		topo.Catalog.Release = &topology.Release{At: r.At.D(), Rows: r.Rows, Titles: r.Titles}
	}
	v.s.Topology = topo
	for i, sv := range e.Services {
		p := fmt.Sprintf("backend.embedded.services[%d]", i)
		v.require(sv.Name == "login" || sv.Name == "play", p+".name", "must be login or play, not %q", sv.Name)
		v.require(sv.Workers >= 0 && sv.Workers <= 1_000_000, p+".workers", "must be 0..1000000")
		v.require(sv.QueueLimit >= 0, p+".queue_limit", "must be >= 0")
		if !sv.ServiceTime.IsZero() {
			sv.ServiceTime.check(v, p+".service_time")
		}
	}
}

func (v *validator) endpoint(path string, e Endpoint) {
	m := e.Method
	v.require(m == "" || m == "GET" || m == "POST" || m == "PUT", path+".method", "must be GET, POST or PUT, not %q", m)
	pu, err := url.Parse(e.URL)
	v.require(err == nil && (pu.Scheme == "http" || pu.Scheme == "https") && pu.Host != "", path+".url", "want an absolute http(s) URL, got %q", e.URL)
}

func (v *validator) regions() {
	rs := v.s.Regions
	topo := v.s.Topology
	if topo == nil {
		return
	}
	if len(rs) == 0 {
		for _, r := range topo.Regions {
			v.s.Regions = append(v.s.Regions, Region{Name: r.ID, Weight: 1})
		}
		return
	}
	for i := range rs {
		if rs[i].Weight == 0 && !v.s.Has(fmt.Sprintf("regions[%d].weight", i)) {
			rs[i].Weight = 1
		}
	}
	v.weights("regions", len(rs), func(i int) string { return rs[i].Name }, func(i int) float64 { return rs[i].Weight })
	for i, r := range rs {
		if _, ok := topo.Region(r.Name); !ok {
			v.errf(fmt.Sprintf("regions[%d].name", i), "no region %q in topology %s (have %s)", r.Name, topo.Name, regionNames(topo))
		}
	}
}

func regionNames(t *topology.Topology) string {
	var out []string
	for _, r := range t.Regions {
		out = append(out, r.ID)
	}
	return strings.Join(out, ", ")
}

// IsCatalogTarget reports whether a service fault target is one of the
// browse plane's dependencies: the datastore, the heartbeat consumers or
// a cache node (cache-0, cache-1, ...).
func IsCatalogTarget(name string) bool {
	if name == "datastore" || name == "heartbeat-consumers" {
		return true
	}
	n, ok := strings.CutPrefix(name, "cache-")
	if !ok || n == "" || len(n) > 3 {
		return false
	}
	for _, c := range n {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// FaultTarget is a parsed fault target.
type FaultTarget struct {
	Kind string // edge, region or service
	Name string
}

// ParseTarget splits "edge:eu-1".
func ParseTarget(s string) (FaultTarget, error) {
	k, n, ok := strings.Cut(s, ":")
	if !ok || n == "" || (k != "edge" && k != "region" && k != "service") {
		return FaultTarget{}, fmt.Errorf("target must be edge:NAME, region:NAME or service:login|play, not %q", s)
	}
	return FaultTarget{k, n}, nil
}

func (v *validator) faults() {
	for i, f := range v.s.Faults {
		p := fmt.Sprintf("faults[%d]", i)
		t, err := ParseTarget(f.Target)
		if err != nil {
			v.errf(p+".target", "%v", err)
		} else if topo := v.s.Topology; topo != nil {
			switch t.Kind {
			case "edge":
				_, ok := topo.Edge(t.Name)
				v.require(ok, p+".target", "no edge %q in the topology", t.Name)
			case "region":
				_, ok := topo.Region(t.Name)
				v.require(ok, p+".target", "no region %q in the topology (have %s)", t.Name, regionNames(topo))
			case "service":
				ok := t.Name == "login" || t.Name == "play" || IsCatalogTarget(t.Name)
				v.require(ok, p+".target", "service must be login, play, datastore, heartbeat-consumers or cache-N, not %q", t.Name)
				if ok && IsCatalogTarget(t.Name) {
					v.require(v.s.Journey != nil, p+".target", "service:%s is a service of the journeys' browse plane: set journey", t.Name)
					v.require(t.Name == "datastore" || f.Kind == "down", p+".kind", "%s can only be down", t.Name)
				}
			}
		}
		switch f.Kind {
		case "down":
		case "slow":
			v.require(f.Latency > 0 || v.s.Has(p+".capacity"), p+".kind", "slow needs latency or capacity")
		case "errors":
			v.require(f.ErrorRate > 0, p+".error_rate", "errors needs error_rate > 0")
		default:
			v.errf(p+".kind", "must be down, slow or errors, not %q", f.Kind)
		}
	}
}

func (v *validator) slos() {
	for i := range v.s.SLOs {
		p := fmt.Sprintf("slos[%d]", i)
		o, err := slo.Parse(v.s.SLOs[i].Expr)
		if err != nil {
			v.errf(p, "%v", err)
			continue
		}
		o.Abort = v.s.SLOs[i].Abort
		v.s.SLOs[i].Objective = o
		if v.s.Journey == nil && strings.HasPrefix(o.Metric, "api.") && !slo.Catalogued(o.Metric) {
			v.errf(p, "%s is a journey step's metric: set journey", o.Metric)
		}
	}
}

// Objectives returns the parsed SLOs.
func (s *Scenario) Objectives() []slo.Objective {
	out := make([]slo.Objective, len(s.SLOs))
	for i, x := range s.SLOs {
		out[i] = x.Objective
	}
	return out
}

// IsInvalid reports whether err is a content problem (exit code 2) rather
// than an I/O failure.
func IsInvalid(err error) bool { return errors.Is(err, ErrInvalid) }

// ArrivalFor is the arrival process for n viewers (--viewers): a flash
// crowd's burst is scaled with the audience when it would not fit in n,
// so that both modes run n viewers with the same share in the burst.
func (s *Scenario) ArrivalFor(n int) Arrival {
	a := s.Viewers.Arrival
	if a.Process == "flash" && a.Burst > n && s.Viewers.Count > 0 {
		a.Burst = n * a.Burst / s.Viewers.Count
	}
	return a
}
