package scenario

import (
	"gopkg.in/yaml.v3"

	"github.com/abrkit/abrkit/simulator/backend/topology"
	"github.com/abrkit/abrkit/simulator/slo"
)

// Scenario is one load test: who watches what, over which networks,
// against which backend, with which faults, judged by which SLOs.
type Scenario struct {
	Name        string    `yaml:"name"`
	Description string    `yaml:"description"`
	Seed        uint64    `yaml:"seed"`     // defaults to 1
	Mode        string    `yaml:"mode"`     // virtual (default) or live
	Duration    Duration  `yaml:"duration"` // hard stop of simulated time; defaults to the last arrival + longest watch
	Viewers     Viewers   `yaml:"viewers"`
	Session     Session   `yaml:"session"`
	Content     Content   `yaml:"content"`
	Devices     []Device  `yaml:"devices"`
	Networks    []Network `yaml:"networks"`
	Regions     []Region  `yaml:"regions"`
	Backend     Backend   `yaml:"backend"`
	Faults      []Fault   `yaml:"faults"`
	SLOs        []SLO     `yaml:"slos"`
	Cohorts     []Cohort  `yaml:"cohorts"`
	// Journey, when set, makes every viewer walk a journey (browse,
	// search, details) before it plays: "default", a journey file
	// relative to the scenario, or a journey written inline.
	Journey *JourneyRef `yaml:"journey"`
	Abort   bool        `yaml:"abort_on_breach"` // stop early when an SLO marked abort breaches
	// CMCD is how players send Common Media Client Data with every
	// request: query (the default), headers or off.
	CMCD      string         `yaml:"cmcd"`
	Positions map[string]Pos `yaml:"-"` // where each field was written
	File      string         `yaml:"-"`
	// Topology is the resolved embedded backend topology; nil for external backends.
	Topology *topology.Topology `yaml:"-"`
}

// Viewers says how many viewers come and when.
type Viewers struct {
	Count   int     `yaml:"count"`
	Arrival Arrival `yaml:"arrival"`
}

// Arrival is the arrival process of new sessions.
//
//	process: instant   # all at t=0 (or spread uniformly over `over`)
//	process: constant  # rate
//	process: poisson   # rate (exponential gaps)
//	process: ramp      # from -> to over `over`
//	process: sine      # rate (mean) +- amplitude with period
//	process: flash     # rate as baseline, plus `burst` viewers from `at` within `over`
type Arrival struct {
	Process   string   `yaml:"process"`
	Rate      Rate     `yaml:"rate"`
	From      Rate     `yaml:"from"`
	To        Rate     `yaml:"to"`
	Over      Duration `yaml:"over"`
	Amplitude Rate     `yaml:"amplitude"`
	Period    Duration `yaml:"period"`
	At        Duration `yaml:"at"`
	Burst     int      `yaml:"burst"`
}

// Session is viewer behaviour once playing.
type Session struct {
	WatchTime    Dist     `yaml:"watch_time"`            // how long a viewer watches
	SeekEvery    Dist     `yaml:"seek_every"`            // time between seeks; none when unset
	PauseEvery   Dist     `yaml:"pause_every"`           // time between pauses; none when unset
	PauseFor     Dist     `yaml:"pause_for"`             // pause length
	AbandonAfter Duration `yaml:"abandon_startup_after"` // give up when start-up takes longer; defaults to 10s, 0 never
	Login        *bool    `yaml:"login"`                 // call the login API first; defaults to true
	MaxBuffer    Duration `yaml:"max_buffer"`            // player buffer goal; defaults to the player's
	// Script is what every viewer does at fixed times after its first
	// frame, besides the random seeks and pauses above: for reproducing
	// one session exactly in both modes.
	Script []Step `yaml:"script"`
	// ProbeEdges is how many of the best-ranked edges a player probes
	// before its first media request; 0 (the default) none.
	ProbeEdges int `yaml:"probe_edges"`
}

// Step is one scripted viewer action: a seek or a pause.
//
//	script:
//	  - {at: 20s, seek: 1m}   # 20s after the first frame, seek to 1:00
//	  - {at: 40s, pause: 5s}  # then pause for 5s
type Step struct {
	At    Duration  `yaml:"at"`    // after the first frame
	Seek  *Duration `yaml:"seek"`  // position to seek to
	Pause Duration  `yaml:"pause"` // how long to stay paused
}

// MaxScriptSteps bounds session.script.
const MaxScriptSteps = 100

// Content is what viewers watch.
type Content struct {
	Titles       int      `yaml:"titles"`         // VOD catalog size; defaults to 20
	TitleLength  Duration `yaml:"title_length"`   // length of each VOD title; defaults to 10m
	Zipf         float64  `yaml:"zipf"`           // popularity exponent s (>= 0); defaults to 1.0
	LiveChannels int      `yaml:"live_channels"`  // number of live channels
	LiveShare    Fraction `yaml:"live_share"`     // share of sessions on live channels
	Format       string   `yaml:"format"`         // hls, dash or mixed; defaults to hls
	SegmentLen   Duration `yaml:"segment_length"` // defaults to 4s
}

// Device is one kind of client, with its share of viewers.
type Device struct {
	Name      string  `yaml:"name"`
	Weight    float64 `yaml:"weight"`
	ABR       string  `yaml:"abr"`        // ABR algorithm name as abr.New takes it; defaults to auto
	MaxHeight int     `yaml:"max_height"` // cap on rendition height; 0 none
	Cohort    string  `yaml:"cohort"`     // optional experiment cohort
}

