package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sloTable returns the SLO table and verdict printed at the end of the
// text summary.
func sloTable(t *testing.T, out string) string {
	t.Helper()
	i := strings.Index(out, "\nSLO ")
	if i < 0 {
		t.Fatalf("no SLO table in:\n%s", out)
	}
	out = out[i:]
	if j := strings.Index(out, "every SLO held\n"); j >= 0 {
		out = out[:j]
	}
	return out
}

func TestReportMergeSpeaksLikeSimulate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	var sim, errOut bytes.Buffer
	if code := run([]string{"simulate", quickstart, "--viewers", "20", "--watch-time", "15s", "--out", dir, "--requests=false"}, &sim, &errOut); code != 0 {
		t.Fatalf("simulate exit %d: %s", code, errOut.String())
	}
	var merged bytes.Buffer
	if code := run([]string{"report", "merge", dir}, &merged, &errOut); code != 0 {
		t.Fatalf("report merge exit %d: %s", code, errOut.String())
	}
	want, got := sloTable(t, sim.String()), sloTable(t, merged.String())
	if got != want {
		t.Errorf("report merge SLO table:\n%s\nwant as simulate printed it:\n%s", got, want)
	}
	for _, unit := range []string{"ms", "%"} {
		if !strings.Contains(got, unit) {
			t.Errorf("report merge SLO table has no value in %q:\n%s", unit, got)
		}
	}
	if strings.Contains(merged.String(), "e-0") {
		t.Errorf("report merge prints a number in exponent notation:\n%s", merged.String())
	}
}

func TestReportHTMLOut(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	var out, errOut bytes.Buffer
	if code := run([]string{"simulate", quickstart, "--viewers", "10", "--watch-time", "10s", "--out", dir, "--quiet", "--requests=false"}, &out, &errOut); code != 0 {
		t.Fatalf("simulate exit %d: %s", code, errOut.String())
	}
	for _, flag := range []string{"--out", "-o", "--output"} {
		path := filepath.Join(dir, strings.TrimLeft(flag, "-")+".html")
		out.Reset()
		if code := run([]string{"report", "html", dir, flag, path}, &out, &errOut); code != 0 {
			t.Errorf("report html %s exit %d: %s", flag, code, errOut.String())
			continue
		}
		if st, err := os.Stat(path); err != nil || st.Size() == 0 || strings.TrimSpace(out.String()) != path {
			t.Errorf("report html %s %s: printed %q, file %v", flag, path, out.String(), err)
		}
	}
}
