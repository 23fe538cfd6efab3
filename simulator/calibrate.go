package simulator

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/abrkit/abrkit/simulator/results"
	"github.com/abrkit/abrkit/simulator/scenario"
	"github.com/abrkit/abrkit/simulator/slo"
)

// Calibration compares one metric between the two drivers.
type Calibration struct {
	Metric  string  `json:"metric"`
	Virtual float64 `json:"virtual"`
	Live    float64 `json:"live"`
	Diff    float64 `json:"diff"` // live - virtual
	Unit    string  `json:"unit"`
}

// CalibrationMetrics are compared by Calibrate.
var CalibrationMetrics = []struct{ Metric, Stat string }{
	{"startup_time", "p50"}, {"startup_time", "p95"}, {"rebuffer_ratio", "mean"}, {"bitrate", "mean"},
	{"switches", "mean"}, {"segment.latency", "p50"}, {"segment.latency", "p99"}, {"api.play.latency", "p50"},
	{"play_failures.rate", ""}, {"availability", ""},
}

// Calibrate runs s in virtual time and then live with the same viewers
// (cfg's overrides apply to both; outputs are not written) and compares
// their QoE and latency.
func Calibrate(ctx context.Context, s *scenario.Scenario, cfg Config) ([]Calibration, error) {
	cfg.Out, cfg.Requests = "", false
	cfg.Mode = "virtual"
	v, _, err := RunContext(ctx, s, cfg)
	if v == nil {
		return nil, err
	}
	cfg.Mode = "live"
	l, _, err := RunContext(ctx, s, cfg)
	if l == nil {
		return nil, err
	}
	return compare(v, l), nil
}

func compare(v, l *results.Results) []Calibration {
	var out []Calibration
	for _, m := range CalibrationMetrics {
		a, okA := v.Value(m.Metric, m.Stat)
		b, okB := l.Value(m.Metric, m.Stat)
		if !okA || !okB {
			continue
		}
		name := m.Metric
		if m.Stat != "" {
			name += "." + m.Stat
		}
		u := slo.Count
		if met, ok := slo.Lookup(m.Metric); ok {
			u = met.Unit
		}
		out = append(out, Calibration{Metric: name, Virtual: a, Live: b, Diff: b - a, Unit: u.String()})
	}
	return out
}

// WriteCalibration prints the comparison as a table.
func WriteCalibration(w io.Writer, cs []Calibration) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "METRIC\tVIRTUAL\tLIVE\tLIVE-VIRTUAL")
	for _, c := range cs {
		u := slo.Count
		for _, x := range []slo.Unit{slo.Seconds, slo.Ratio, slo.BitsPerSecond, slo.Count} {
			if x.String() == c.Unit {
				u = x
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%+.4g\n", c.Metric, u.Format(c.Virtual), u.Format(c.Live), c.Diff)
	}
	return tw.Flush()
}
