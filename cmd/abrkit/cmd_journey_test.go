package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
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

func TestParseJourneyFault(t *testing.T) {
	for _, c := range []struct {
		spec string
		ok   bool
	}{
		{"150s cache-0 kill", true},
		{"60s datastore slow 200ms", true},
		{"0s datastore fail 0.5", true},
		{"1m heartbeat-consumers restart", true},
		{"cache-0 kill", false},
		{"soon cache-0 kill", false},
		{"10s cache-0 explode", false},
		{"10s datastore slow fast", false},
		{"10s datastore fail 2", false},
		{"10s cache-0 kill now", false},
	} {
		r, err := parseJourneyFault(c.spec)
		if (err == nil) != c.ok {
			t.Errorf("parseJourneyFault(%q) = %+v, %v; want ok %v", c.spec, r, err, c.ok)
		}
	}
}

func FuzzParseJourneyFault(f *testing.F) {
	f.Add("150s cache-0 kill")
	f.Add("60s datastore slow 200ms")
	f.Add("0s datastore fail 0.5")
	f.Fuzz(func(t *testing.T, spec string) {
		r, err := parseJourneyFault(spec)
		if err == nil && (r.Target == "" || r.In == "") {
			t.Fatalf("accepted %q as %+v", spec, r)
		}
	})
}

// serveForJourney runs abrkit serve in process and returns its addresses
// (the admin listener and token included).
func serveForJourney(t *testing.T) serveAddresses {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		f := serveFlags{listen: "127.0.0.1:0", logLevel: "error", format: "json"}
		err := runServe(ctx, &f, pw, io.Discard)
		pw.Close()
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("backend: %v", err)
		}
	})
	var a serveAddresses
	if err := json.NewDecoder(pr).Decode(&a); err != nil {
		t.Fatalf("backend did not print its addresses: %v", err)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	return a
}

func TestJourneyRunWithFault(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a backend")
	}
	a := serveForJourney(t)
	quick := filepath.Join(t.TempDir(), "quick.yaml")
	src := `steps:
  app_start:
    request: {method: POST, url: "{{base}}/v1/login", body: '{"user":"{{member}}","password":"pw"}'}
    extract: {token: token}
    next: {home: 1}
  home:
    request: {url: "{{base}}/v1/home", headers: {Authorization: "Bearer {{token}}"}}
    think: 50ms
    next: {home: 1}
`
	if err := os.WriteFile(quick, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	// The home service is killed from the start: every home load fails,
	// the availability SLO breaches, the windows show the failures.
	out, errOut, code := runCLI([]string{"journey", "run", quick, "--target", a.Gateway, "--viewers", "5", "--duration", "1500ms", "--ramp", "10ms",
		"--window", "500ms", "--admin", a.Admin, "--admin-token", a.AdminToken, "--fault", "0s home kill",
		"--slo", "api.home.availability > 99%"})
	if code != 1 || !strings.Contains(out, "BREACHED api.home.availability > 99%") || !strings.Contains(out, "home: status 503") ||
		!strings.Contains(out, "p99 ms per window") {
		t.Errorf("exit %d\n%s\n%s", code, out, errOut)
	}
	_, errOut, code = runCLI([]string{"journey", "run", "--target", a.Gateway, "--fault", "0s home kill"})
	if code != 2 || !strings.Contains(errOut, "--fault needs --admin") {
		t.Errorf("fault without admin: exit %d %s", code, errOut)
	}
}
