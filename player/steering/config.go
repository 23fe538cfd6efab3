package steering

import (
	"time"

	"github.com/abrkit/abrkit/player/manifest"
)

// Defaults for Config fields left zero.
const (
	DefaultProbeCount       = 3
	DefaultProbeTimeout     = 2 * time.Second
	DefaultProbeFactor      = 2.0
	DefaultPenaltyBase      = 10 * time.Second
	DefaultPenaltyMax       = 5 * time.Minute
	DefaultCollapseRatio    = 0.3
	DefaultCollapseSamples  = 3
	DefaultTTL              = 300 * time.Second
	DefaultMinReloadBackoff = time.Second
)

// Config describes the sources of servers and the tuning of a [Manager].
// Zero fields take the Default* values.
type Config struct {
	// Edges is the playback API's ranked edge list, best first.
	Edges []Edge
	// Presentation supplies HLS pathways / redundant variants, DASH
	// BaseURL serviceLocations and the content-steering tag. May be nil.
	Presentation *manifest.Presentation
	// SteeringURI overrides the presentation's steering server URI
	// (e.g. the playback API's steering URI).
	SteeringURI string
	// DefaultServer is the ID to start on; defaults to the steering tag's
	// PATHWAY-ID / defaultServiceLocation, else the first ranked server.
	DefaultServer string
	// Protocol defaults to the presentation's format, else ProtocolHLS.
	Protocol Protocol

	// ProbeCount is how many top-ranked servers to probe at start;
	// defaults to DefaultProbeCount; negative disables probing.
	ProbeCount int
	// ProbeTimeout is how long after Probes the selector waits for
	// results before deciding with what it has.
	ProbeTimeout time.Duration
	// ProbeFactor: the selector leaves rank 1 only when its probe latency
	// is more than ProbeFactor times the best latency, or its throughput
	// less than the best divided by ProbeFactor (or its probe failed).
	ProbeFactor float64

	// PenaltyBase is the first penalty of a failing server; each further
	// consecutive failure doubles it, up to PenaltyMax. They default to
	// DefaultPenaltyBase (10s) and DefaultPenaltyMax (5 min).
	PenaltyBase time.Duration
	PenaltyMax  time.Duration // longest penalty; see PenaltyBase

	// CollapseRatio: a server collapsed when its fast throughput average
	// falls below CollapseRatio times its own slow baseline, after at
	// least CollapseSamples samples. They default to DefaultCollapseRatio
	// (0.3) and DefaultCollapseSamples (3).
	CollapseRatio   float64
	CollapseSamples int // samples a server needs before it can collapse; see CollapseRatio

	// DefaultTTL is used when a steering manifest gives no TTL.
	DefaultTTL time.Duration
}

func (c *Config) setDefaults() {
	if c.ProbeCount == 0 {
		c.ProbeCount = DefaultProbeCount
	}
	if c.ProbeTimeout <= 0 {
		c.ProbeTimeout = DefaultProbeTimeout
	}
	if c.ProbeFactor <= 1 {
		c.ProbeFactor = DefaultProbeFactor
	}
	if c.PenaltyBase <= 0 {
		c.PenaltyBase = DefaultPenaltyBase
	}
	if c.PenaltyMax <= 0 {
		c.PenaltyMax = DefaultPenaltyMax
	}
	if c.PenaltyMax < c.PenaltyBase {
		c.PenaltyMax = c.PenaltyBase
	}
	if c.CollapseRatio <= 0 || c.CollapseRatio >= 1 {
		c.CollapseRatio = DefaultCollapseRatio
	}
	if c.CollapseSamples <= 0 {
		c.CollapseSamples = DefaultCollapseSamples
	}
	if c.DefaultTTL <= 0 {
		c.DefaultTTL = DefaultTTL
	}
	if c.Protocol == 0 {
		c.Protocol = ProtocolHLS
		if c.Presentation != nil && c.Presentation.Format == manifest.FormatDASH {
			c.Protocol = ProtocolDASH
		}
	}
}
