package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		args    []string
		seconds int
		dl      bool
		wantErr bool
	}{
		{nil, 3, false, false},
		{[]string{"-seconds", "2", "-download", "-archive"}, 2, true, false},
		{[]string{"-seconds", "0"}, 0, false, true},
		{[]string{"extra"}, 3, false, true},
		{[]string{"-nope"}, 3, false, true},
	}
	for _, tc := range tests {
		c, err := parse(tc.args, &bytes.Buffer{})
		if (err != nil) != tc.wantErr || err == nil && (c.seconds != tc.seconds || c.download != tc.dl) {
			t.Errorf("parse(%q) = %+v, %v; want seconds %d download %v error %v", tc.args, c, err, tc.seconds, tc.dl, tc.wantErr)
		}
	}
}

// TestCExample builds libabrkit.so and the C program with gcc and plays a
// local title headless, then downloads it and plays it offline.
func TestCExample(t *testing.T) {
	if _, err := compiler(); err != nil {
		t.Skipf("skipping the C example: %v", err)
	}
	if os.Getenv("CGO_ENABLED") == "0" {
		t.Skip("skipping the C example: CGO_ENABLED=0")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	err := run(ctx, []string{"-seconds", "2", "-download"}, &out, &errOut)
	if errors.Is(err, ErrNoCompiler) {
		t.Skip(err)
	}
	t.Logf("output:\n%s", out.String())
	if err != nil {
		t.Fatalf("run: %v\n%s", err, errOut.String())
	}
	s := out.String()
	for _, want := range []string{
		"manifest_loaded", "first_frame", "status: playing", "paused", "seek_done",
		"wait(0): -6 (still playing)", `QoE JSON: {"startup_seconds":`,
		"play after destroy: -1", "download done after", `"state":"completed"`, "] state: completed 100%", "offline QoE: started=1",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if m := regexp.MustCompile(`QoE: started=1 .* segments=(\d+)`).FindStringSubmatch(s); m == nil || m[1] == "0" {
		t.Errorf("no segments in the QoE line (%v)", m)
	}
}

// TestCArchive links the same program statically (-buildmode=c-archive).
func TestCArchive(t *testing.T) {
	if _, err := compiler(); err != nil {
		t.Skipf("skipping the C example: %v", err)
	}
	if os.Getenv("CGO_ENABLED") == "0" {
		t.Skip("skipping the C example: CGO_ENABLED=0")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"-seconds", "1", "-archive"}, &out, &errOut); err != nil {
		t.Fatalf("run: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "QoE: started=1") {
		t.Errorf("no QoE line in:\n%s", out.String())
	}
}