// Network is an access-network profile.
type Network struct {
	Name      string    `yaml:"name"`
	Weight    float64   `yaml:"weight"`
	Bandwidth Bandwidth `yaml:"bandwidth"` // synthetic mean bandwidth
	Variation float64   `yaml:"variation"` // synthetic: relative step of a random walk per step, 0..1
	Step      Duration  `yaml:"step"`      // synthetic: step length; defaults to 1s
	RTT       Duration  `yaml:"rtt"`       // round-trip time; defaults to 40ms
	Loss      Fraction  `yaml:"loss"`      // request failure probability on the access link
	Trace     *Trace    `yaml:"trace"`     // trace-driven bandwidth
}

// Trace points at bandwidth traces. Relative paths are resolved from the
// scenario file's directory; when none exist the network falls back to
// the synthetic fields.
type Trace struct {
	Path   string  `yaml:"path"`   // a file or a directory of traces
	Format string  `yaml:"format"` // pensieve or sabre; guessed from the content when empty
	Scale  float64 `yaml:"scale"`  // multiply bandwidth; defaults to 1
	Limit  int     `yaml:"limit"`  // use at most this many files
}

// Region is a group of viewers near a set of edges.
type Region struct {
	Name   string  `yaml:"name"`
	Weight float64 `yaml:"weight"`
}

// Backend is what the viewers play from.
type Backend struct {
	// Embedded runs the reference backend model (default).
	Embedded *Embedded `yaml:"embedded"`
	// URLs are a user's plain HLS/DASH manifest URLs (live mode).
	URLs []string `yaml:"urls"`
	// Adapter describes a user's control plane.
	Adapter *Adapter `yaml:"adapter"`
}

// Embedded is the reference backend model with its topology.
type Embedded struct {
	// Topology is "default" (the built-in topology of package
	// simulator/backend/topology) or a topology file relative to the scenario.
	Topology      string    `yaml:"topology"`
	EdgeCapacity  Bandwidth `yaml:"edge_capacity"`  // overrides every edge's capacity
	EdgeCache     Size      `yaml:"edge_cache"`     // overrides every edge's cache size
	OriginLatency Duration  `yaml:"origin_latency"` // first-byte delay added on a cache miss; defaults to 40ms
	// Collapse overrides the topology's live_edges.collapse: whether edges
	// make concurrent requests for one live object share one origin fetch.
	Collapse *bool     `yaml:"collapse"`
	Services []Service `yaml:"services"` // control-plane overrides
	// Release overrides the topology's catalog.release: a new season
	// dropping into the browse plane at a time of the run.
	Release *Release `yaml:"release"`
}

// Release is a drop of new titles and rows into the browse plane (see
// topology.Release): until At the last Titles of the content's titles are
// not listed; from At they are, with Rows new rows on every home page, and
// every home, row page and search answer cached before is stale.
type Release struct {
	At     Duration `yaml:"at"`
	Rows   int      `yaml:"rows"`
	Titles int      `yaml:"titles"`
}

// Service overrides the queue model of a control-plane service.
type Service struct {
	Name        string   `yaml:"name"`         // login or play
	Workers     int      `yaml:"workers"`      // requests served at once
	QueueLimit  int      `yaml:"queue_limit"`  // requests waiting before shedding (503); 0 unbounded
	ServiceTime Dist     `yaml:"service_time"` // time to serve one request
	Timeout     Duration `yaml:"timeout"`      // client timeout; defaults to 5s
}

// Adapter reaches a user's control plane over HTTP (live mode). URLs,
// headers and bodies may use {viewer}, {title}, {region} and {device}.
type Adapter struct {
	Login      *Endpoint `yaml:"login"`
	Play       Endpoint  `yaml:"play"`
	TokenField string    `yaml:"token_field"`    // JSON field of the login answer holding a bearer token; defaults to token
	Manifest   string    `yaml:"manifest_field"` // JSON field (dotted path) of the play answer holding the manifest URL; defaults to manifest
}

// Endpoint is one HTTP call of an adapter.
type Endpoint struct {
	Method  string            `yaml:"method"`
	URL     string            `yaml:"url"`
	Headers map[string]string `yaml:"headers"`
	Body    string            `yaml:"body"`
}

// Fault is a scheduled failure.
type Fault struct {
	At        Duration `yaml:"at"`
	For       Duration `yaml:"for"`        // 0: until the end
	Target    string   `yaml:"target"`     // edge:NAME, region:NAME (all its edges) or service:NAME
	Kind      string   `yaml:"kind"`       // down, slow, errors
	ErrorRate Fraction `yaml:"error_rate"` // errors: share of requests failing
	Latency   Duration `yaml:"latency"`    // slow: added latency
	Capacity  Fraction `yaml:"capacity"`   // slow: remaining share of capacity (edges)
}

// SLO is an objective; written as a plain string or as
// {expr: "...", abort: true}.
type SLO struct {
	Expr  string `yaml:"expr"`
	Abort bool   `yaml:"abort"`
	// Objective is the parsed form, filled by validation.
	Objective slo.Objective `yaml:"-"`
}

func (s *SLO) parseScalar(v string) error {
	s.Expr = v
	return nil
}

// Cohort is an experiment arm: devices naming it are compared with the
// control cohort.
type Cohort struct {
	Name    string `yaml:"name"`
	Control bool   `yaml:"control"`
}

// JourneyRef is the scenario's journey: the name "default", a file path,
// or the journey's YAML inline (package simulator/journey parses it).
type JourneyRef struct {
	// Path is "default" or a file (resolve it with Scenario.Resolve);
	// empty when Node holds the journey inline.
	Path string
	// Node is the inline journey, with its lines in the scenario file.
	Node *yaml.Node
	// Line is where the field was written.
	Line int
}

func (j *JourneyRef) keepNode(n *yaml.Node) {
	j.Line = n.Line
	if n.Kind == yaml.ScalarNode {
		j.Path = n.Value
		return
	}
	j.Node = n
}
