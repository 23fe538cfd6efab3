package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/abrkit/abrkit/download"
	"github.com/abrkit/abrkit/simulator/backend/topology"
)

// memoryBudgetFlag adds --memory-budget to c; usage says what its default is.
func memoryBudgetFlag(c *cobra.Command, p *string, usage string) {
	c.Flags().StringVar(p, "memory-budget", "", "memory budget of the process, e.g. 512MiB, 4GiB (units as --quota's: K, M, G, KiB, MiB, GiB); "+usage)
}

// parseBudget reads a --memory-budget value; "" is 0 (not given).
func parseBudget(s string) (int64, error) {
	if strings.TrimSpace(s) == "" {
		return 0, nil
	}
	n, err := download.ParseSize(s)
	if err != nil {
		return 0, usageErrorf("--memory-budget: %v", err)
	}
	if n != 0 && n < int64(topology.MinMemoryBudget) {
		return 0, usageErrorf("--memory-budget %s: want at least %s (or 0)", s, topology.MinMemoryBudget)
	}
	return n, nil
}

// memLimit is the runtime memory limit in force and where it came from.
type memLimit struct {
	// Limit is debug.SetMemoryLimit's value (math.MaxInt64: none).
	Limit int64
	// FromEnv: GOMEMLIMIT was set and is left alone.
	FromEnv bool
}

// setMemoryLimit makes budget the runtime's soft memory limit, unless the
// user set GOMEMLIMIT, which wins; budget 0 leaves the limit as it is.
// GOGC is not changed: with a budget-sized limit the collector runs when
// the heap nears the limit, whichever comes first of that and GOGC's
// growth target (see docs/memory.md for figures).
func setMemoryLimit(budget int64, getenv func(string) string) memLimit {
	if getenv("GOMEMLIMIT") != "" {
		return memLimit{Limit: debug.SetMemoryLimit(-1), FromEnv: true}
	}
	if budget > 0 {
		debug.SetMemoryLimit(budget)
	}
	return memLimit{Limit: debug.SetMemoryLimit(-1)}
}

func (m memLimit) String() string {
	gogc := os.Getenv("GOGC")
	if gogc == "" {
		gogc = "100"
	}
	switch {
	case m.FromEnv:
		return fmt.Sprintf("runtime limit %s (GOMEMLIMIT), GOGC %s", sizeText(m.Limit), gogc)
	case m.Limit >= 1<<62:
		return "no runtime limit, GOGC " + gogc
	}
	return fmt.Sprintf("runtime limit %s, GOGC %s", sizeText(m.Limit), gogc)
}

// sizeText is n in the binary unit that keeps it short.
func sizeText(n int64) string {
	switch {
	case n >= 1<<30:
		return trimZero(fmt.Sprintf("%.2f", float64(n)/(1<<30))) + "GiB"
	case n >= 1<<20:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/(1<<20))) + "MiB"
	case n >= 1<<10:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/(1<<10))) + "KiB"
	}
	return fmt.Sprintf("%dB", n)
}

func trimZero(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// memoryLine is serve's start-up line about memory: the budget, how the
// caches of the edges the process runs are sized from it, and the limit.
func memoryLine(t *topology.Topology, edges []string, lim memLimit) string {
	s := "budget " + sizeText(int64(t.Budget()))
	if len(edges) > 0 {
		var vod, live int64
		var set []string
		for _, id := range edges {
			ref, _ := t.Edge(id)
			m := t.EdgeMemory(ref, len(edges))
			vod, live = vod+int64(m.Cache), live+int64(m.Live)
			if !ref.CacheFromBudget {
				set = append(set, id)
			}
		}
		s += fmt.Sprintf(": edge caches %s (VOD %s + live %s over %d edge(s)", sizeText(vod+live), sizeText(vod), sizeText(live), len(edges))
		if len(set) > 0 {
			s += fmt.Sprintf("; cache_size set for %d", len(set))
		}
		s += ")"
	}
	return s + ", " + lim.String()
}
