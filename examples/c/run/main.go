// Command run builds the C example against the abrkit shared library and
// runs it on a local server:
//
//	go run ./examples/c/run [-seconds 3] [-download] [-archive] [-keep DIR]
//
// It builds libabrkit.so with `go build -buildmode=c-shared ./sdk/cabi` (or
// libabrkit.a with -buildmode=c-archive and -archive), compiles examples/c/main.c with gcc (or $CC) against sdk/cabi/abrkit.h,
// serves a packaged title on 127.0.0.1 and runs the program on its HLS URL.
// The program's output (events, status lines, the QoE account) is copied to
// stdout.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"

	"github.com/abrkit/abrkit/examples/internal/content"
)

// ErrNoCompiler is returned when no C compiler is found.
var ErrNoCompiler = errors.New("no C compiler (gcc, cc or $CC)")

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "run:", err)
		os.Exit(1)
	}
}

// config is what run's flags say.
type config struct {
	seconds  int
	download bool
	archive  bool   // link the static archive instead of the shared library
	dir      string // build and download folder; temporary when empty
	root     string // module root
}

func parse(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&c.seconds, "seconds", 3, "seconds to play")
	fs.BoolVar(&c.download, "download", false, "also download the title and play it offline")
	fs.BoolVar(&c.archive, "archive", false, "link libabrkit.a (-buildmode=c-archive) instead of libabrkit.so")
	fs.StringVar(&c.dir, "keep", "", "build into this folder and keep it (default: a temporary folder)")
	fs.StringVar(&c.root, "root", "", "module root (default: found from the working directory)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 || c.seconds < 1 || c.seconds > 600 {
		return c, fmt.Errorf("usage: run [-seconds 1..600] [-download] [-archive] [-keep DIR]")
	}
	return c, nil
}

// moduleRoot walks up from the working directory to go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = up
	}
}

// compiler finds the C compiler.
func compiler() (string, error) {
	for _, c := range []string{os.Getenv("CC"), "gcc", "cc"} {
		if c == "" {
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p, nil
		}
	}
	return "", ErrNoCompiler
}

// Build compiles the library (shared, or static with archive) and the C
// program into dir and returns the program's path.
func Build(ctx context.Context, root, dir string, archive bool, stderr io.Writer) (string, error) {
	cc, err := compiler()
	if err != nil {
		return "", err
	}
	mode, lib := "c-shared", filepath.Join(dir, "libabrkit.so")
	if archive {
		mode, lib = "c-archive", filepath.Join(dir, "libabrkit.a")
	}
	gob := exec.CommandContext(ctx, "go", "build", "-buildmode="+mode, "-o", lib, "./sdk/cabi")
	gob.Dir, gob.Stdout, gob.Stderr = root, stderr, stderr
	gob.Env = append(os.Environ(), "CGO_ENABLED=1", "CC="+cc)
	if err := gob.Run(); err != nil {
		return "", fmt.Errorf("go build -buildmode=%s: %w", mode, err)
	}
	prog := filepath.Join(dir, "abrkit-c")
	args := []string{"-std=c11", "-Wall", "-Wextra", "-Werror", "-O1",
		"-I", filepath.Join(root, "sdk", "cabi"), filepath.Join(root, "examples", "c", "main.c"), "-o", prog}
	switch {
	case archive:
		args = append(args, lib, "-lpthread")
		if runtime.GOOS != "darwin" {
			args = append(args, "-ldl", "-lm")
		} else {
			args = append(args, "-framework", "CoreFoundation", "-framework", "Security")
		}
	case runtime.GOOS == "darwin":
		args = append(args, "-L", dir, "-labrkit")
	default:
		args = append(args, "-L", dir, "-labrkit", "-Wl,-rpath,$ORIGIN", "-lpthread")
	}
	gcc := exec.CommandContext(ctx, cc, args...)
	gcc.Stdout, gcc.Stderr = stderr, stderr
	if err := gcc.Run(); err != nil {
		return "", fmt.Errorf("%s: %w", cc, err)
	}
	return prog, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parse(args, stderr)
	if err != nil {
		return err
	}
	if c.root == "" {
		if c.root, err = moduleRoot(); err != nil {
			return err
		}
	}
	dir := c.dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "abrkit-c-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	prog, err := Build(ctx, c.root, dir, c.archive, stderr)
	if err != nil {
		return err
	}
	srv, err := content.Start()
	if err != nil {
		return err
	}
	defer srv.Close()

	pargs := []string{srv.HLS("demo"), fmt.Sprint(c.seconds)}
	if c.download {
		pargs = append(pargs, filepath.Join(dir, "downloads"))
	}
	// Bounded: the playing time plus generous room for start-up and downloads.
	ctx, cancel := context.WithTimeout(ctx, time.Duration(c.seconds)*time.Second+90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, pargs...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("abrkit-c: %w", err)
	}
	return nil
}
