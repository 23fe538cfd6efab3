package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/abrkit/abrkit/simulator/backend/topology"
)

func TestParseBudget(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		bad  bool
	}{
		{"", 0, false},
		{"0", 0, false},
		{"1GiB", 1 << 30, false},
		{"512MiB", 512 << 20, false},
		{"4G", 4e9, false},
		{"100M", 100e6, false},
		{"100000K", 100e6, false},
		{"2.5GiB", 5 << 29, false},
		{"1MiB", 0, true}, // under the minimum
		{"lots", 0, true},
		{"-1G", 0, true},
	}
	for _, tt := range tests {
		got, err := parseBudget(tt.in)
		if tt.bad {
			if exitCode(err) != 2 {
				t.Errorf("parseBudget(%q) = %d, %v; want a usage error", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseBudget(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

// restoreLimit puts the test binary's memory limit back when t ends.
func restoreLimit(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(old) })
}

func TestSetMemoryLimit(t *testing.T) {
	restoreLimit(t)
	debug.SetMemoryLimit(math.MaxInt64)
	env := func(string) string { return "" }
	m := setMemoryLimit(3<<30, env)
	if got := debug.SetMemoryLimit(-1); got != 3<<30 || m.Limit != got || m.FromEnv {
		t.Errorf("limit after setMemoryLimit(3GiB) = %d (%+v); want %d", got, m, 3<<30)
	}
	if !strings.Contains(m.String(), "runtime limit 3GiB") {
		t.Errorf("String() = %q", m.String())
	}
	// budget 0 (simulate's default) leaves the limit alone
	debug.SetMemoryLimit(math.MaxInt64)
	if m := setMemoryLimit(0, env); m.Limit != math.MaxInt64 || debug.SetMemoryLimit(-1) != math.MaxInt64 || !strings.Contains(m.String(), "no runtime limit") {
		t.Errorf("setMemoryLimit(0) = %+v (%s); want no limit", m, m)
	}
}

// The user's GOMEMLIMIT wins over the budget: the runtime read it at
// start, and setMemoryLimit leaves it.
func TestSetMemoryLimitGOMEMLIMITWins(t *testing.T) {
	restoreLimit(t)
	debug.SetMemoryLimit(700 << 20) // as the runtime does for GOMEMLIMIT=700MiB
	env := func(k string) string {
		if k == "GOMEMLIMIT" {
			return "700MiB"
		}
		return ""
	}
	m := setMemoryLimit(4<<30, env)
	if got := debug.SetMemoryLimit(-1); got != 700<<20 || !m.FromEnv || m.Limit != got {
		t.Errorf("limit = %d (%+v); want GOMEMLIMIT's %d kept", got, m, 700<<20)
	}
	if !strings.Contains(m.String(), "(GOMEMLIMIT)") {
		t.Errorf("String() = %q; want it to name GOMEMLIMIT", m.String())
	}
}

func TestMemoryLine(t *testing.T) {
	topo := topology.Default()
	var ids []string
	for _, e := range topo.Edges() {
		ids = append(ids, e.ID)
	}
	lim := memLimit{Limit: 1 << 30}
	tests := []struct {
		name  string
		edges []string
		want  string
	}{
		{"serve: nine edges", ids, "budget 1GiB: edge caches 512MiB (VOD 409.6MiB + live 102.4MiB over 9 edge(s)), runtime limit 1GiB, GOGC "},
		{"serve edge: one", ids[:1], "budget 1GiB: edge caches 512MiB (VOD 409.6MiB + live 102.4MiB over 1 edge(s)), runtime limit 1GiB, GOGC "},
		{"origin: no caches", nil, "budget 1GiB, runtime limit 1GiB, GOGC "},
	}
	for _, tt := range tests {
		if got := memoryLine(topo, tt.edges, lim); !strings.HasPrefix(got, tt.want) {
			t.Errorf("%s: memoryLine = %q; want %q...", tt.name, got, tt.want)
		}
	}
}

func TestSizeText(t *testing.T) {
	for _, tt := range []struct {
		n    int64
		want string
	}{{1 << 30, "1GiB"}, {3 << 29, "1.5GiB"}, {512 << 20, "512MiB"}, {47721858, "45.5MiB"}, {2048, "2KiB"}, {10, "10B"}} {
		if got := sizeText(tt.n); got != tt.want {
			t.Errorf("sizeText(%d) = %q; want %q", tt.n, got, tt.want)
		}
	}
}

func TestRuntimeStats(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stats.jsonl")
	stop, err := startRuntimeStats(path)
	if err != nil {
		t.Fatal(err)
	}
	stop() // a line at start and one at stop
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines; want 2:\n%s", len(lines), data)
	}
	var s runtimeStats
	if err := json.Unmarshal([]byte(lines[1]), &s); err != nil || s.Goroutines == 0 || s.HeapBytes == 0 || s.TotalBytes < s.HeapBytes || s.Time.IsZero() {
		t.Errorf("line %s (%v); want goroutines, heap and total memory", lines[1], err)
	}
	if stop, err := startRuntimeStats(""); err != nil || stop == nil {
		t.Errorf(`startRuntimeStats("") = %v; want a no-op`, err)
	}
}
