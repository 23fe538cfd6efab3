package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/abrkit/abrkit/simulator/journey"
)

func TestJourneyRunAgainstServe(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a backend")
	}
	gw := startBackend(t)
	out, errOut, code := runCLI([]string{"journey", "run", "--target", gw, "--viewers", "10", "--duration", "2s", "--ramp", "100ms", "--format", "json"})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var s journey.Summary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("%v: %.300s", err, out)
	}
	if s.Viewers != 10 || len(s.Steps) != 7 || s.Steps[0].Step != "app_start" || s.Steps[0].Requests < 10 || s.Steps[1].Requests == 0 {
		t.Errorf("summary %+v", s)
	}
	for _, st := range s.Steps {
		if st.Failures != 0 {
			t.Errorf("%s: %d failures; errors %v", st.Step, st.Failures, s.Errors)
		}
	}
	// An objective no service meets: exit 1, the breach named.
	out, errOut, code = runCLI([]string{"journey", "run", "--target", gw, "--viewers", "2", "--duration", "1s", "--ramp", "10ms",
		"--slo", "api.app_start.latency.p50 < 1us"})
	if code != 1 || !strings.Contains(out, "BREACHED api.app_start.latency.p50 < 1us") || !strings.Contains(errOut, "1 of 1 SLOs breached") {
		t.Errorf("breach: exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestJourneyValidate(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("steps:\n  home:\n    next: {nowhere: 1}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := runCLI([]string{"journey", "validate", "../../simulator/journey/testdata/adapter.yaml", bad})
	if code != 2 || !strings.Contains(errOut, bad+`:2: steps.home.next: no step "nowhere"`) {
		t.Errorf("exit %d: %s", code, errOut)
	}
	out, _, code := runCLI([]string{"journey", "show"})
	if code != 0 || !strings.Contains(out, "app_start:") {
		t.Errorf("show: exit %d %.100s", code, out)
	}
	_, errOut, code = runCLI([]string{"journey", "run", "--viewers", "2"})
	if code != 2 || !strings.Contains(errOut, "--target is required") {
		t.Errorf("no target: exit %d %s", code, errOut)
	}
}

// runCLI runs the CLI as main does, with its error on stderr.
func runCLI(args []string) (out, errOut string, code int) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return o.String(), e.String(), code
}
