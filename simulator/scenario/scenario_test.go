package scenario

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/simulator/backend/topology"
)

func TestShippedScenarios(t *testing.T) {
	files, err := filepath.Glob("../../scenarios/*.yaml")
	if err != nil || len(files) < 6 {
		t.Fatalf("Glob(scenarios) = %d files, %v; want at least 6", len(files), err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			s, err := Load(f)
			if err != nil {
				t.Fatalf("Load(%s) = %v", f, err)
			}
			if len(s.SLOs) == 0 {
				t.Errorf("Load(%s): no SLOs; every shipped scenario should judge something", f)
			}
			if s.Topology == nil {
				t.Errorf("Load(%s): no topology resolved", f)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	s, err := Parse([]byte("viewers: {count: 10}\n"), "min.yaml")
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"name", s.Name, "min"},
		{"seed", s.Seed, uint64(DefaultSeed)},
		{"mode", s.Mode, "virtual"},
		{"process", s.Viewers.Arrival.Process, "instant"},
		{"watch", s.Session.WatchTime.MeanValue(), DefaultWatchTime},
		{"abandon", s.Session.AbandonAfter.D(), DefaultAbandonAfter},
		{"zipf", s.Content.Zipf, DefaultZipf},
		{"devices", len(s.Devices), 1},
		{"networks", s.Networks[0].Bandwidth.Bps(), float64(DefaultBandwidth)},
		{"regions", len(s.Regions), 3},
		{"topology", s.Backend.Embedded.Topology, "default"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("Parse(min).%s = %v; want %v", c.name, c.got, c.want)
		}
	}
	s, err = Parse([]byte("viewers: {count: 10}\ncontent: {zipf: 0}\nsession: {abandon_startup_after: 0}\n"), "z.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s.Content.Zipf != 0 || s.Session.AbandonAfter != 0 {
		t.Errorf("explicit zeros were overridden: zipf=%g abandon=%v", s.Content.Zipf, s.Session.AbandonAfter)
	}
}

func TestValues(t *testing.T) {
	s, err := Parse([]byte(`
viewers: {count: 5, arrival: {process: ramp, from: 60/m, to: 10/s, over: 1m30s}}
session:
  watch_time: 45
  pause_every: {dist: exponential, mean: 2m}
networks:
  - {name: a, bandwidth: 1.5Mbps, rtt: 20ms}
backend: {embedded: {edge_capacity: 2Gbps, edge_cache: 1GiB, release: {at: 3m, rows: 2, titles: 4}}}
faults: [{at: 10s, target: "edge:eu-1", kind: errors, error_rate: 2.5%}]
slos: [{expr: "startup_time.p99 <= 1500ms", abort: true}]
`), "v.yaml")
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"from", float64(s.Viewers.Arrival.From), 1.0},
		{"to", float64(s.Viewers.Arrival.To), 10.0},
		{"over", s.Viewers.Arrival.Over.D(), 90 * time.Second},
		{"watch", s.Session.WatchTime.Value.D(), 45 * time.Second},
		{"pause_for default", s.Session.PauseFor.Value.D(), DefaultPauseFor},
		{"bandwidth", s.Networks[0].Bandwidth.Bps(), 1.5e6},
		{"edge capacity", float64(s.Topology.Edges()[0].Capacity), 2e9},
		{"edge cache", int64(s.Topology.Edges()[0].CacheSize), int64(1 << 30)},
		{"release", *s.Topology.Catalog.Release, topology.Release{At: 3 * time.Minute, Rows: 2, Titles: 4}},
		{"error rate", float64(s.Faults[0].ErrorRate), 0.025},
		{"slo", s.SLOs[0].Objective.Value, 1.5},
		{"slo abort", s.SLOs[0].Objective.Abort, true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("Parse(v).%s = %v; want %v", c.name, c.got, c.want)
		}
	}
}

