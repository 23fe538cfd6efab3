package main

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestHashPassword(t *testing.T) {
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"one line", "correct horse\n", true},
		{"no newline", "correct horse", true},
		{"empty", "", false},
		{"too long", strings.Repeat("x", 73) + "\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newHashPasswordCmd()
			var out bytes.Buffer
			c.SetIn(strings.NewReader(tt.in))
			c.SetOut(&out)
			c.SetErr(&out)
			c.SetArgs([]string{"--cost", "4"})
			err := c.Execute()
			if (err == nil) != tt.ok {
				t.Fatalf("hash-password(%q) = %v; want ok %v", tt.in, err, tt.ok)
			}
			if !tt.ok {
				if exitCode(err) != 2 {
					t.Errorf("exit code = %d; want 2", exitCode(err))
				}
				return
			}
			h := strings.TrimSpace(out.String())
			if err := bcrypt.CompareHashAndPassword([]byte(h), []byte(strings.TrimSuffix(tt.in, "\n"))); err != nil {
				t.Errorf("printed hash %q does not match: %v", h, err)
			}
		})
	}
}
