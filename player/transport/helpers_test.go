package transport

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
)

var update = flag.Bool("update", false, "rewrite golden files and fuzz seeds")

// fakeClock never sleeps: Sleep records the wait and moves time on.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

// NewTimer is never used by the fetcher; it completes the clock.Clock.
func (c *fakeClock) NewTimer(d time.Duration) clock.Timer {
	return clock.NewFake(c.Now()).NewTimer(d)
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// checkSeeds writes (with -update) or checks the committed fuzz seeds of
// fuzzName, one file per table case: a single string argument.
func checkSeeds(t *testing.T, fuzzName string, names, inputs []string) {
	t.Helper()
	dir := filepath.Join("testdata", "fuzz", fuzzName)
	for i, in := range inputs {
		file := filepath.Join(dir, seedName(names[i]))
		want := "go test fuzz v1\nstring(" + strconv.Quote(in) + ")\n"
		if *update {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(file)
		if err != nil || string(got) != want {
			t.Errorf("fuzz seed %s missing or stale (go test -run Seeds -update)", file)
		}
	}
}

func seedName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '_'
	}, s)
}