// badCases feed both TestErrors and the fuzz seeds.
var badCases = []struct {
	name, yaml string
	line       int
	field, msg string
}{
	{"unknown top", "viewers: {count: 1}\nviewrs: 3\n", 2, "viewrs", "unknown field"},
	{"step SLO without journey", "viewers: {count: 1}\nslos: [api.home.latency.p99 < 1s]\n", 2, "slos[0]", "set journey"},
	{"browse fault without journey", "viewers: {count: 1}\nfaults:\n  - {at: 1s, target: \"service:cache-0\", kind: down}\n", 3, "faults[0].target", "set journey"},
	{"cache node slowed", "viewers: {count: 1}\njourney: default\nfaults:\n  - {at: 1s, target: \"service:cache-1\", kind: slow, latency: 1s}\n", 4, "faults[0].kind", "only be down"},
	{"unknown service", "viewers: {count: 1}\njourney: default\nfaults:\n  - {at: 1s, target: \"service:cache-x\", kind: down}\n", 4, "faults[0].target", "service must be"},
	{"unknown nested", "viewers:\n  count: 1\n  arrival:\n    rat: 5/s\n", 4, "viewers.arrival.rat", "unknown field"},
	{"bad int", "viewers: {count: many}\n", 1, "viewers.count", "integer"},
	{"zero viewers", "viewers: {count: 0}\n", 1, "viewers.count", "must be 1.."},
	{"missing viewers", "seed: 3\n", 1, "viewers.count", "must be 1.."},
	{"bad rate", "viewers: {count: 1, arrival: {process: constant, rate: fast}}\n", 1, "viewers.arrival.rate", "bad rate"},
	{"no rate", "viewers: {count: 1, arrival: {process: poisson}}\n", 1, "viewers.arrival.rate", "rate > 0"},
	{"bad process", "viewers: {count: 1, arrival: {process: burst}}\n", 1, "viewers.arrival.process", "must be instant"},
	{"flash burst", "viewers: {count: 10, arrival: {process: flash, rate: 1/s, burst: 20, over: 1s}}\n", 1, "viewers.arrival.burst", "burst"},
	{"bad duration", "viewers: {count: 1}\nsession: {watch_time: forever}\n", 2, "session.watch_time", "bad duration"},
	{"bad dist", "viewers: {count: 1}\nsession:\n  watch_time: {dist: pareto, mean: 1m}\n", 3, "session.watch_time.dist", "dist must be"},
	{"lognormal median", "viewers: {count: 1}\nsession:\n  watch_time: {dist: lognormal, sigma: 1}\n", 3, "session.watch_time.median", "median > 0"},
	{"list expected", "viewers: {count: 1}\ndevices: {name: tv}\n", 2, "devices", "want a list"},
	{"dup device", "viewers: {count: 1}\ndevices: [{name: tv}, {name: tv}]\n", 2, "devices[1].name", "duplicate"},
	{"negative weight", "viewers: {count: 1}\nnetworks: [{name: a, weight: -1, bandwidth: 1Mbps}]\n", 2, "networks[0].weight", ">= 0"},
	{"no bandwidth", "viewers: {count: 1}\nnetworks:\n  - {name: a}\n", 3, "networks[0].bandwidth", "needs a bandwidth"},
	{"missing trace", "viewers: {count: 1}\nnetworks:\n  - {name: a, trace: {path: /nonexistent/x}}\n", 3, "networks[0].trace.path", "not found"},
	{"bad bandwidth", "viewers: {count: 1}\nnetworks:\n  - {name: a, bandwidth: 3 furlongs}\n", 3, "networks[0].bandwidth", "bad bandwidth"},
	{"bad region", "viewers: {count: 1}\nregions: [{name: mars}]\n", 2, "regions[0].name", "no region"},
	{"bad fault target", "viewers: {count: 1}\nfaults:\n  - {at: 1s, target: oca-7, kind: down}\n", 3, "faults[0].target", "edge:NAME"},
	{"unknown edge", "viewers: {count: 1}\nfaults:\n  - {at: 1s, target: \"edge:zz-9\", kind: down}\n", 3, "faults[0].target", "no edge"},
	{"bad fault kind", "viewers: {count: 1}\nfaults:\n  - {at: 1s, target: \"edge:eu-1\", kind: melt}\n", 3, "faults[0].kind", "down, slow or errors"},
	{"errors rate", "viewers: {count: 1}\nfaults:\n  - {at: 1s, target: \"service:play\", kind: errors}\n", 3, "faults[0].error_rate", "error_rate"},
	{"bad fraction", "viewers: {count: 1}\nfaults:\n  - {at: 1s, target: \"service:play\", kind: errors, error_rate: 150%}\n", 3, "faults[0].error_rate", "outside"},
	{"bad slo metric", "viewers: {count: 1}\nslos:\n  - startup.p95 < 2s\n", 3, "slos[0]", "unknown metric"},
	{"bad slo syntax", "viewers: {count: 1}\nslos:\n  - startup_time.p95 is small\n", 3, "slos[0]", "bad SLO expression"},
	{"bad slo value", "viewers: {count: 1}\nslos:\n  - startup_time.p95 < 2 furlongs\n", 3, "slos[0]", "bad SLO expression"},
	{"bad slo unit", "viewers: {count: 1}\nslos:\n  - startup_time.p95 < 5%\n", 3, "slos[0]", "duration"},
	{"two backends", "viewers: {count: 1}\nbackend: {embedded: {}, urls: [\"http://x/a.m3u8\"]}\n", 2, "backend", "exactly one"},
	{"virtual urls", "viewers: {count: 1}\nbackend: {urls: [\"http://x/a.m3u8\"]}\n", 1, "mode", "live"},
	{"bad url", "mode: live\nviewers: {count: 1}\nbackend: {urls: [\"ftp://x\"]}\n", 3, "backend.urls[0]", "http(s)"},
	{"bad service", "viewers: {count: 1}\nbackend: {embedded: {services: [{name: auth}]}}\n", 2, "backend.embedded.services[0].name", "login or play"},
	{"bad topology", "viewers: {count: 1}\nbackend: {embedded: {topology: /nonexistent.yaml}}\n", 2, "backend.embedded.topology", "no such file"},
	{"release titles", "viewers: {count: 1}\ncontent: {titles: 5}\nbackend:\n  embedded:\n    release: {at: 1m, titles: 5}\n", 5, "backend.embedded.release.titles", "0..4"},
	{"empty release", "viewers: {count: 1}\nbackend:\n  embedded:\n    release: {at: 1m}\n", 4, "backend.embedded.release", "rows or titles"},
	{"release rows", "viewers: {count: 1}\nbackend:\n  embedded:\n    release:\n      rows: -1\n", 5, "backend.embedded.release.rows", "0..1000"},
	{"release field", "viewers: {count: 1}\nbackend:\n  embedded:\n    release: {at: 1m, row: 2}\n", 4, "backend.embedded.release.row", "unknown field"},
	{"dup key", "viewers: {count: 1}\nseed: 1\nseed: 2\n", 3, "seed", "duplicate"},
	{"bad bool", "viewers: {count: 1}\nabort_on_breach: maybe\n", 2, "abort_on_breach", "true or false"},
	{"syntax", "viewers: {count: 1\n", 1, "", "did not find"},
	{"cohort", "viewers: {count: 1}\ndevices: [{name: a, cohort: exp}]\n", 2, "devices[0].cohort", "no cohort"},
	{"bad probe", "viewers: {count: 1}\nsession: {probe_edges: 50}\n", 2, "session.probe_edges", "0..10"},
	{"bad cmcd", "viewers: {count: 1}\ncmcd: json\n", 2, "cmcd", "query, headers or off"},
	{"long name", "viewers: {count: 1}\nname: " + strings.Repeat("x", MaxNameLen+1) + "\n", 2, "name", "too long"},
	{"long device name", "viewers: {count: 1}\ndevices:\n  - {name: " + strings.Repeat("x", 200) + "}\n", 3, "devices[0].name", "too long"},
	{"long description", "viewers: {count: 1}\ndescription: " + strings.Repeat("x", MaxTextLen+1) + "\n", 2, "description", "too long"},
	{"script both", "viewers: {count: 1}\nsession:\n  script: [{at: 1s, seek: 2s, pause: 1s}]\n", 3, "session.script[0]", "exactly one"},
	{"script neither", "viewers: {count: 1}\nsession:\n  script: [{at: 1s}]\n", 3, "session.script[0]", "exactly one"},
	{"script order", "viewers: {count: 1}\nsession:\n  script: [{at: 5s, pause: 1s}, {at: 1s, pause: 1s}]\n", 3, "session.script[1].at", "time order"},
	{"script bad", "viewers: {count: 1}\nsession:\n  script: [{at: soon, pause: 1s}]\n", 3, "session.script[0].at", "bad duration"},
}

