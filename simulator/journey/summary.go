package journey

import (
	"fmt"
	"io"
	"math"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/abrkit/abrkit/simulator/slo"
)

// Summary is a run's result in figures, for text or JSON.
type Summary struct {
	Target   string        `json:"target"`
	Viewers  int           `json:"viewers"`
	ElapsedS float64       `json:"elapsed_s"`
	Sessions int64         `json:"sessions"`
	Steps    []StepSummary `json:"steps"`
	SLOs     []slo.Verdict `json:"slos,omitempty"`
	// Errors are the distinct failures and their counts, most frequent first.
	Errors []ErrorCount `json:"errors,omitempty"`
}

// StepSummary is one step's figures; latencies are in milliseconds.
type StepSummary struct {
	Step            string  `json:"step"`
	Requests        int64   `json:"requests"`
	Failures        int64   `json:"failures"`
	ExtractFailures int64   `json:"extract_failures,omitempty"`
	Skipped         int64   `json:"skipped,omitempty"`
	Availability    float64 `json:"availability"`
	RatePerS        float64 `json:"rate_per_s"`
	P50Ms           float64 `json:"p50_ms"`
	P90Ms           float64 `json:"p90_ms"`
	P99Ms           float64 `json:"p99_ms"`
	MaxMs           float64 `json:"max_ms"`
	// Windows are the figures per window of run time (with Options.Window).
	Windows []WindowSummary `json:"windows,omitempty"`
}

// WindowSummary is a step's figures over one window; empty windows have
// no requests.
type WindowSummary struct {
	StartS   float64 `json:"start_s"`
	Requests int64   `json:"requests"`
	Failures int64   `json:"failures"`
	P50Ms    float64 `json:"p50_ms"`
	P99Ms    float64 `json:"p99_ms"`
}

// ErrorCount is one kind of failure.
type ErrorCount struct {
	Error string `json:"error"`
	Count int    `json:"count"`
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

// Summary returns the figures, with the verdicts given.
func (r *Result) Summary(verdicts []slo.Verdict) Summary {
	s := Summary{Target: r.Target, Viewers: r.Viewers, ElapsedS: math.Round(r.Elapsed.Seconds()*10) / 10, Sessions: r.Sessions, SLOs: verdicts}
	for _, st := range r.Steps {
		ss := StepSummary{Step: st.Step, Requests: st.Requests, Failures: st.Failures, ExtractFailures: st.ExtractFailures, Skipped: st.Skipped}
		if st.Requests > 0 {
			ss.Availability = 1 - float64(st.Failures)/float64(st.Requests)
			ss.P50Ms, ss.P90Ms, ss.P99Ms, ss.MaxMs = ms(st.Quantile(50)), ms(st.Quantile(90)), ms(st.Quantile(99)), ms(st.Quantile(100))
			if r.Elapsed > 0 {
				ss.RatePerS = math.Round(float64(st.Requests)/r.Elapsed.Seconds()*100) / 100
			}
		}
		st.mu.Lock()
		for i, w := range st.windows {
			ws := WindowSummary{StartS: (time.Duration(i) * r.Window).Seconds()}
			if w != nil {
				ws.Requests, ws.Failures = w.requests, w.failures
				ws.P50Ms = ms(time.Duration(w.hist.ValueAtQuantile(50)) * time.Microsecond)
				ws.P99Ms = ms(time.Duration(w.hist.ValueAtQuantile(99)) * time.Microsecond)
			}
			ss.Windows = append(ss.Windows, ws)
		}
		st.mu.Unlock()
		s.Steps = append(s.Steps, ss)
	}
	for k, v := range r.Errors() {
		s.Errors = append(s.Errors, ErrorCount{k, v})
	}
	sort.Slice(s.Errors, func(i, j int) bool {
		if s.Errors[i].Count != s.Errors[j].Count {
			return s.Errors[i].Count > s.Errors[j].Count
		}
		return s.Errors[i].Error < s.Errors[j].Error
	})
	return s
}

// WriteText prints the summary as tables.
func (s Summary) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "journey against %s: %d viewers, %.1fs, %d sessions\n\n", s.Target, s.Viewers, s.ElapsedS, s.Sessions)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "step\trequests\tper s\tfailed\tavailability\tp50 ms\tp90 ms\tp99 ms\tmax ms\t")
	for _, st := range s.Steps {
		if st.Requests == 0 && st.Skipped == 0 {
			fmt.Fprintf(tw, "%s\t0\t\t\t\t\t\t\t\t\n", st.Step)
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%d\t%.3f%%\t%.1f\t%.1f\t%.1f\t%.1f\t\n", st.Step, st.Requests, st.RatePerS, st.Failures,
			st.Availability*100, st.P50Ms, st.P90Ms, st.P99Ms, st.MaxMs)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if err := s.writeWindows(w); err != nil {
		return err
	}
	if len(s.SLOs) > 0 {
		fmt.Fprintln(w, "\nSLOs:")
		for _, v := range s.SLOs {
			mark := "held    "
			if !v.Held {
				mark = "BREACHED"
			}
			obs := v.ObservedText
			if !v.HasData {
				obs = "no data"
			}
			fmt.Fprintf(w, "  %s %s (observed %s)\n", mark, v.Expr, obs)
		}
	}
	if len(s.Errors) > 0 {
		fmt.Fprintln(w, "\nfailures:")
		for i, e := range s.Errors {
			if i == 10 {
				fmt.Fprintf(w, "  ... %d more kinds\n", len(s.Errors)-10)
				break
			}
			fmt.Fprintf(w, "  %6d  %s\n", e.Count, e.Error)
		}
	}
	_, err := fmt.Fprintln(w)
	return err
}

// writeWindows prints p99 latency per step and window, with failures.
func (s Summary) writeWindows(w io.Writer) error {
	n := 0
	for _, st := range s.Steps {
		n = max(n, len(st.Windows))
	}
	if n == 0 {
		return nil
	}
	fmt.Fprintln(w, "\np99 ms per window (failed requests in brackets):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "from s\t")
	for _, st := range s.Steps {
		fmt.Fprintf(tw, "%s\t", st.Step)
	}
	fmt.Fprintln(tw)
	for i := range n {
		start := 0.0
		for _, st := range s.Steps {
			if i < len(st.Windows) {
				start = st.Windows[i].StartS
			}
		}
		fmt.Fprintf(tw, "%.0f\t", start)
		for _, st := range s.Steps {
			switch {
			case i >= len(st.Windows) || st.Windows[i].Requests == 0:
				fmt.Fprint(tw, "-\t")
			case st.Windows[i].Failures > 0:
				fmt.Fprintf(tw, "%.1f [%d]\t", st.Windows[i].P99Ms, st.Windows[i].Failures)
			default:
				fmt.Fprintf(tw, "%.1f\t", st.Windows[i].P99Ms)
			}
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}
