package report

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strconv"

	"github.com/abrkit/abrkit/simulator/results"
	"github.com/abrkit/abrkit/simulator/slo"
)

// WriteHTML writes a self-contained HTML report (inline SVG, no scripts):
// the SLO table, QoE distributions, bitrate and buffer of sample viewers,
// per-edge load and cache hit ratio, and errors over time with the fault
// windows shaded. A plot with nothing to show is left out, with a line
// that says why; every time plot shares one time axis.
func WriteHTML(w io.Writer, r *results.Results, s *results.Summary) error {
	p := &plots{bands: faultBands(r), time: niceAxis(0, timeSpan(r), num)}
	p.cdf("Start-up time (CDF)", "start-up time (s)", values(r, "startup_time"), num, "s")
	p.cdf("Rebuffer ratio (CDF)", "rebuffer ratio", values(r, "rebuffer_ratio"), pct, "")
	p.cdf("Average bitrate (CDF)", "average bitrate (Mbit/s)", scale(values(r, "bitrate"), 1e-6), num, " Mbit/s")
	if s.Live != nil {
		var lat []float64
		for i := range r.Records {
			if x := &r.Records[i]; x.Started && x.Live {
				lat = append(lat, x.LiveLatencyS)
			}
		}
		p.cdf("Live latency behind the edge (CDF)", "live latency (s)", lat, num, "s")
	}
	var br, bu []series
	for _, sm := range r.Samples {
		a := series{Name: fmt.Sprintf("viewer %d", sm.Viewer)}
		b := a
		for _, pt := range sm.Points {
			a.X, a.Y = append(a.X, pt.T), append(a.Y, pt.Bitrate/1e6)
			b.X, b.Y = append(b.X, pt.T), append(b.Y, pt.Buffer)
		}
		br, bu = append(br, a), append(bu, b)
	}
	p.overTime("Bitrate of sample viewers", "Mbit/s", br, "no sample viewers recorded")
	p.overTime("Buffer of sample viewers", "buffer (s)", bu, "no sample viewers recorded")
	p.timeline(r)
	p.steps(r)
	p.cacheHits(r)
	return page.Execute(w, struct {
		S      *results.Summary
		R      *results.Results
		Charts []template.HTML
		Notes  []string
	}{s, r, p.charts, p.notes})
}

// plots collects the report's charts and the lines that stand for the
// charts left out.
type plots struct {
	charts []template.HTML
	notes  []string
	bands  []band
	time   axis // shared by every plot over time
}

func (p *plots) add(c chart) {
	p.charts = append(p.charts, template.HTML(c.svg())) // built from escaped values
}

// cdf plots the distribution of v, or says in a line that there is none
// or that every value is the same.
func (p *plots) cdf(title, xlabel string, v []float64, xfmt func(float64) string, unit string) {
	if len(v) == 0 {
		p.notes = append(p.notes, title+": no session started, nothing to plot.")
		return
	}
	lo, hi, _ := extent([]series{{X: v, Y: v}})
	if lo == hi {
		p.notes = append(p.notes, fmt.Sprintf("%s: every session %s%s, nothing to plot.", title, xfmt(lo), unit))
		return
	}
	p.add(chart{Title: title, XLabel: xlabel, YLabel: "share of sessions", Series: []series{cdf(fmt.Sprintf("%d sessions", len(v)), v)},
		X: niceAxis(math.Min(0, lo), hi, xfmt), Y: shareAxis()})
}

// overTime plots the series that have data on the shared time axis; the
// legend lists only those.
func (p *plots) overTime(title, ylabel string, ss []series, none string) {
	var keep []series
	for _, s := range ss {
		if !s.empty() {
			keep = append(keep, s)
		}
	}
	if len(keep) == 0 {
		p.notes = append(p.notes, title+": "+none+".")
		return
	}
	_, _, maxY := extent(keep)
	p.add(chart{Title: title, XLabel: "time (s)", YLabel: ylabel, Series: keep, Bands: p.bands,
		X: p.time, Y: niceAxis(0, maxY, num)})
}