func TestErrors(t *testing.T) {
	for _, c := range badCases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.yaml), "bad.yaml")
			if err == nil {
				t.Fatalf("Parse(%q) = nil; want error", c.yaml)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Parse(%q): errors.Is(err, ErrInvalid) = false: %v", c.yaml, err)
			}
			var es Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("Parse(%q) = %T; want Errors", c.yaml, err)
			}
			var hit *Error
			for _, e := range es {
				if e.Field == c.field && strings.Contains(e.Msg, c.msg) {
					hit = e
				}
			}
			if hit == nil {
				t.Fatalf("Parse(%q) = %v; want field %q with %q", c.yaml, err, c.field, c.msg)
			}
			if hit.Line != c.line || hit.File != "bad.yaml" {
				t.Errorf("Parse(%q) error at %s:%d; want bad.yaml:%d (%v)", c.yaml, hit.File, hit.Line, c.line, hit)
			}
			if !strings.HasPrefix(hit.Error(), "bad.yaml:") {
				t.Errorf("Error() = %q; want it to start with the file name", hit.Error())
			}
		})
	}
}

func TestResolveData(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "scenarios")
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	s := &Scenario{File: filepath.Join(sub, "s.yaml")}
	if got, ok := s.ResolveData("data"); !ok || got != filepath.Join(dir, "data") {
		t.Errorf("ResolveData(data) = %q, %v; want the repo-root path", got, ok)
	}
	if _, ok := s.ResolveData("nothing-here"); ok {
		t.Errorf("ResolveData(nothing-here) ok = true; want false")
	}
}

