package report

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/simulator/results"
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
	r.Samples = []results.Sample{{Viewer: 1, Points: []results.Point{{T: 0, Bitrate: 1e6, Buffer: 2}, {T: 2, Bitrate: 2e6, Buffer: 4}}}}
	var b bytes.Buffer
	if err := WriteHTML(&b, r, r.Summarize()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "Cohort exp vs ctl") {
		t.Errorf("report lacks the cohort table")
	}
	if n := strings.Count(out, "<svg"); n < 8 {
		t.Errorf("report has %d plots; want at least 8", n)
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
