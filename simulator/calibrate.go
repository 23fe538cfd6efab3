package simulator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"github.com/abrkit/abrkit/simulator/results"
	"github.com/abrkit/abrkit/simulator/scenario"
	"github.com/abrkit/abrkit/simulator/slo"
)

// ErrCalibration is returned when a metric differs between the drivers
// by more than its tolerance.
var ErrCalibration = errors.New("virtual and live runs disagree beyond tolerance")

// Calibration compares one metric between the two drivers.
type Calibration struct {
	Metric    string  `json:"metric"`
	Virtual   float64 `json:"virtual"`
	Live      float64 `json:"live"`
	Diff      float64 `json:"diff"`      // live - virtual
	Tolerance float64 `json:"tolerance"` // largest |diff| that passes
	OK        bool    `json:"ok"`
	Unit      string  `json:"unit"`
}

// CalibrationReport is the outcome of Calibrate (`--calibrate --format json`).
type CalibrationReport struct {
	Calibration []Calibration `json:"calibration"`
	OK          bool          `json:"ok"`
}

// calMetric is a compared metric with its tolerance: |live - virtual|
// may be up to Abs + Rel·|virtual|.
type calMetric struct {
	Metric, Stat string
	Abs, Rel     float64
}

// segmentsAbandoned is computed here from the session records.
const segmentsAbandoned = "segments_abandoned"

// calibrationMetrics and their tolerances. The live run adds what the
// virtual model leaves out: playlist and init-segment fetches before the
// first frame (a few round trips), loopback and goroutine scheduling on a
// shared machine, and real control-plane service times; a run small
// enough for a laptop has few sessions, so percentiles move by whole
// samples.
func calibrationMetrics() []calMetric {
	return []calMetric{
		{"startup_time", "p50", 0.3, 0.5},
		{"startup_time", "p95", 0.5, 0.5},
		{"rebuffer_ratio", "mean", 0.01, 0},
		{"bitrate", "mean", 0, 0.25},
		{"switches", "mean", 2, 0.5},
		{segmentsAbandoned, "", 2, 0.5},
		{"segment.latency", "p50", 0.05, 0.5},
		{"segment.latency", "p99", 0.2, 1},
		{"api.play.latency", "p50", 0.05, 0},
		{"play_failures.rate", "", 0.01, 0},
		{"availability", "", 0.01, 0},
	}
}

// Calibrate runs s in virtual time and then live with the same viewers
// (cfg's overrides apply to both; outputs are not written) and compares
// their QoE and latency, each metric against its tolerance.
func Calibrate(ctx context.Context, s *scenario.Scenario, cfg Config) (*CalibrationReport, error) {
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

func value(r *results.Results, metric, stat string) (float64, bool) {
	if metric != segmentsAbandoned {
		return r.Value(metric, stat)
	}
	n := 0
	for i := range r.Records {
		n += r.Records[i].SegmentsAbandoned
	}
	return float64(n), true
}

func compare(v, l *results.Results) *CalibrationReport {
	rep := &CalibrationReport{OK: true, Calibration: []Calibration{}}
	for _, m := range calibrationMetrics() {
		a, okA := value(v, m.Metric, m.Stat)
		b, okB := value(l, m.Metric, m.Stat)
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
		tol := m.Abs + m.Rel*math.Abs(a)
		c := Calibration{Metric: name, Virtual: a, Live: b, Diff: b - a, Tolerance: tol, OK: math.Abs(b-a) <= tol, Unit: u.String()}
		rep.OK = rep.OK && c.OK
		rep.Calibration = append(rep.Calibration, c)
	}
	return rep
}

// Err is ErrCalibration when a metric is outside its tolerance.
func (r *CalibrationReport) Err() error {
	if r.OK {
		return nil
	}
	return ErrCalibration
}

// WriteCalibration prints the comparison as a table and a verdict line.
func WriteCalibration(w io.Writer, r *CalibrationReport) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "METRIC\tVIRTUAL\tLIVE\tLIVE-VIRTUAL\tTOLERANCE\tOK")
	for _, c := range r.Calibration {
		u := slo.Count
		for _, x := range []slo.Unit{slo.Seconds, slo.Ratio, slo.BitsPerSecond, slo.Count} {
			if x.String() == c.Unit {
				u = x
			}
		}
		ok := "ok"
		if !c.OK {
			ok = "OUTSIDE"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%+.4g\t±%.4g\t%s\n", c.Metric, u.Format(c.Virtual), u.Format(c.Live), c.Diff, c.Tolerance, ok)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	verdict := "calibration ok: every metric within its tolerance"
	if !r.OK {
		verdict = "calibration FAILED: " + ErrCalibration.Error()
	}
	_, err := fmt.Fprintln(w, verdict)
	return err
}
