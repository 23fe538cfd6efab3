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
	Name string
	// Rules are the simulator's timing rules; defaults to RulesPensieve.
	Rules Rules
	// Abandon lets algorithms with an abandon rule (abr.Abandoner, and
	// Sabre's under RulesSabre) give up a download in flight.
	Abandon   bool
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
		StartLevel: 1, SkipFirst: true, Estimator: "ewma", Rules: RulesPensieve,
		Subset:  PensieveSubset,
		Subsets: []string{"fcc", "norway"},
	}
}

// PensieveSubset names the data set of a trace: the folder it was loaded
// from when it has one ("norway/x" is "norway"), else Pensieve's own file
// names: its Norway HSDPA logs (*.log, or named norway*/hsdpa*) and its
// FCC traces (trace_*, fcc*); "" when neither tells.
func PensieveSubset(name string) string {
	if d := DirSubset(name); d != "" {
		return d
	}
	base := strings.ToLower(filepath.Base(name))
	switch {
	case strings.HasSuffix(base, ".log") || strings.HasPrefix(base, "norway") || strings.HasPrefix(base, "hsdpa"):
		return "norway"
	case strings.HasPrefix(base, "trace_") || strings.HasPrefix(base, "fcc"):
		return "fcc"
	}
	return ""
}

// DirSubset names a trace's data set by the folder in its name ("hd_fs"
// for "hd_fs/trace0001.json"), "" for a bare file name.
func DirSubset(name string) string {
	if d := filepath.Dir(name); d != "." && d != "" {
		return filepath.Base(d)
	}
	return ""
}

// Sabre returns the setup of Sabre's simulator (sabre.py with its
// defaults): its timing rules (RulesSabre), a 25 s buffer, abandonment on,
// the first segment at level 0; QoE_lin leaves that segment out, and
// Sabre's own metrics are reported beside it. Its subset is the trace's
// folder (4Glogs, hd_fs, sd_fs).
func Sabre() Config {
	return Config{
		Name: "sabre", Rules: RulesSabre, Abandon: true, Payload: 1, MaxBuffer: 25 * time.Second,
		StartLevel: 0, SkipFirst: true, Estimator: "ewma",
		Subset: DirSubset,
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