// timeline plots sessions, edge load and request errors per bucket.
func (p *plots) timeline(r *results.Results) {
	act, stl, er := series{Name: "active"}, series{Name: "stalled"}, series{Name: "errors/s"}
	for i, b := range r.Timeline {
		t := float64(i+1) * r.BucketS
		act.X, act.Y = append(act.X, t), append(act.Y, float64(b.Active))
		stl.X, stl.Y = append(stl.X, t), append(stl.Y, float64(b.Stalled))
		er.X, er.Y = append(er.X, t), append(er.Y, float64(b.Errors)/r.BucketS)
	}
	var load []series
	for k, e := range r.Edges {
		sr := series{Name: e.Name}
		for i, b := range r.Timeline {
			if k < len(b.EdgeBytes) {
				sr.X, sr.Y = append(sr.X, float64(i+1)*r.BucketS), append(sr.Y, b.EdgeBytes[k]*8/r.BucketS/1e6)
			}
		}
		load = append(load, sr)
	}
	p.overTime("Sessions", "sessions", []series{act, stl}, "no sessions")
	p.overTime("Edge load", "Mbit/s", load, "no edge served any bytes")
	p.overTime("Request errors over time (faults shaded)", "errors per second", []series{er}, "no request failed")
}

// steps plots each journey step's p99 and mean latency per bucket.
func (p *plots) steps(r *results.Results) {
	if len(r.Steps) == 0 {
		return
	}
	names := make([]string, 0, len(r.Steps))
	for name := range r.Steps {
		names = append(names, name)
	}
	sort.Strings(names)
	var p99, mean []series
	for _, name := range names {
		a, m := series{Name: name}, series{Name: name}
		for i := range r.Steps[name] {
			b := &r.Steps[name][i]
			if b.Requests == 0 {
				continue
			}
			t := float64(i+1) * r.BucketS
			a.X, a.Y = append(a.X, t), append(a.Y, b.Quantile(99).Seconds()*1e3)
			m.X, m.Y = append(m.X, t), append(m.Y, b.Mean().Seconds()*1e3)
		}
		p99, mean = append(p99, a), append(mean, m)
	}
	p.overTime("Journey steps: p99 latency over time (faults shaded)", "p99 latency (ms)", p99, "no journey step sent a request")
	p.overTime("Journey steps: mean latency over time (faults shaded)", "mean latency (ms)", mean, "no journey step sent a request")
}

// cacheHits draws the hit ratio of the edges that served requests.
func (p *plots) cacheHits(r *results.Results) {
	var labels []string
	var hits []float64
	for _, e := range r.Edges {
		if e.Hits+e.Misses == 0 {
			continue
		}
		labels = append(labels, e.Name)
		hits = append(hits, float64(e.Hits)/float64(e.Hits+e.Misses))
	}
	if len(labels) == 0 {
		p.notes = append(p.notes, "Cache hit ratio per edge: no edge served a request.")
		return
	}
	p.charts = append(p.charts, template.HTML(barChart("Cache hit ratio per edge", labels, hits, pct1)))
}

// timeSpan is the end of the run's time axis: the simulated time, or the
// last timeline bucket, sample point or fault if any lies later.
func timeSpan(r *results.Results) float64 {
	end := math.Max(r.SimSeconds, float64(len(r.Timeline))*r.BucketS)
	for _, sm := range r.Samples {
		for _, pt := range sm.Points {
			end = math.Max(end, pt.T)
		}
	}
	for _, f := range r.Faults {
		end = math.Max(end, f.EndS)
	}
	return end
}

func faultBands(r *results.Results) []band {
	var out []band
	for _, f := range r.Faults {
		end := f.EndS
		if end == 0 {
			end = r.SimSeconds
		}
		out = append(out, band{From: f.StartS, To: end, Label: f.Target + " " + f.Kind})
	}
	return out
}

func values(r *results.Results, metric string) []float64 {
	var out []float64
	for i := range r.Records {
		if r.Records[i].Started {
			out = append(out, results.SessionMetric(&r.Records[i], metric))
		}
	}
	return out
}

func scale(v []float64, k float64) []float64 {
	for i := range v {
		v[i] *= k
	}
	return v
}

// cdf returns at most 200 points of the empirical CDF.
func cdf(name string, v []float64) series {
	sort.Float64s(v)
	s := series{Name: name}
	n := len(v)
	step := max(1, n/200)
	for i := 0; i < n; i += step {
		s.X, s.Y = append(s.X, v[i]), append(s.Y, float64(i+1)/float64(n))
	}
	if n > 0 {
		s.X, s.Y = append(s.X, v[n-1]), append(s.Y, 1)
	}
	return s
}

// funcs format values as the text summary does, so that simulate, report
// merge and the HTML report print the same figures the same way.
var funcs = template.FuncMap{
	"secs":  slo.Seconds.Format,
	"ratio": slo.Ratio.Format,
	"unit": func(metric string, v float64) string {
		if m, ok := slo.Lookup(metric); ok {
			return m.Unit.Format(v)
		}
		return strconv.FormatFloat(v, 'g', 4, 64)
	},
}

