package eval

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/abrkit/abrkit/abr"
	"github.com/abrkit/abrkit/abr/trace"
)

// Config is the simulation setup of one evaluation.
type Config struct {
	Name      string
	Chunks    int           // segments played; 0 plays the whole video
	RTT       time.Duration // added to every request; traces with latencies use theirs
	Payload   float64       // fraction of the capacity that carries payload; defaults to 1
	MaxBuffer time.Duration // the player sleeps when the buffer exceeds it
	// SleepStep rounds each sleep up to a multiple of it (0: sleep exactly
	// the excess).
	SleepStep  time.Duration
	StartLevel int  // level of the first segment and the "previous" level before it
	SkipFirst  bool // leave segment 0 (start-up) out of the score
	// QoE weights; the zero value means abr.LinQoE of the ladder.
	QoE abr.QoE
	// Estimator feeds State.Estimate; defaults to "ewma".
	Estimator string
	// Subset returns the subset a trace belongs to ("" for none).
	Subset func(traceName string) string
	// Subsets lists the subsets Subset can answer, in report order.
	Subsets []string
	// OptimalBin is the buffer discretisation of the offline optimum;
	// defaults to DefaultOptimalBin.
	OptimalBin time.Duration
}

// DefaultOptimalBin is the buffer step of the offline optimum's dynamic
// programme.
const DefaultOptimalBin = 100 * time.Millisecond

// Pensieve returns the setup of the Pensieve project's simulator, as
// written in the shared traces' README: 48 segments of 4 s, 80 ms round
// trip, 0.95 payload, 60 s buffer with 500 ms sleeps, first segment at
// level 1 and left out of the score, QoE_lin; subsets "fcc" and "norway"
// (*.log files).
func Pensieve() Config {
	return Config{
		Name: "pensieve", Chunks: 48, RTT: 80 * time.Millisecond, Payload: 0.95,
		MaxBuffer: 60 * time.Second, SleepStep: 500 * time.Millisecond,
		StartLevel: 1, SkipFirst: true, Estimator: "ewma",
		Subset:  PensieveSubset,
		Subsets: []string{"fcc", "norway"},
	}
}

// PensieveSubset tells Pensieve's FCC traces from its Norway HSDPA logs
// (*.log).
func PensieveSubset(name string) string {
	if strings.HasSuffix(name, ".log") {
		return "norway"
	}
	return "fcc"
}

// Sabre returns a setup for Sabre's data (JSON period traces with their own
// latency, JSON videos): the whole video, a 25 s buffer (Sabre's default),
// exact sleeps, first segment at level 0 and left out of the score,
// QoE_lin. Its subset is the trace's folder (4Glogs, hd_fs, sd_fs). It
// reads Sabre's formats with our simulation rules; it does not reproduce
// Sabre's own metrics.
func Sabre() Config {
	return Config{
		Name: "sabre", Payload: 1, MaxBuffer: 25 * time.Second,
		StartLevel: 0, SkipFirst: true, Estimator: "ewma",
		Subset: func(name string) string { return filepath.Base(filepath.Dir(name)) },
	}
}

// Preset returns a named setup: "pensieve" or "sabre".
func Preset(name string) (Config, error) {
	switch name {
	case "pensieve":
		return Pensieve(), nil
	case "sabre":
		return Sabre(), nil
	}
	return Config{}, fmt.Errorf("preset %q: %w (known: pensieve, sabre)", name, ErrUnknownPreset)
}

// Presets lists the preset names.
func Presets() []string { return []string{"pensieve", "sabre"} }

// TraceFormat returns the trace format a preset reads.
func TraceFormat(preset string) trace.Format {
	if preset == "sabre" {
		return trace.FormatSabre
	}
	return trace.FormatPensieve
}

func (c *Config) defaults(v *trace.Video) {
	if c.Payload <= 0 {
		c.Payload = 1
	}
	if c.Chunks <= 0 || c.Chunks > v.Segments() {
		c.Chunks = v.Segments()
	}
	if c.QoE == (abr.QoE{}) {
		c.QoE = abr.LinQoE(v.Bitrates)
	}
	if c.Estimator == "" {
		c.Estimator = "ewma"
	}
	if c.OptimalBin <= 0 {
		c.OptimalBin = DefaultOptimalBin
	}
	c.StartLevel = max(0, min(c.StartLevel, len(v.Bitrates)-1))
}
