package report

import (
	"bytes"
	"encoding/xml"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/simulator/results"
	"github.com/abrkit/abrkit/simulator/slo"
)

func TestWriteHTML(t *testing.T) {
	r := results.New(5 * time.Second)
	r.Scenario = "demo <&>"
	r.Edges = []results.EdgeStat{{Name: "eu-1", Capacity: 1e9, Hits: 3, Misses: 1}}
	r.Faults = []results.FaultMark{{StartS: 10, EndS: 20, Target: "edge:eu-1", Kind: "down"}}
	for i := 0; i < 20; i++ {
		r.Records = append(r.Records, results.Record{Viewer: i, Started: true, StartupS: float64(i) / 10, AvgBitrate: 3e6, Cohort: []string{"ctl", "exp"}[i%2]})
		b := r.Bucket(time.Duration(i) * 2 * time.Second)
		b.Errors++
		b.EdgeBytes[0] += 1e6
	}
	r.ControlCohort = "ctl"
	r.Classes[results.ClassSegment].Add(120*time.Millisecond, false)
	r.Samples = []results.Sample{{Viewer: 1, Points: []results.Point{{T: 0, Bitrate: 1e6, Buffer: 2}, {T: 2, Bitrate: 2e6, Buffer: 4}}}}
	var b bytes.Buffer
	if err := WriteHTML(&b, r, r.Summarize()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	// Latencies print as simulate prints them (slo.Seconds.Format).
	if p50 := slo.Seconds.Format(r.Summarize().Requests["segment"].LatencyS.P50); !strings.HasSuffix(p50, "ms") || !strings.Contains(out, "<td>"+p50+"</td>") {
		t.Errorf("request latencies are not in simulate's format")
	}
	if !strings.Contains(out, "Cohort exp vs ctl") {
		t.Errorf("report lacks the cohort table")
	}
	if n := strings.Count(out, "<svg"); n != 6 {
		t.Errorf("report has %d plots; want 6 (one value in the rebuffer and bitrate CDFs, no active sessions)", n)
	}
	for _, note := range []string{"Rebuffer ratio (CDF): every session 0%, nothing to plot.", "Average bitrate (CDF): every session 3 Mbit/s, nothing to plot.", "Sessions: no sessions."} {
		if !strings.Contains(out, note) {
			t.Errorf("report lacks the line %q", note)
		}
	}
	if strings.Contains(out, "demo <&>") || !strings.Contains(out, "demo &lt;&amp;&gt;") {
		t.Errorf("scenario name not escaped")
	}
	for i := 0; ; i++ {
		s := strings.Index(out, "<svg")
		if s < 0 {
			break
		}
		e := strings.Index(out[s:], "</svg>")
		if err := xml.Unmarshal([]byte(out[s:s+e+6]), new(struct{})); err != nil {
			t.Errorf("plot %d is not well-formed SVG: %v", i, err)
		}
		out = out[s+e:]
	}
}

func TestNiceAxis(t *testing.T) {
	tests := []struct {
		lo, hi float64
		want   []float64
	}{
		{0, 1, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}},
		{0, 435, []float64{0, 100, 200, 300, 400, 500}},
		{0, 1344, []float64{0, 500, 1000, 1500}},
		{0, 0.185, []float64{0, 0.05, 0.1, 0.15, 0.2}},
		{0.3, 2.1, []float64{0, 0.5, 1, 1.5, 2, 2.5}},
		{0, 0, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}},
	}
	for _, tt := range tests {
		a := niceAxis(tt.lo, tt.hi, num)
		if !reflect.DeepEqual(roundAll(a.Ticks), tt.want) || a.Min != tt.want[0] || a.Max != tt.want[len(tt.want)-1] {
			t.Errorf("niceAxis(%g, %g) = %v [%g, %g]; want %v", tt.lo, tt.hi, a.Ticks, a.Min, a.Max, tt.want)
		}
		if len(a.Ticks) > maxTicks+1 {
			t.Errorf("niceAxis(%g, %g) has %d ticks; want at most %d", tt.lo, tt.hi, len(a.Ticks), maxTicks+1)
		}
	}
}

func roundAll(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = math.Round(x*1e9) / 1e9
	}
	return out
}

