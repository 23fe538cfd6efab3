package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestCThreads builds this package as a shared library and runs
// testdata/threads.c against it: error codes and thread-local messages, four
// players driven from four threads while a fifth hammers queries, a player
// destroyed from its own callback, and destroy waking a blocked wait.
func TestCThreads(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the C test uses pthreads")
	}
	cc, err := exec.LookPath("gcc")
	if err != nil {
		if cc, err = exec.LookPath("cc"); err != nil {
			t.Skip("skipping the C ABI test: no gcc or cc")
		}
	}
	if os.Getenv("CGO_ENABLED") == "0" {
		t.Skip("skipping the C ABI test: CGO_ENABLED=0")
	}
	url := serve(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	lib := filepath.Join(dir, "libabrkit.so")
	build := exec.CommandContext(ctx, "go", "build", "-buildmode=c-shared", "-o", lib, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build -buildmode=c-shared: %v\n%s", err, out)
	}
	prog := filepath.Join(dir, "threads")
	args := []string{"-std=c11", "-Wall", "-Wextra", "-Werror", "-O1", "-pthread", "-I", ".",
		filepath.Join("testdata", "threads.c"), "-L", dir, "-labrkit", "-o", prog}
	if runtime.GOOS != "darwin" {
		args = append(args, "-Wl,-rpath,"+dir)
	}
	if out, err := exec.CommandContext(ctx, cc, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", cc, err, out)
	}
	run, cancelRun := context.WithTimeout(ctx, 2*time.Minute)
	defer cancelRun()
	cmd := exec.CommandContext(run, prog, url)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	t.Logf("%s", out.String())
	if err != nil {
		t.Fatalf("threads: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "ok all") {
		t.Errorf("threads did not finish:\n%s", out.String())
	}
}

// TestHeaderCXX compiles abrkit.h into a C++11 program with warnings as
// errors (the C side is compiled by TestCThreads and the C example).
func TestHeaderCXX(t *testing.T) {
	var cxx string
	for _, c := range []string{"g++", "c++", "clang++"} {
		if p, err := exec.LookPath(c); err == nil {
			cxx = p
			break
		}
	}
	if cxx == "" {
		t.Skip("skipping: no C++ compiler")
	}
	args := []string{"-std=c++11", "-Wall", "-Wextra", "-Werror", "-fsyntax-only", "-I", ".", filepath.Join("testdata", "header.cpp")}
	if out, err := exec.Command(cxx, args...).CombinedOutput(); err != nil {
		t.Errorf("%s %v: %v\n%s", cxx, args, err, out)
	}
}
