package journey_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/abrkit/abrkit/simulator/journey"
	"github.com/abrkit/abrkit/simulator/scenario"
)

func TestFromScenario(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "mine.yaml"), journey.DefaultYAML(), 0o644); err != nil {
		t.Fatal(err)
	}
	head := "name: j\nviewers: {count: 1}\n"
	cases := []struct {
		name, yaml string
		steps      int    // of the journey; 0: none
		err        string // in the load error
	}{
		{"none", head, 0, ""},
		{"default", head + "journey: default\n", 7, ""},
		{"file", head + "journey: mine.yaml\n", 7, ""},
		{"inline", head + "journey:\n  steps:\n    home: {request: {url: \"{{base}}/v1/home\"}}\n", 1, ""},
		{"missing file", head + "journey: nope.yaml\n", 0, "nope.yaml"},
		{"inline error has the scenario's line", head + "journey:\n  steps:\n    home: {request: {url: \"{{base}}/v1/home\"}, thnk: 1s}\n", 0, "s.yaml:5: unknown key \"thnk\""},
		{"SLO of no step", head + "journey: default\nslos: [api.browse.latency.p99 < 1s]\n", 0, "no step \"browse\""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, "s.yaml")
			if err := os.WriteFile(path, []byte(c.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := scenario.Load(path, scenario.WithJourneyCheck(journey.Check))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || !errors.Is(err, scenario.ErrInvalid) {
					t.Fatalf("Load = %v, want an invalid-scenario error with %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			j, err := journey.FromScenario(s)
			if err != nil {
				t.Fatal(err)
			}
			if got := 0; j != nil {
				got = len(j.Steps)
				if got != c.steps {
					t.Errorf("%d steps, want %d", got, c.steps)
				}
			} else if c.steps != 0 {
				t.Errorf("no journey, want %d steps", c.steps)
			}
		})
	}
}

func TestRoute(t *testing.T) {
	j := journey.Default()
	want := map[string]string{"app_start": journey.RouteLogin, "home": journey.RouteHome, "row_page": journey.RouteRows,
		"search": journey.RouteSearch, "details": journey.RouteDetails, "play": journey.RoutePlay, "heartbeat": journey.RouteHeartbeat}
	for name, route := range want {
		got, err := journey.Route(j.Steps[name])
		if err != nil || got != route {
			t.Errorf("Route(%s) = %q, %v; want %q", name, got, err, route)
		}
	}
	if r, err := journey.Route(&journey.Step{Name: "wait"}); err != nil || r != journey.RouteWait {
		t.Errorf("Route(no request) = %q, %v", r, err)
	}
	for _, u := range []string{"{{base}}/api/home", "https://other/v1/home", "{{base}}/v1/play"} {
		s := &journey.Step{Name: "x", Request: &journey.Request{Method: "GET", URL: u}}
		if _, err := journey.Route(s); !errors.Is(err, journey.ErrInvalid) {
			t.Errorf("Route(GET %s) = %v, want ErrInvalid", u, err)
		}
	}
}

// FuzzScenarioJourney parses scenarios with an inline journey: no input
// panics, and every failure is an invalid journey or scenario.
func FuzzScenarioJourney(f *testing.F) {
	f.Add([]byte("viewers: {count: 1}\njourney: default\n"))
	f.Add([]byte("viewers: {count: 1}\njourney:\n  steps:\n    home: {request: {url: \"{{base}}/v1/home\"}, next: {exit: 1}}\nslos: [api.home.availability > 99%]\n"))
	f.Add([]byte("viewers: {count: 1}\njourney: [1, 2]\n"))
	f.Add([]byte("viewers: {count: 1}\njourney:\n  steps: {a: {next: {b: x}}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := scenario.Parse(data, "f.yaml")
		if err != nil || s.Journey == nil || (s.Journey.Node == nil && s.Journey.Path != "default") {
			return // files are not read here
		}
		if err := journey.Check(s); err != nil && !errors.Is(err, journey.ErrInvalid) {
			t.Fatalf("Check = %v, want nil or ErrInvalid", err)
		}
	})
}
