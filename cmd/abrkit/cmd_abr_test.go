package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// abrFixture writes a tiny Pensieve-format data set: two traces and a
// 6-level video of 10 segments.
func abrFixture(t *testing.T) (traces, video string) {
	t.Helper()
	dir := t.TempDir()
	traces, video = filepath.Join(dir, "traces"), filepath.Join(dir, "video")
	for _, d := range []string{traces, video} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var fcc, nor strings.Builder
	for i := 0; i <= 120; i++ {
		fcc.WriteString(itoa(i) + " 3.0\n")
		nor.WriteString(itoa(i) + " " + []string{"1.0", "4.0"}[i/10%2] + "\n")
	}
	write(filepath.Join(traces, "trace_1_http---fcc"), fcc.String())
	write(filepath.Join(traces, "bus.report.log"), nor.String())
	for l, kbps := range []int{300, 750, 1200, 1850, 2850, 4300} {
		var b strings.Builder
		for range 10 {
			b.WriteString(itoa(kbps*1000/8*4) + "\n")
		}
		write(filepath.Join(video, "video_size_"+itoa(l)), b.String())
	}
	return traces, video
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// TestABREvalFolders checks that data sets come from folders: Norway
// traces named without .log stay Norway.
func TestABREvalFolders(t *testing.T) {
	traces, video := abrFixture(t)
	for _, d := range []string{"norway", "fcc"} {
		if err := os.MkdirAll(filepath.Join(traces, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Rename(filepath.Join(traces, "bus.report.log"), filepath.Join(traces, "norway", "norway_bus_1")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(traces, "trace_1_http---fcc"), filepath.Join(traces, "fcc", "x")); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	args := []string{"abr", "eval", "--traces", traces, "--video", video, "--algo", "bb", "--format", "json"}
	if code := run(args, &out, &errOut); code != 0 {
		t.Fatalf("run = %d: %s", code, errOut.String())
	}
	var rep struct {
		SubsetBy string `json:"subset_by"`
		Subsets  []struct {
			Name   string `json:"name"`
			Traces int    `json:"traces"`
		} `json:"subsets"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.SubsetBy != "folder" || len(rep.Subsets) != 2 || rep.Subsets[0].Name != "fcc" || rep.Subsets[1].Name != "norway" ||
		rep.Subsets[0].Traces != 1 || rep.Subsets[1].Traces != 1 {
		t.Errorf("subsets = %+v by %q; want fcc and norway, one trace each, by folder", rep.Subsets, rep.SubsetBy)
	}
}

func TestABREval(t *testing.T) {
	traces, video := abrFixture(t)
	plot := filepath.Join(t.TempDir(), "cdf.svg")
	base := []string{"abr", "eval", "--traces", traces, "--video", video}
	tests := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"text", []string{"--algo", "bb,auto"}, 0, "subset norway (1 traces)"},
		{"json", []string{"--algo", "bb,robustmpc,auto,optimal", "--format", "json"}, 0, `"mean_switches"`},
		{"per trace", []string{"--algo", "bb", "--format", "json", "--per-trace"}, 0, `"per_trace"`},
		{"subset", []string{"--algo", "bb", "--subset", "fcc", "--format", "json"}, 0, `"traces": 1`},
		{"plot", []string{"--algo", "bb,auto", "--plot", plot}, 0, "preset pensieve"},
		{"unknown algo", []string{"--algo", "nope"}, 2, "unknown name"},
		{"bad subset", []string{"--subset", "mars"}, 2, "--subset"},
		{"dataset flag", []string{"--algo", "bb", "--dataset", "lab", "--format", "json"}, 0, `"name": "lab"`},
		{"subset by file name", []string{"--algo", "bb", "--format", "json"}, 0, `"subset_by": "file_name"`},
		{"abandon on", []string{"--algo", "dynamic", "--abandon", "on", "--format", "json"}, 0, `"mean_abandoned"`},
		{"bad abandon", []string{"--abandon", "maybe"}, 2, "--abandon"},
		{"sabre algo under pensieve", []string{"--algo", "bolae"}, 2, "sabre preset only"},
		{"bad preset", []string{"--preset", "nope"}, 2, "unknown preset"},
		{"bad format", []string{"--format", "yaml"}, 2, "--format"},
		{"bad plot", []string{"--plot", "x.pdf"}, 2, "png or .svg"},
		{"missing dir", []string{"--traces", "/nonexistent"}, 2, "nonexistent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			args := append(append([]string{}, base...), tt.args...)
			if got := run(args, &out, &errOut); got != tt.code {
				t.Fatalf("run(%q) = %d; want %d (stderr %q)", args, got, tt.code, errOut.String())
			}
			if all := out.String() + errOut.String(); !strings.Contains(all, tt.out) {
				t.Errorf("run(%q) output lacks %q:\n%s", args, tt.out, all)
			}
		})
	}
	// JSON shape.
	var out, errOut bytes.Buffer
	run(append(base, "--algo", "bb,optimal", "--format", "json"), &out, &errOut)
	var rep struct {
		Preset  string `json:"preset"`
		Traces  int    `json:"traces"`
		Results []struct {
			Algo     string  `json:"algo"`
			MeanQoE  float64 `json:"mean_qoe"`
			PerTrace []any   `json:"per_trace"`
		} `json:"results"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Preset != "pensieve" || rep.Traces != 2 || len(rep.Results) != 2 || rep.Results[1].Algo != "optimal" ||
		rep.Results[1].MeanQoE < rep.Results[0].MeanQoE || rep.Results[0].PerTrace != nil {
		t.Errorf("JSON report = %+v", rep)
	}
	if st, err := os.Stat(plot); err != nil || st.Size() == 0 {
		t.Errorf("plot not written: %v", err)
	}
}

// TestABREvalHelpExamples runs the --help examples from the repository
// root, with the plot redirected to a temporary folder.
func TestABREvalHelpExamples(t *testing.T) {
	root := filepath.Join("..", "..")
	joined := strings.ReplaceAll(abrEvalExamples, "\\\n", " ")
	for _, line := range strings.Split(joined, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] != "abrkit" {
			continue
		}
		args := f[1:]
		for i, a := range args {
			switch {
			case strings.HasPrefix(a, "testdata/"):
				args[i] = filepath.Join(root, a)
			case strings.HasPrefix(a, "out/"):
				args[i] = filepath.Join(t.TempDir(), a)
			}
		}
		var out, errOut bytes.Buffer
		if code := run(args, &out, &errOut); code != 0 {
			t.Errorf("example %q = exit %d: %s", line, code, errOut.String())
		}
		if strings.Contains(line, "--preset sabre") && !strings.Contains(out.String(), `"time_average_score"`) {
			t.Errorf("example %q: no sabre metrics in %s", line, out.String())
		}
	}
}