var page = template.Must(template.New("report").Funcs(funcs).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>abrkit: {{.S.Scenario}}</title>
<style>body{font-family:sans-serif;margin:24px;max-width:1340px}table{border-collapse:collapse;margin:8px 0}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}.ok{color:#2ca02c}.bad{color:#d62728;font-weight:bold}
.charts{display:flex;flex-wrap:wrap;gap:12px}.note{color:#555;margin:4px 0}</style></head><body>
<h1>{{.S.Scenario}} <small>({{.S.Mode}}, seed {{.S.Seed}})</small></h1>
<p>{{if .S.Passed}}<span class="ok">PASS: every SLO held</span>{{else}}<span class="bad">FAIL: SLO breached{{if .S.Aborted}} (aborted: {{.S.Aborted}}){{end}}</span>{{end}}</p>
<p>{{.S.Sessions.Total}} sessions: {{.S.Sessions.Started}} started, {{.S.Sessions.Failed}} failed, {{.S.Sessions.Abandoned}} abandoned.
{{printf "%.0f" .S.ViewerSeconds}} viewer-seconds over {{printf "%.0f" .S.SimSeconds}} s of simulated time, in {{printf "%.2f" .S.WallSeconds}} s.</p>
<h2>SLOs</h2><table><tr><th>objective</th><th>observed</th><th>result</th></tr>
{{range .S.SLOs}}<tr><td>{{.Expr}}</td><td>{{.ObservedText}}</td><td>{{if .Held}}<span class="ok">held</span>{{else}}<span class="bad">breached</span>{{end}}</td></tr>{{end}}
</table>
<h2>Requests</h2><table><tr><th>class</th><th>count</th><th>errors</th><th>p50</th><th>p99</th><th>max</th></tr>
{{range $k, $c := .S.Requests}}<tr><td>{{$k}}</td><td>{{$c.Count}}</td><td>{{$c.Errors}} ({{ratio $c.ErrorRate}})</td><td>{{secs $c.LatencyS.P50}}</td><td>{{secs $c.LatencyS.P99}}</td><td>{{secs $c.LatencyS.Max}}</td></tr>{{end}}
</table>
{{with .S.Live}}<h2>Live</h2><p>{{.Sessions}} live sessions: latency behind the live edge p50 {{secs .LatencyS.P50}}, p95 {{secs .LatencyS.P95}}, p99 {{secs .LatencyS.P99}}, max {{secs .LatencyS.Max}}; rebuffering mean {{ratio .RebufferRatio.Mean}}{{if .OriginRequestsPerObject}}; {{printf "%.2f" .OriginRequestsPerObject}} origin requests per live object (worst edge){{end}}.</p>{{end}}
{{with .R.Browse}}<h2>Browse plane</h2><p>Cache tier: {{.CacheHits}} hits, {{.CacheMisses}} misses. Datastore: {{.DatastoreReads}} reads, {{.DatastoreErrors}} failed. Home pages from a fallback (stale, generic or partial): {{.Fallbacks}}. Heartbeats: {{.HeartbeatsAccepted}} accepted, {{.HeartbeatsDropped}} dropped.</p>{{end}}
{{if .S.Faults}}<h2>Faults</h2><table><tr><th>target</th><th>kind</th><th>from</th><th>to</th></tr>
{{range .S.Faults}}<tr><td>{{.Target}}</td><td>{{.Kind}}</td><td>{{secs .StartS}}</td><td>{{if .EndS}}{{secs .EndS}}{{else}}the end{{end}}</td></tr>{{end}}
</table>{{end}}
{{range .S.Cohorts}}<h2>Cohort {{.Cohort}} vs {{.Control}}</h2><p>{{.N}} vs {{.ControlN}} sessions</p>
<table><tr><th>metric</th><th>control mean</th><th>cohort mean</th><th>difference</th><th>95% CI</th></tr>
{{range .Metrics}}<tr><td>{{.Metric}}</td><td>{{unit .Metric .Control}}</td><td>{{unit .Metric .Value}}</td><td>{{printf "%+.4g" .Diff}}</td><td>[{{printf "%+.4g" .CILow}}, {{printf "%+.4g" .CIHigh}}]</td></tr>{{end}}
</table>{{end}}
<h2>Plots</h2><div class="charts">{{range .Charts}}<div>{{.}}</div>{{end}}</div>
{{range .Notes}}<p class="note">{{.}}</p>{{end}}
</body></html>
`))
