package results

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/abrkit/abrkit/simulator/slo"
)

// Dist is a summary of one distribution, in the metric's base unit.
type Dist struct {
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P95  float64 `json:"p95"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
}

// ClassSummary is one request class in the summary.
type ClassSummary struct {
	Count     int64   `json:"count"`
	Errors    int64   `json:"errors"`
	ErrorRate float64 `json:"error_rate"`
	LatencyS  Dist    `json:"latency_s"`
}

// Sessions counts sessions by outcome.
type Sessions struct {
	Total     int `json:"total"`
	Started   int `json:"started"`
	Failed    int `json:"failed"`
	Abandoned int `json:"abandoned"`
	// Browsed are journey sessions that left without playing.
	Browsed int `json:"browsed,omitempty"`
}

// Failover counts sessions that changed server (edge failure, steering,
// return after a penalty) and how many of those ever stalled: the
// evidence that failover kept playback going.
type Failover struct {
	Sessions           int `json:"sessions"`             // sessions that changed server at least once
	Changes            int `json:"changes"`              // server changes over all sessions
	SessionsWithStalls int `json:"sessions_with_stalls"` // of those sessions, how many stalled at all
}

// LiveSummary is the account of the sessions on live channels.
type LiveSummary struct {
	Sessions      int  `json:"sessions"` // live sessions that started
	LatencyS      Dist `json:"latency_s"`
	RebufferRatio Dist `json:"rebuffer_ratio"`
	// OriginRequestsPerObject is the worst edge's origin fetches per live
	// object (1: every concurrent miss collapsed); 0 when not modelled.
	OriginRequestsPerObject float64 `json:"origin_requests_per_object,omitempty"`
}

// Summary is the machine-readable outcome of a run (`--format json`).
type Summary struct {
	Scenario      string   `json:"scenario"`
	Mode          string   `json:"mode"`
	Seed          uint64   `json:"seed"`
	Shards        []int    `json:"shards"`
	ShardCount    int      `json:"shard_count"`
	Sessions      Sessions `json:"sessions"`
	SimSeconds    float64  `json:"sim_seconds"`
	WallSeconds   float64  `json:"wall_seconds"`
	ViewerSeconds float64  `json:"viewer_seconds"`
	Speedup       float64  `json:"speedup"` // viewer-seconds simulated per wall second
	CPUSeconds    float64  `json:"cpu_seconds"`
	PerCPUSecond  float64  `json:"viewer_seconds_per_cpu_second"`
	Events        uint64   `json:"events"`
	StartupS      Dist     `json:"startup_s"`
	RebufferRatio Dist     `json:"rebuffer_ratio"`
	BitrateBps    Dist     `json:"bitrate_bps"`
	CacheHitRatio float64  `json:"cache_hit_ratio"`
	Failover      Failover `json:"failover"`
	// SegmentsAbandoned is media downloads abandoned mid-transfer, over
	// all sessions.
	SegmentsAbandoned int                     `json:"segments_abandoned"`
	Requests          map[string]ClassSummary `json:"requests"`
	Edges             []EdgeStat              `json:"edges"`
	Live              *LiveSummary            `json:"live,omitempty"`
	Faults            []FaultMark             `json:"faults,omitempty"`
	Cohorts           []CohortDiff            `json:"cohorts,omitempty"`
	SLOs              []slo.Verdict           `json:"slos"`
	Passed            bool                    `json:"passed"`
	Aborted           string                  `json:"aborted,omitempty"`
	Out               string                  `json:"out,omitempty"`
}

func dist(vs []float64) Dist {
	var d Dist
	if len(vs) == 0 {
		return d
	}
	d.Mean, _ = Stat(vs, "mean")
	d.P50, _ = Stat(vs, "p50")
	d.P90, _ = Stat(vs, "p90")
	d.P95, _ = Stat(vs, "p95")
	d.P99, _ = Stat(vs, "p99")
	d.Max, _ = Stat(vs, "max")
	return d
}

// Summarize computes the summary and the SLO verdicts.
func (r *Results) Summarize() *Summary {
	s := &Summary{Scenario: r.Scenario, Mode: r.Mode, Seed: r.Seed, Shards: r.Shards, ShardCount: r.ShardCount,
		SimSeconds: r.SimSeconds, WallSeconds: r.WallSeconds, Events: r.Events, Aborted: r.Aborted,
		Requests: map[string]ClassSummary{}, Edges: r.Edges}
	s.Sessions.Total = len(r.Records)
	for i := range r.Records {
		x := &r.Records[i]
		if x.Started {
			s.Sessions.Started++
		}
		if x.Failed {
			s.Sessions.Failed++
		}
		if x.Abandoned {
			s.Sessions.Abandoned++
		}
		if x.Browsed {
			s.Sessions.Browsed++
		}
		s.ViewerSeconds += x.PlayS + x.StallS
		s.SegmentsAbandoned += x.SegmentsAbandoned
		if x.ServerChanges > 0 {
			s.Failover.Sessions++
			s.Failover.Changes += x.ServerChanges
			if x.Stalls > 0 {
				s.Failover.SessionsWithStalls++
			}
		}
	}
	if r.WallSeconds > 0 {
		s.Speedup = s.ViewerSeconds / r.WallSeconds
	}
	s.CPUSeconds = r.CPUSeconds
	if r.CPUSeconds > 0 {
		s.PerCPUSecond = s.ViewerSeconds / r.CPUSeconds
	}
	s.StartupS = dist(r.sessionValues("startup_time"))
	s.RebufferRatio = dist(r.sessionValues("rebuffer_ratio"))
	s.BitrateBps = dist(r.sessionValues("bitrate"))
	if v, ok := r.Value("cache_hit_ratio", ""); ok {
		s.CacheHitRatio = v
	}
	for name, c := range r.Classes {
		if c.Count == 0 {
			continue
		}
		cs := ClassSummary{Count: c.Count, Errors: c.Errors, ErrorRate: float64(c.Errors) / float64(c.Count)}
		h := c.Latency
		cs.LatencyS = Dist{Mean: h.Mean() / 1e6, P50: float64(h.ValueAtQuantile(50)) / 1e6, P90: float64(h.ValueAtQuantile(90)) / 1e6,
			P95: float64(h.ValueAtQuantile(95)) / 1e6, P99: float64(h.ValueAtQuantile(99)) / 1e6, Max: float64(h.Max()) / 1e6}
		s.Requests[name] = cs
	}
	if lat := r.liveValues("live_latency"); len(lat) > 0 {
		s.Live = &LiveSummary{Sessions: len(lat), LatencyS: dist(lat), RebufferRatio: dist(r.liveValues("live_rebuffer_ratio"))}
		if v, ok := r.OriginRequestsPerObject(); ok {
			s.Live.OriginRequestsPerObject = v
		}
	}
	s.Faults = r.Faults
	s.Cohorts = r.CohortDiffs()
	s.SLOs = r.Verdicts()
	s.Passed = slo.AllHeld(s.SLOs) && r.Aborted == ""
	return s
}

// WriteText prints the summary and the SLO table for people.
func (s *Summary) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "scenario %s (%s, seed %d", s.Scenario, s.Mode, s.Seed)
	if s.ShardCount > 1 {
		fmt.Fprintf(&b, ", shards %v of %d", s.Shards, s.ShardCount)
	}
	fmt.Fprintf(&b, ")\n")
	fmt.Fprintf(&b, "sessions   %d: %d started, %d failed, %d abandoned", s.Sessions.Total, s.Sessions.Started, s.Sessions.Failed, s.Sessions.Abandoned)
	if s.Sessions.Browsed > 0 {
		fmt.Fprintf(&b, ", %d browsed without playing", s.Sessions.Browsed)
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "simulated  %s of time, %.0f viewer-seconds in %.2fs wall (%.0fx), %d events\n",
		slo.Seconds.Format(s.SimSeconds), s.ViewerSeconds, s.WallSeconds, s.Speedup, s.Events)
	if s.CPUSeconds > 0 {
		fmt.Fprintf(&b, "cpu        %.2fs: %.0f viewer-seconds per CPU-second\n", s.CPUSeconds, s.PerCPUSecond)
	}
	fmt.Fprintf(&b, "start-up   p50 %s  p95 %s  p99 %s\n", slo.Seconds.Format(s.StartupS.P50), slo.Seconds.Format(s.StartupS.P95), slo.Seconds.Format(s.StartupS.P99))
	fmt.Fprintf(&b, "rebuffer   mean %s  p95 %s\n", slo.Ratio.Format(s.RebufferRatio.Mean), slo.Ratio.Format(s.RebufferRatio.P95))
	fmt.Fprintf(&b, "bitrate    mean %s  p50 %s\n", slo.BitsPerSecond.Format(s.BitrateBps.Mean), slo.BitsPerSecond.Format(s.BitrateBps.P50))
	fmt.Fprintf(&b, "cache hit  %s\n", slo.Ratio.Format(s.CacheHitRatio))
	fmt.Fprintf(&b, "failover   %d sessions changed server (%d changes), %d of them stalled\n",
		s.Failover.Sessions, s.Failover.Changes, s.Failover.SessionsWithStalls)
	if l := s.Live; l != nil {
		fmt.Fprintf(&b, "live       %d sessions: latency p50 %s  p95 %s  p99 %s  max %s, rebuffer mean %s\n", l.Sessions,
			slo.Seconds.Format(l.LatencyS.P50), slo.Seconds.Format(l.LatencyS.P95), slo.Seconds.Format(l.LatencyS.P99),
			slo.Seconds.Format(l.LatencyS.Max), slo.Ratio.Format(l.RebufferRatio.Mean))
		if l.OriginRequestsPerObject > 0 {
			fmt.Fprintf(&b, "origin     %.2f requests per live object (worst edge)\n", l.OriginRequestsPerObject)
		}
	}
	for _, f := range s.Faults {
		fmt.Fprintf(&b, "fault      %s %s from %s", f.Target, f.Kind, slo.Seconds.Format(f.StartS))
		if f.EndS > 0 {
			fmt.Fprintf(&b, " to %s", slo.Seconds.Format(f.EndS))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "REQUESTS\tCOUNT\tERRORS\tP50\tP99\tMAX")
	for _, name := range s.classOrder() {
		c, ok := s.Requests[name]
		if !ok {
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", name, c.Count, slo.Ratio.Format(c.ErrorRate),
			slo.Seconds.Format(c.LatencyS.P50), slo.Seconds.Format(c.LatencyS.P99), slo.Seconds.Format(c.LatencyS.Max))
	}
	tw.Flush()
	for _, c := range s.Cohorts {
		fmt.Fprintf(&b, "\ncohort %s vs %s (%d vs %d sessions):\n", c.Cohort, c.Control, c.N, c.ControlN)
		for _, m := range c.Metrics {
			fmt.Fprintf(&b, "  %-16s %s -> %s  diff %+.4g [95%% CI %+.4g, %+.4g]\n", m.Metric, fmtUnit(m.Metric, m.Control), fmtUnit(m.Metric, m.Value), m.Diff, m.CILow, m.CIHigh)
		}
	}
	if len(s.SLOs) > 0 {
		b.WriteString("\n")
		tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "SLO\tOBSERVED\tRESULT")
		for _, v := range s.SLOs {
			res := "ok"
			if !v.Held {
				res = "BREACHED"
			}
			if !v.HasData {
				res += " (no data)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", v.Expr, v.ObservedText, res)
		}
		tw.Flush()
	}
	if s.Aborted != "" {
		fmt.Fprintf(&b, "\naborted early: %s breached\n", s.Aborted)
	}
	if s.Passed {
		b.WriteString("\nPASS: every SLO held\n")
	} else {
		b.WriteString("\nFAIL: SLO breached\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// classOrder is Classes, then the journey steps' classes by name.
func (s *Summary) classOrder() []string {
	out := Classes()
	known := map[string]bool{}
	for _, c := range out {
		known[c] = true
	}
	var extra []string
	for name := range s.Requests {
		if !known[name] {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	return append(out, extra...)
}

func fmtUnit(metric string, v float64) string {
	if m, ok := slo.Lookup(metric); ok {
		return m.Unit.Format(v)
	}
	return fmt.Sprint(v)
}
