package journey

import (
	"errors"
	"math"
	"os"
	"strings"
	"testing"
)

func TestDefaultJourney(t *testing.T) {
	j := Default()
	want := []string{"app_start", "home", "row_page", "search", "details", "play", "heartbeat"}
	if strings.Join(j.Order, ",") != strings.Join(want, ",") || j.Start != "app_start" {
		t.Fatalf("default steps %v start %s", j.Order, j.Start)
	}
	if len(j.SLOs) == 0 {
		t.Error("the default journey names no SLOs")
	}
	for _, name := range j.Order {
		if j.Steps[name].Request == nil || len(j.Steps[name].Next) == 0 {
			t.Errorf("step %s: no request or no next", name)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"unknown top key", "name: x\nstepz: {}\n", `j.yaml:2: unknown key "stepz"`},
		{"unknown step key", "steps:\n  a:\n    thinkk: 1s\n", `j.yaml:3: unknown key "thinkk" in step a`},
		{"duplicate step", "steps:\n  a: {}\n  a: {}\n", `j.yaml:3: steps: "a" given twice`},
		{"bad duration", "steps:\n  a:\n    think: 10 parsecs\n", `j.yaml:3: steps.a.think: want a duration`},
		{"bad dist", "steps:\n  a:\n    think: {dist: gamma, mean: 1s}\n", `j.yaml:3: steps.a.think: dist must be`},
		{"lognormal without median", "steps:\n  a:\n    think: {dist: lognormal, sigma: 1}\n", `j.yaml:3: steps.a.think: lognormal needs`},
		{"edge to nowhere", "steps:\n  a:\n    next: {b: 1}\n", `j.yaml:2: steps.a.next: no step "b"`},
		{"zero weights", "steps:\n  a:\n    next: {exit: 0}\n", `j.yaml:2: steps.a.next: the weights sum to 0`},
		{"negative weight", "steps:\n  a:\n    next: {exit: -1}\n", `j.yaml:3: steps.a.next.exit: weight must be >= 0`},
		{"unset var", "steps:\n  a:\n    request: {url: \"{{base}}/x/{{id}}\"}\n", `j.yaml:2: steps.a.request: {{id}} is not set`},
		{"no url", "steps:\n  a:\n    request: {method: GET}\n", `j.yaml:3: steps.a.request: url is required`},
		{"bad status", "steps:\n  a:\n    status: [200, 999]\n", `j.yaml:3: steps.a.status: want HTTP status codes`},
		{"bad slo", "steps:\n  a: {}\nslos:\n  - api.a.latency.p99 < soon\n", `j.yaml:4: slos:`},
		{"bad start", "start: b\nsteps:\n  a: {}\n", `j.yaml:1: start: no step "b"`},
		{"bad name", "steps:\n  A-b: {}\n", `j.yaml:2: step name "A-b"`},
		{"no steps", "name: x\n", `j.yaml:1: steps: at least one step`},
		{"two documents", "steps: {a: {}}\n---\nname: y\n", `j.yaml:2: more than one YAML document`},
		{"yaml syntax", "steps:\n  a: [\n", `j.yaml:`},
		{"bad path", "steps:\n  a:\n    request: {url: x}\n    extract: {v: \"a..b\"}\n", `j.yaml:4: steps.a.extract.v: JSON path`},
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.src), "j.yaml")
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: got %v; want %q", c.name, err, c.want)
		}
	}
}

func TestParseSLO(t *testing.T) {
	for _, c := range []struct {
		expr   string
		metric string
		value  float64
		ok     bool
	}{
		{"api.home.latency.p99 < 300ms", "api.home.latency", 0.3, true},
		{"api.search.availability > 99.9%", "api.search.availability", 0.999, true},
		{"api.row_page.latency.p50 <= 0.1", "api.row_page.latency", 0.1, true},
		{"api.home.latency < 1s", "", 0, false},
		{"api.home.availability.p99 > 1%", "", 0, false},
		{"home.latency.p99 < 1s", "", 0, false},
	} {
		o, err := ParseSLO(c.expr)
		if (err == nil) != c.ok || (c.ok && (o.Metric != c.metric || math.Abs(o.Value-c.value) > 1e-9)) {
			t.Errorf("ParseSLO(%q) = %+v, %v", c.expr, o, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(DefaultYAML())
	if b, err := os.ReadFile("testdata/adapter.yaml"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("steps:\n  a:\n    request: {url: \"{{base}}\"}\n    next: {a: 1, exit: 1}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		j, err := Parse(data, "f.yaml")
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error without ErrInvalid: %v", err)
			}
			return
		}
		if _, ok := j.Steps[j.Start]; !ok {
			t.Fatalf("start %q is not a step", j.Start)
		}
		for _, s := range j.Steps {
			for _, e := range s.Next {
				if _, ok := j.Steps[e.To]; !ok && e.To != Exit {
					t.Fatalf("edge to unknown step %q", e.To)
				}
			}
		}
	})
}
