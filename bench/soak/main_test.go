package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/simulator/scenario"
)

func TestFit(t *testing.T) {
	tests := []struct {
		xs, ys      []float64
		slope, mean float64
	}{
		{[]float64{0, 1, 2, 3}, []float64{5, 5, 5, 5}, 0, 5},
		{[]float64{0, 1, 2, 3}, []float64{1, 3, 5, 7}, 2, 4},
		{[]float64{0, 1, 2}, []float64{9, 6, 3}, -3, 6},
		{[]float64{2, 2}, []float64{1, 3}, 0, 2}, // no spread in time
	}
	for _, tt := range tests {
		slope, mean := fit(tt.xs, tt.ys)
		if slope != tt.slope || mean != tt.mean {
			t.Errorf("fit(%v, %v) = %v, %v; want %v, %v", tt.xs, tt.ys, slope, mean, tt.slope, tt.mean)
		}
	}
}

// series makes samples every 15 s for 10 minutes, f giving the RSS in MiB
// at minute m; the other figures stay flat.
func series(f func(m float64) float64) []sample {
	var out []sample
	for s := 0.0; s <= 600; s += 15 {
		out = append(out, sample{T: s, RSS: f(s/60) * (1 << 20), Heap: 100 << 20, Goroutines: 800, FDs: 40})
	}
	return out
}

func TestJudge(t *testing.T) {
	flat := series(func(float64) float64 { return 250 })
	tests := []struct {
		name string
		rss  func(m float64) float64
		ok   bool
	}{
		{"flat", func(float64) float64 { return 250 }, true},
		{"filling then flat", func(m float64) float64 { return min(250, 50+100*m) }, true},
		{"noise", func(m float64) float64 { return 250 + 10*float64(int(m*4)%2) }, true},
		{"slow growth within 10% per 10 min", func(m float64) float64 { return 300 + 2*m }, true},
		{"leak: 5 MiB per minute", func(m float64) float64 { return 300 + 5*m }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, ok := judge(map[string][]sample{"serve": series(tt.rss), "simulate": flat}, 3*time.Minute)
			if ok != tt.ok {
				t.Errorf("judge ok = %v; want %v: %+v", ok, tt.ok, vs)
			}
			for _, v := range vs {
				if v.figure != "RSS" || v.proc != "serve" {
					if !v.ok {
						t.Errorf("%s %s judged growing: %+v", v.proc, v.figure, v)
					}
				}
			}
		})
	}
}

func TestScenarioIsValid(t *testing.T) {
	c := config{duration: 10 * time.Minute, watch: 2 * time.Minute, viewers: 200}
	path := filepath.Join(t.TempDir(), "soak.yaml")
	if err := os.WriteFile(path, []byte(scenarioYAML(c, "http://127.0.0.1:8080")), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := scenario.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Mode != "live" || s.Backend.Adapter == nil || s.Viewers.Count != 1201 || !strings.HasSuffix(s.Backend.Adapter.Play.URL, "/v1/play") {
		t.Errorf("scenario = mode %q, %d viewers, adapter %+v; want live, 1201 viewers (100/min for 12 min), the playback API", s.Mode, s.Viewers.Count, s.Backend.Adapter)
	}
}

func TestSplice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "doc.md")
	if err := os.WriteFile(path, []byte("# Doc\n\n<!-- soak:begin -->\nold\n<!-- soak:end -->\ntail\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := splice(path, "new table\n"); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if want := "# Doc\n\n<!-- soak:begin -->\nnew table\n<!-- soak:end -->\ntail\n"; string(got) != want {
		t.Errorf("after splice:\n%s\nwant:\n%s", got, want)
	}
	if err := os.WriteFile(path, []byte("no markers\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := splice(path, "x"); err == nil {
		t.Error("splice without markers: no error")
	}
}

func TestShort(t *testing.T) {
	for d, want := range map[time.Duration]string{3 * time.Minute: "3m", time.Hour: "1h", 90 * time.Second: "1m30s", 15 * time.Second: "15s"} {
		if got := short(d); got != want {
			t.Errorf("short(%v) = %q; want %q", d, got, want)
		}
	}
}
