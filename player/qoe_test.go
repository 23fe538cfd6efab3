package player

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

// The QoE of a session with a bandwidth drop, as text and JSON.
func TestQoEGolden(t *testing.T) {
	p := content(40, 2*time.Second, ladder...)
	s := newSim(t, CoreConfig{}, 0)
	s.bw = func(now time.Duration) float64 {
		if now >= 30*time.Second && now < 50*time.Second {
			return 900e3
		}
		return 6e6
	}
	s.c.LoadPresentation(0, p)
	s.run(5 * time.Minute)
	q := s.c.QoE(s.now)
	var text bytes.Buffer
	if err := q.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	golden(t, "TestQoEGolden.txt", text.Bytes())
	js, err := json.MarshalIndent(q, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "TestQoEGolden.json", append(js, '\n'))
}
