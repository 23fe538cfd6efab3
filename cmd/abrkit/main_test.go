package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRunExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
		out  string // substring of stdout+stderr
	}{
		{"help", []string{"--help"}, 0, "Exit codes"},
		{"unknown command", []string{"nope"}, 2, "unknown command"},
		{"unknown flag", []string{"--nope"}, 2, "unknown flag"},
		{"completion", []string{"completion", "bash"}, 0, "bash completion"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			got := run(tt.args, &out, &errOut)
			if got != tt.want {
				t.Errorf("run(%q) = %d; want %d (stderr %q)", tt.args, got, tt.want, errOut.String())
			}
			if all := out.String() + errOut.String(); !strings.Contains(all, tt.out) {
				t.Errorf("run(%q) output lacks %q:\n%s", tt.args, tt.out, all)
			}
		})
	}
}

func TestCheckFormat(t *testing.T) {
	for _, f := range []string{"text", "json"} {
		if err := checkFormat(f); err != nil {
			t.Errorf("checkFormat(%q) = %v; want nil", f, err)
		}
	}
	if err := checkFormat("yaml"); exitCode(err) != 2 {
		t.Errorf("exitCode(checkFormat(yaml)) = %d; want 2", exitCode(err))
	}
}