func TestTickLabels(t *testing.T) {
	tests := []struct {
		f    func(float64) string
		v    float64
		want string
	}{
		{pct, 0.25, "25%"}, {pct, 1, "100%"}, {pct, 0.005, "0.5%"}, {pct, 0, "0%"},
		{num, 250, "250"}, {num, 0.05, "0.05"}, {num, 2.5, "2.5"}, {num, 0.1 + 0.2, "0.3"},
	}
	for _, tt := range tests {
		if got := tt.f(tt.v); got != tt.want {
			t.Errorf("label(%g) = %q; want %q", tt.v, got, tt.want)
		}
	}
}

// The report's plots: CDFs run 0-100% in quarters, time plots share one
// time axis, legends list only series with data.
func TestReportAxesAndLegends(t *testing.T) {
	r := results.New(5 * time.Second)
	r.SimSeconds = 435
	r.Edges = []results.EdgeStat{{Name: "busy-edge", Hits: 9, Misses: 1}, {Name: "idle-edge"}}
	for i := 0; i < 40; i++ {
		r.Records = append(r.Records, results.Record{Viewer: i, Started: true, StartupS: float64(i) / 20, RebufferRatio: float64(i%4) / 100, AvgBitrate: float64(1+i%5) * 1e6})
		b := r.Bucket(time.Duration(i) * 10 * time.Second)
		b.EdgeBytes[0] += 1e6
		b.Active = 5
	}
	r.Samples = []results.Sample{{Viewer: 1, Points: []results.Point{{T: 0, Bitrate: 1e6, Buffer: 2}, {T: 316, Bitrate: 2e6, Buffer: 4}}}}
	var b bytes.Buffer
	if err := WriteHTML(&b, r, r.Summarize()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "idle-edge") {
		t.Errorf("an edge that served nothing is in a legend or the bar chart")
	}
	if strings.Contains(out, "105%") || !strings.Contains(out, ">75%<") || !strings.Contains(out, ">100%<") {
		t.Errorf("CDF y axes do not run 0-100%% in quarters")
	}
	if !strings.Contains(out, "Request errors over time (faults shaded): no request failed.") {
		t.Errorf("report lacks the line for the empty errors plot")
	}
	// Every plot over time ends its axis at 500 s (435 s of run, rounded up).
	for _, title := range []string{"Bitrate of sample viewers", "Sessions", "Edge load"} {
		i := strings.Index(out, `font-weight="bold">`+title+`<`)
		if i < 0 {
			t.Errorf("no %q plot", title)
			continue
		}
		svg := out[i : i+strings.Index(out[i:], "</svg>")]
		if !strings.Contains(svg, ">500</text>") || strings.Contains(svg, ">316") {
			t.Errorf("%q does not end its time axis at 500 s", title)
		}
	}
}

func TestWriteHTMLLive(t *testing.T) {
	r := results.New(5 * time.Second)
	r.Scenario = "live"
	r.Edges = []results.EdgeStat{{Name: "eu-1", Capacity: 1e9, Hits: 30, Misses: 3, OriginRequests: 3, OriginObjects: 3}}
	r.Faults = []results.FaultMark{{StartS: 120, EndS: 180, Target: "edge:eu-1", Kind: "down"}}
	for i := 0; i < 20; i++ {
		r.Records = append(r.Records, results.Record{Viewer: i, Started: true, Live: true, LiveLatencyS: 6 + float64(i)/10, AvgBitrate: 3e6})
	}
	var b bytes.Buffer
	if err := WriteHTML(&b, r, r.Summarize()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"<h2>Live</h2><p>20 live sessions: latency behind the live edge p50 6.9s", "1.00 origin requests per live object",
		"<tr><td>edge:eu-1</td><td>down</td><td>2m0s</td><td>3m0s</td></tr>", "Live latency behind the edge (CDF)"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

func TestWriteHTMLJourneySteps(t *testing.T) {
	r := results.New(5 * time.Second)
	r.Scenario = "steps"
	r.Faults = []results.FaultMark{{StartS: 20, Target: "service:cache-0", Kind: "down"}}
	r.SimSeconds = 40
	for i := range 40 {
		lat := 3 * time.Millisecond
		if i >= 20 {
			lat = 40 * time.Millisecond
		}
		r.StepBucket("home", time.Duration(i)*time.Second).Add(lat, false)
	}
	r.Browse = &results.BrowseStats{CacheHits: 7, DatastoreReads: 5}
	var b bytes.Buffer
	if err := WriteHTML(&b, r, r.Summarize()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"Journey steps: p99 latency over time (faults shaded)", "Journey steps: mean latency over time",
		"service:cache-0 down", "Cache tier: 7 hits", "Datastore: 5 reads"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}
