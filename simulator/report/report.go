package report

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"

	"github.com/abrkit/abrkit/simulator/results"
)

// WriteHTML writes a self-contained HTML report (inline SVG, no scripts):
// the SLO table, QoE distributions, bitrate and buffer of sample viewers,
// per-edge load and cache hit ratio, and errors over time with the fault
// windows shaded.
func WriteHTML(w io.Writer, r *results.Results, s *results.Summary) error {
	var charts []template.HTML
	add := func(svg string) { charts = append(charts, template.HTML(svg)) } // built from escaped values
	bands := faultBands(r)

	add(lineChart("Start-up time (CDF)", "seconds", "share of sessions", []series{cdf("startup", values(r, "startup_time"))}, nil, pct))
	add(lineChart("Rebuffer ratio (CDF)", "rebuffer ratio", "share of sessions", []series{cdf("rebuffer", values(r, "rebuffer_ratio"))}, nil, pct))
	add(lineChart("Average bitrate (CDF)", "Mbit/s", "share of sessions", []series{cdf("bitrate", scale(values(r, "bitrate"), 1e-6))}, nil, pct))

	var br, bu []series
	for _, sm := range r.Samples {
		a := series{Name: fmt.Sprintf("viewer %d", sm.Viewer)}
		b := a
		for _, p := range sm.Points {
			a.X, a.Y = append(a.X, p.T), append(a.Y, p.Bitrate/1e6)
			b.X, b.Y = append(b.X, p.T), append(b.Y, p.Buffer)
		}
		br, bu = append(br, a), append(bu, b)
	}
	if len(br) > 0 {
		add(lineChart("Bitrate of sample viewers", "time (s)", "Mbit/s", br, bands, num))
		add(lineChart("Buffer of sample viewers", "time (s)", "seconds", bu, bands, num))
	}

	var load, errs, active []series
	act := series{Name: "active"}
	stl := series{Name: "stalled"}
	er := series{Name: "errors/s"}
	for i, b := range r.Timeline {
		t := float64(i+1) * r.BucketS
		act.X, act.Y = append(act.X, t), append(act.Y, float64(b.Active))
		stl.X, stl.Y = append(stl.X, t), append(stl.Y, float64(b.Stalled))
		er.X, er.Y = append(er.X, t), append(er.Y, float64(b.Errors)/r.BucketS)
	}
	active = append(active, act, stl)
	errs = append(errs, er)
	for k, e := range r.Edges {
		sr := series{Name: e.Name}
		for i, b := range r.Timeline {
			if k < len(b.EdgeBytes) {
				sr.X, sr.Y = append(sr.X, float64(i+1)*r.BucketS), append(sr.Y, b.EdgeBytes[k]*8/r.BucketS/1e6)
			}
		}
		load = append(load, sr)
	}
	add(lineChart("Sessions", "time (s)", "sessions", active, bands, num))
	add(lineChart("Edge load", "time (s)", "Mbit/s", load, bands, num))
	var labels []string
	var hits []float64
	for _, e := range r.Edges {
		labels = append(labels, e.Name)
		h := 0.0
		if e.Hits+e.Misses > 0 {
			h = float64(e.Hits) / float64(e.Hits+e.Misses)
		}
		hits = append(hits, h)
	}
	add(barChart("Cache hit ratio per edge", labels, hits, pct))
	add(lineChart("Request errors over time (faults shaded)", "time (s)", "errors per second", errs, bands, num))

	return page.Execute(w, struct {
		S      *results.Summary
		Charts []template.HTML
	}{s, charts})
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

func pct(v float64) string { return fmt.Sprintf("%.0f%%", v*100) }

func num(v float64) string {
	if v >= 100 || v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2g", v)
}

var page = template.Must(template.New("report").Funcs(template.FuncMap{"mul": func(v float64) float64 { return v * 1000 }}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>abrkit: {{.S.Scenario}}</title>
<style>body{font-family:sans-serif;margin:24px;max-width:1340px}table{border-collapse:collapse;margin:8px 0}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}.ok{color:#2ca02c}.bad{color:#d62728;font-weight:bold}
.charts{display:flex;flex-wrap:wrap;gap:12px}</style></head><body>
<h1>{{.S.Scenario}} <small>({{.S.Mode}}, seed {{.S.Seed}})</small></h1>
<p>{{if .S.Passed}}<span class="ok">PASS: every SLO held</span>{{else}}<span class="bad">FAIL: SLO breached{{if .S.Aborted}} (aborted: {{.S.Aborted}}){{end}}</span>{{end}}</p>
<p>{{.S.Sessions.Total}} sessions: {{.S.Sessions.Started}} started, {{.S.Sessions.Failed}} failed, {{.S.Sessions.Abandoned}} abandoned.
{{printf "%.0f" .S.ViewerSeconds}} viewer-seconds over {{printf "%.0f" .S.SimSeconds}} s of simulated time, in {{printf "%.2f" .S.WallSeconds}} s.</p>
<h2>SLOs</h2><table><tr><th>objective</th><th>observed</th><th>result</th></tr>
{{range .S.SLOs}}<tr><td>{{.Expr}}</td><td>{{.ObservedText}}</td><td>{{if .Held}}<span class="ok">held</span>{{else}}<span class="bad">breached</span>{{end}}</td></tr>{{end}}
</table>
<h2>Requests</h2><table><tr><th>class</th><th>count</th><th>errors</th><th>p50</th><th>p99</th><th>max</th></tr>
{{range $k, $c := .S.Requests}}<tr><td>{{$k}}</td><td>{{$c.Count}}</td><td>{{$c.Errors}}</td><td>{{printf "%.1f ms" (mul $c.LatencyS.P50)}}</td><td>{{printf "%.1f ms" (mul $c.LatencyS.P99)}}</td><td>{{printf "%.1f ms" (mul $c.LatencyS.Max)}}</td></tr>{{end}}
</table>
{{range .S.Cohorts}}<h2>Cohort {{.Cohort}} vs {{.Control}}</h2><p>{{.N}} vs {{.ControlN}} sessions</p>
<table><tr><th>metric</th><th>control mean</th><th>cohort mean</th><th>difference</th><th>95% CI</th></tr>
{{range .Metrics}}<tr><td>{{.Metric}}</td><td>{{printf "%.4g" .Control}}</td><td>{{printf "%.4g" .Value}}</td><td>{{printf "%+.4g" .Diff}}</td><td>[{{printf "%+.4g" .CILow}}, {{printf "%+.4g" .CIHigh}}]</td></tr>{{end}}
</table>{{end}}
<h2>Plots</h2><div class="charts">{{range .Charts}}<div>{{.}}</div>{{end}}</div>
</body></html>
`))
