package simulator

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/abrkit/abrkit/simulator/live"
	"github.com/abrkit/abrkit/simulator/report"
	"github.com/abrkit/abrkit/simulator/results"
	"github.com/abrkit/abrkit/simulator/scenario"
	"github.com/abrkit/abrkit/simulator/virtual"
)

// Output file names (besides results.json and qoe.jsonl).
const (
	RequestsFile = "requests.bin" // vegeta results, gob encoding: vegeta report requests.bin
	SummaryFile  = "summary.json"
	ReportFile   = "report.html"
)

// DefaultOut is where a run's outputs go when no directory is given:
// out/NAME under the working directory, with NAME made safe for a path.
func DefaultOut(name string) string {
	safe := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, name)
	if strings.Trim(safe, ".") == "" {
		safe = "run"
	}
	return filepath.Join("out", safe)
}

// Sentinel errors.
var (
	ErrBreach   = errors.New("SLO breached")
	ErrBadShard = errors.New("bad shard")
	ErrLive     = errors.New("scenario needs live mode")
	// ErrInterrupted: the run was stopped (Ctrl-C); its partial results
	// were written.
	ErrInterrupted = errors.New("run interrupted")
)

// Config is how to run a scenario; zero fields keep the scenario's values.
type Config struct {
	Mode      string // virtual or live; defaults to the scenario's
	Viewers   int
	WatchTime time.Duration
	Seed      *uint64
	Shard     int
	Shards    int
	// Out is a directory for results.json, qoe.jsonl, summary.json,
	// report.html and (with Requests) requests.bin. Empty: write nothing.
	Out      string
	Requests bool
	// Progress receives a progress bar; nil for none. TTY redraws one
	// line; otherwise a line is printed every 10%.
	Progress io.Writer
	TTY      bool
	Clock    func() time.Time
	// Gateway (live mode) plays against a running reference backend
	// instead of starting one; Admin and AdminToken reach its admin API
	// for the scenario's faults.
	Gateway, Admin, AdminToken string
}

// Run simulates s and writes the outputs. The summary is returned even
// when SLOs breached; the error is then ErrBreach.
func Run(s *scenario.Scenario, cfg Config) (*results.Results, *results.Summary, error) {
	return RunContext(context.Background(), s, cfg)
}

// RunContext is Run with a context that bounds live runs.
func RunContext(ctx context.Context, s *scenario.Scenario, cfg Config) (*results.Results, *results.Summary, error) {
	mode := s.Mode
	if cfg.Mode != "" {
		mode = cfg.Mode
	}
	if mode == "virtual" && s.Backend.Embedded == nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrLive, virtual.ErrNotVirtual)
	}
	opt := virtual.Options{Viewers: cfg.Viewers, WatchTime: cfg.WatchTime, Seed: cfg.Seed, Shard: cfg.Shard, Shards: cfg.Shards, Clock: cfg.Clock}
	if cfg.Progress != nil {
		opt.Progress = newBar(cfg.Progress, cfg.TTY, cfg.Clock).update
	}
	var closeReq func() error
	if cfg.Out != "" {
		if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
			return nil, nil, err
		}
		if cfg.Requests {
			f, err := os.Create(filepath.Join(cfg.Out, RequestsFile))
			if err != nil {
				return nil, nil, err
			}
			w := bufio.NewWriterSize(f, 1<<20)
			enc := vegeta.NewEncoder(w)
			opt.Requests = func(r *vegeta.Result) error { return enc.Encode(r) }
			closeReq = func() error {
				if err := w.Flush(); err != nil {
					f.Close()
					return err
				}
				return f.Close()
			}
		}
	}
	var res *results.Results
	var err error
	if mode == "live" {
		res, err = live.Run(ctx, s, live.Options{Viewers: opt.Viewers, WatchTime: opt.WatchTime, Seed: opt.Seed,
			Shard: opt.Shard, Shards: opt.Shards, Progress: opt.Progress, Requests: opt.Requests,
			Gateway: cfg.Gateway, Admin: cfg.Admin, AdminToken: cfg.AdminToken})
	} else {
		res, err = virtual.RunContext(ctx, s, opt)
	}
	if closeReq != nil {
		if cerr := closeReq(); err == nil {
			err = cerr
		}
	}
	if cfg.Progress != nil {
		fmt.Fprintln(cfg.Progress)
	}
	interrupted := ctx.Err() != nil && res != nil
	if err != nil && !interrupted {
		return nil, nil, err
	}
	if interrupted && res.Aborted == "" {
		res.Aborted = virtual.Interrupted
	}
	sum, err := Finish(res, cfg.Out)
	if interrupted {
		// what was measured so far is written; the run still failed
		return res, sum, fmt.Errorf("%w: %w", ErrInterrupted, ctx.Err())
	}
	return res, sum, err
}

// Finish summarises results, writes them into out (when not empty) and
// returns ErrBreach when an SLO breached.
func Finish(res *results.Results, out string) (*results.Summary, error) {
	sum := res.Summarize()
	if out != "" {
		sum.Out = out
		if err := res.WriteDir(out); err != nil {
			return sum, err
		}
		f, err := os.Create(filepath.Join(out, SummaryFile))
		if err != nil {
			return sum, err
		}
		enc := newJSON(f)
		if err := enc.Encode(sum); err != nil {
			f.Close()
			return sum, err
		}
		if err := f.Close(); err != nil {
			return sum, err
		}
		h, err := os.Create(filepath.Join(out, ReportFile))
		if err != nil {
			return sum, err
		}
		if err := report.WriteHTML(h, res, sum); err != nil {
			h.Close()
			return sum, err
		}
		if err := h.Close(); err != nil {
			return sum, err
		}
	}
	if !sum.Passed {
		return sum, ErrBreach
	}
	return sum, nil
}

// Merge reads shard output directories and merges them exactly.
func Merge(dirs []string) (*results.Results, error) {
	var all *results.Results
	for _, d := range dirs {
		r, err := results.ReadDir(d)
		if err != nil {
			return nil, err
		}
		if all == nil {
			all = r
			continue
		}
		if err := all.Merge(r); err != nil {
			return nil, fmt.Errorf("%s: %w", d, err)
		}
	}
	if all == nil {
		return nil, errors.New("no result directories")
	}
	return all, nil
}

// ParseShard parses "i/N" (0 <= i < N).
func ParseShard(s string) (i, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	if ok {
		i, err = strconv.Atoi(a)
		if err == nil {
			n, err = strconv.Atoi(b)
		}
	}
	if !ok || err != nil || n < 1 || i < 0 || i >= n || n > 10000 {
		return 0, 0, fmt.Errorf("%w %q: want INDEX/COUNT with 0 <= INDEX < COUNT, e.g. 0/4", ErrBadShard, s)
	}
	return i, n, nil
}
