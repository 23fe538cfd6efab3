package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestScenarioValidate(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("viewers:\n  count: 10\n  arival: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want int
		out  string
	}{
		{"quickstart", []string{"scenario", "validate", "../../scenarios/quickstart.yaml"}, 0, "quickstart.yaml: ok"},
		{"all shipped", append([]string{"scenario", "validate"}, shipped(t)...), 0, "flash-crowd.yaml: ok"},
		{"bad", []string{"scenario", "validate", bad}, 2, "bad.yaml:3:3: viewers.arival: unknown field"},
		{"missing", []string{"scenario", "validate", filepath.Join(dir, "none.yaml")}, 2, "no such file"},
		{"json", []string{"scenario", "validate", bad, "--format", "json"}, 2, `"field": "viewers.arival"`},
		{"bad format", []string{"scenario", "validate", bad, "--format", "xml"}, 2, "--format"},
		{"no args", []string{"scenario", "validate"}, 2, "requires at least 1 arg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			got := run(tt.args, &out, &errOut)
			if got != tt.want {
				t.Errorf("run(%q) = %d; want %d (stderr %q)", tt.args, got, tt.want, errOut.String())
			}
			if all := out.String() + errOut.String(); !strings.Contains(all, tt.out) {
				t.Errorf("run(%q) output lacks %q:\n%s", tt.args, tt.out, all)
			}
		})
	}
}

func TestScenarioValidateJSON(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"scenario", "validate", "../../scenarios/quickstart.yaml", "--format", "json"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var reps []scenarioReport
	if err := json.Unmarshal(out.Bytes(), &reps); err != nil {
		t.Fatal(err)
	}
	if len(reps) != 1 || !reps[0].Valid || reps[0].Viewers != 1000 || len(reps[0].SLOs) != 5 {
		t.Errorf("validate --format json = %+v; want one valid report with 1000 viewers and 5 SLOs", reps)
	}
}

func shipped(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../../scenarios/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no shipped scenarios: %v", err)
	}
	return files
}