func TestDistSample(t *testing.T) {
	r := fixedRand{f: 0.5, n: 1, e: 2}
	tests := []struct {
		d    Dist
		want time.Duration
	}{
		{Dist{Kind: "constant", Value: Duration(time.Minute)}, time.Minute},
		{Dist{Kind: "exponential", Mean: Duration(time.Minute)}, 2 * time.Minute},
		{Dist{Kind: "uniform", Min: Duration(time.Minute), Max: Duration(3 * time.Minute)}, 2 * time.Minute},
		{Dist{Kind: "normal", Mean: Duration(time.Minute), StdDev: Duration(time.Second)}, time.Minute + time.Second},
		{Dist{Kind: "exponential", Mean: Duration(time.Minute), Max: Duration(90 * time.Second)}, 90 * time.Second},
	}
	for _, tt := range tests {
		if got := tt.d.Sample(r); got != tt.want {
			t.Errorf("%+v.Sample() = %v; want %v", tt.d, got, tt.want)
		}
	}
}

type fixedRand struct{ f, n, e float64 }

func (r fixedRand) Float64() float64     { return r.f }
func (r fixedRand) NormFloat64() float64 { return r.n }
func (r fixedRand) ExpFloat64() float64  { return r.e }

// A huge scenario file (a 50 MB name, say) is refused without being
// read whole, and the error does not repeat it.
func TestLoadTooLarge(t *testing.T) {
	p := filepath.Join(t.TempDir(), "huge.yaml")
	data := "viewers: {count: 1}\nname: " + strings.Repeat("x", MaxFileSize) + "\n"
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(p)
	if !errors.Is(err, ErrInvalid) || len(err.Error()) > 200 {
		t.Fatalf("Load(%d bytes) = %.200v; want a short ErrInvalid", len(data), err)
	}
}
