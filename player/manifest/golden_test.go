package manifest

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/golden")

// goldenNow is the wall time given to dynamic MPDs in golden tests.
var goldenNow = time.Date(2026, 1, 2, 0, 1, 0, 0, time.UTC)

// checkGolden compares got with testdata/golden/name, rewriting it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; got:\n%s", path, got)
	}
}

// TestGolden parses every file under testdata/hls and testdata/dash as if
// served from https://origin.example/t1/ and compares the whole model.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*/*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		dir := filepath.Base(filepath.Dir(f))
		if dir != "hls" && dir != "dash" {
			continue
		}
		n++
		t.Run(dir+"/"+filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			uri := "https://origin.example/t1/" + filepath.Base(f) + "?token=abc"
			p, err := Parse(data, uri, WithNow(goldenNow))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkUsable(t, p)
			out, err := json.MarshalIndent(p, "", " ")
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, dir+"_"+strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))+".json", append(out, '\n'))
		})
	}
	if n == 0 {
		t.Fatal("no golden inputs")
	}
}

func mustRead(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
