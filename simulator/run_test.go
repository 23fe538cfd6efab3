package simulator

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/simulator/scenario"
	"github.com/abrkit/abrkit/simulator/virtual"
)

func TestParseShard(t *testing.T) {
	tests := []struct {
		in   string
		i, n int
		ok   bool
	}{
		{"0/1", 0, 1, true},
		{"2/3", 2, 3, true},
		{"3/3", 0, 0, false},
		{"-1/3", 0, 0, false},
		{"1", 0, 0, false},
		{"a/b", 0, 0, false},
		{"0/0", 0, 0, false},
	}
	for _, tt := range tests {
		i, n, err := ParseShard(tt.in)
		if (err == nil) != tt.ok || i != tt.i || n != tt.n {
			t.Errorf("ParseShard(%q) = %d, %d, %v; want %d, %d, ok=%v", tt.in, i, n, err, tt.i, tt.n, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrBadShard) {
			t.Errorf("ParseShard(%q) error %v does not wrap ErrBadShard", tt.in, err)
		}
	}
}

func TestDNSLabel(t *testing.T) {
	for in, want := range map[string]string{"Flash Crowd!": "flash-crowd", "": "abrkit", "a_b.c": "a-b-c"} {
		if got := dnsLabel(in); got != want {
			t.Errorf("dnsLabel(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestRunAndMerge(t *testing.T) {
	s, err := scenario.Load("../scenarios/quickstart.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	clock := func() time.Time { return time.Unix(0, 0) }
	var dirs []string
	for i := 0; i < 2; i++ {
		d := filepath.Join(dir, "s"+string(rune('0'+i)))
		dirs = append(dirs, d)
		if _, _, err := Run(s, Config{Viewers: 30, WatchTime: 20 * time.Second, Shard: i, Shards: 2, Out: d, Clock: clock}); err != nil {
			t.Fatalf("shard %d: %v", i, err)
		}
	}
	m, err := Merge(dirs)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Records) != 30 || len(m.Shards) != 2 {
		t.Errorf("Merge: %d records from shards %v; want 30 from [0 1]", len(m.Records), m.Shards)
	}
	var sb strings.Builder
	sum, err := Finish(m, "")
	if err != nil {
		t.Fatalf("Finish(merged) = %v", err)
	}
	if err := sum.WriteText(&sb); err != nil || !strings.Contains(sb.String(), "shards [0 1] of 2") {
		t.Errorf("WriteText = %v:\n%s", err, sb.String())
	}
	u, err := scenario.Parse([]byte("mode: live\nviewers: {count: 1}\nbackend: {urls: [\"http://127.0.0.1:1/x.m3u8\"]}\n"), "u.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Run(u, Config{Mode: "virtual"}); !errors.Is(err, ErrLive) {
		t.Errorf("Run(urls scenario, virtual) = %v; want ErrLive", err)
	}
}

// An interrupted run (Ctrl-C) still writes what it measured, and says it
// was interrupted.
func TestRunInterruptedWritesResults(t *testing.T) {
	s, err := scenario.Load("../scenarios/quickstart.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := t.TempDir()
	_, sum, err := RunContext(ctx, s, Config{Out: out})
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("RunContext(cancelled) = %v; want ErrInterrupted", err)
	}
	if sum == nil || sum.Aborted != virtual.Interrupted {
		t.Fatalf("summary %+v; want one marked interrupted", sum)
	}
	for _, f := range []string{SummaryFile, "results.json", "qoe.jsonl"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("%s not written: %v", f, err)
		}
	}
}

func TestDefaultOut(t *testing.T) {
	for _, c := range []struct{ name, want string }{
		{"quickstart", "out/quickstart"},
		{"../../etc", "out/.._.._etc"}, // one element: no way out of out/
		{"a b/c", "out/a_b_c"},
		{"", "out/run"},
		{"..", "out/run"},
	} {
		if got := DefaultOut(c.name); got != filepath.FromSlash(c.want) {
			t.Errorf("DefaultOut(%q) = %q; want %q", c.name, got, c.want)
		}
	}
}
