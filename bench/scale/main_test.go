package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseLive(t *testing.T) {
	for name, tc := range map[string]struct {
		out       string
		viewers   int
		per, peak float64
		err       bool
	}{
		"abrkit": {out: "live max RSS: 118.0 MB\nlive per viewer (peak RSS / 1000): 120.8 KB\nbackend peak RSS: 623.9 MB\n", viewers: 1000, per: 120.8, peak: 118 * 1024},
		"k6":     {out: "k6 max RSS: 984.0 MB\nk6 per VU (peak RSS / 2000): 504.0 KB\n", viewers: 2000, per: 504, peak: 984 * 1024},
		"failed": {out: "serve did not start\n", err: true},
	} {
		r, err := parseLive(strings.NewReader(tc.out))
		if (err != nil) != tc.err || r.Viewers != tc.viewers || r.PerViewKB != tc.per || r.PeakRSSKB != tc.peak {
			t.Errorf("%s: %+v, %v", name, r, err)
		}
	}
}

func TestUpdateDoc(t *testing.T) {
	doc := filepath.Join(t.TempDir(), "perf.md")
	os.WriteFile(doc, []byte("# P\n"+beginMark+"\nold\n"+endMark+"\nafter\n"), 0o644)
	table := format([]row{{Run: "quickstart", Mode: "virtual", Viewers: 10, ViewerSeconds: 600, CPU: 2, PeakRSSKB: 2048, PerViewKB: 204.8, Load: "1 1 1"}})
	if err := updateDoc(doc, table); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(doc)
	want := "# P\n" + beginMark + "\n" + table + endMark + "\nafter\n"
	if string(b) != want || !strings.Contains(table, "| quickstart | virtual | 10 | 300 | 2 MB | 204.8 |") {
		t.Errorf("doc:\n%s", b)
	}
	if err := updateDoc(filepath.Join(t.TempDir(), "none.md"), table); err == nil {
		t.Errorf("missing doc: no error")
	}
}
