package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Targets the SDK must build for with CGO_ENABLED=0, as scripts/cross-compile.sh does.
var crossTargets = []string{"linux/amd64", "linux/arm64", "android/arm64", "darwin/arm64"}

// sdkPackages are what apps embed: the player and its parts, the ABR
// algorithms and the download manager (abr/eval and abr/trace are tools).
var sdkPackages = []string{"./player/...", "./abr", "./download/...", "./examples/minimal"}

// forbidden must never be linked into an app embedding the SDK.
var forbidden = []string{"github.com/spf13/cobra", "github.com/hajimehoshi/ebiten", "github.com/prometheus/",
	"gonum.org/", "github.com/abrkit/abrkit/simulator", "github.com/abrkit/abrkit/cmd", "github.com/tsenart/vegeta"}

func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal(err)
	}
	return root
}

// TestCrossDeps resolves the SDK's packages for every target with cgo off:
// every file and import must resolve (no file missing for a GOOS, no
// package that only builds with cgo) and no tool or UI dependency may leak
// in. It is the quick form of scripts/cross-compile.sh, which compiles
// (slow on a cold cache: ABRKIT_CROSS=1 runs it in TestCrossCompile).
func TestCrossDeps(t *testing.T) {
	root := moduleRoot(t)
	for _, target := range crossTargets {
		goos, goarch, _ := strings.Cut(target, "/")
		args := append([]string{"list", "-e", "-deps", "-f",
			"{{.ImportPath}}\t{{if .Error}}{{.Error}}{{end}}{{range .DepsErrors}} {{.}}{{end}}\t{{join .CgoFiles \",\"}}"}, sdkPackages...)
		cmd := exec.Command("go", args...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: go list: %v\n%s", target, err, stderr.String())
		}
		n := 0
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			path, rest, _ := strings.Cut(line, "\t")
			errs, _, _ := strings.Cut(rest, "\t")
			n++
			if errs != "" {
				t.Errorf("%s: %s: %s", target, path, errs)
			}
			for _, f := range forbidden {
				if strings.HasPrefix(path, f) {
					t.Errorf("%s: the SDK depends on %s", target, path)
				}
			}
		}
		if n < 20 {
			t.Errorf("%s: only %d packages listed", target, n)
		}
	}
}

// TestCrossCompile runs scripts/cross-compile.sh (minutes on a cold build
// cache; set ABRKIT_CROSS=1).
func TestCrossCompile(t *testing.T) {
	if os.Getenv("ABRKIT_CROSS") == "" {
		t.Skip("set ABRKIT_CROSS=1 to compile for every target (scripts/cross-compile.sh)")
	}
	if runtime.GOOS == "windows" {
		t.Skip("the script needs bash")
	}
	cmd := exec.Command("bash", filepath.Join(moduleRoot(t), "scripts", "cross-compile.sh"))
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("cross-compile.sh: %v", err)
	}
}
