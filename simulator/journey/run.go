package journey

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/simulator/slo"
)

// Options set a live run up; zero values take the defaults named.
type Options struct {
	// Target is the base URL, {{base}} in the journey. Required.
	Target string
	// Viewers are kept busy for Duration: a viewer who exits is replaced.
	Viewers  int
	Duration time.Duration
	// Ramp spreads the viewers' starts evenly; defaults to
	// min(Duration/10, 30s); negative: all at once.
	Ramp time.Duration
	// Clock times think times, the ramp and the run; defaults to the wall
	// clock. Latencies are always wall time.
	Clock clock.Clock
	// Client sends the requests; defaults to one with a connection pool
	// sized for the viewers.
	Client *http.Client
	// Timeout bounds one request of the default client; defaults to 10s.
	Timeout time.Duration
	// Seed makes the walk repeatable; 0 picks 1.
	Seed uint64
	// Sessions, when positive, ends each viewer after that many sessions
	// (the run ends early when every viewer has).
	Sessions int
	// Record, when set, is told of every request answered (or failed)
	// while the run lasted: its step, when it was sent (wall time), its
	// latency and whether it failed. It is called from the viewers'
	// goroutines.
	Record func(step string, sent time.Time, lat time.Duration, failed bool)
	// Window, when positive, also keeps each step's figures per window of
	// run time (at most MaxWindows), to see a fault's effect over time.
	Window time.Duration
}

// MaxWindows bounds the windows of a run; later requests go to the last.
const MaxWindows = 1000

// Limits of a run.
const (
	MaxViewers       = 100_000
	MaxResponseBytes = 1 << 20
	// maxHops bounds one session's steps.
	maxHops = 100_000
	// maxErrorKinds bounds the distinct error messages kept.
	maxErrorKinds = 50
)

// StepStats are one step's outcomes and latencies.
type StepStats struct {
	Step     string
	Requests int64
	// Failures are requests that got no answer or an unexpected status.
	Failures int64
	// ExtractFailures are answers a variable could not be read from.
	ExtractFailures int64
	// Skipped runs could not build their request: a variable was unset.
	Skipped int64

	mu      sync.Mutex
	hist    *hdrhistogram.Histogram // microseconds
	windows []*window
}

// window is a step's figures over one window of the run.
type window struct {
	requests, failures int64
	hist               *hdrhistogram.Histogram
}

const maxLatencyMicros = int64(10 * time.Minute / time.Microsecond)

func newStepStats(name string) *StepStats {
	return &StepStats{Step: name, hist: hdrhistogram.New(1, maxLatencyMicros, 3)}
}

// record adds one request's outcome; w < 0 keeps no window.
func (s *StepStats) record(lat time.Duration, failed bool, w int) {
	us := max(lat.Microseconds(), 1)
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.hist.RecordValue(us)
	if w < 0 {
		return
	}
	w = min(w, MaxWindows-1)
	for len(s.windows) <= w {
		s.windows = append(s.windows, nil)
	}
	if s.windows[w] == nil {
		s.windows[w] = &window{hist: hdrhistogram.New(1, maxLatencyMicros, 2)}
	}
	win := s.windows[w]
	win.requests++
	if failed {
		win.failures++
	}
	_ = win.hist.RecordValue(us)
}

// Quantile returns the latency at q percent (0 < q <= 100).
func (s *StepStats) Quantile(q float64) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return time.Duration(s.hist.ValueAtQuantile(q)) * time.Microsecond
}

// Result is what a run measured.
type Result struct {
	Target   string
	Viewers  int
	Window   time.Duration
	Elapsed  time.Duration
	Sessions int64
	// Steps by name, in the journey's order.
	Steps []*StepStats

	byName map[string]*StepStats
	mu     sync.Mutex
	errs   map[string]int
}

// Step returns a step's stats, or nil.
func (r *Result) Step(name string) *StepStats { return r.byName[name] }

// Value gives the observed per-step metrics to slo.Evaluate:
// api.<step>.latency (a percentile in seconds) and api.<step>.availability.
func (r *Result) Value(metric, stat string) (float64, bool) {
	rest, ok := strings.CutPrefix(metric, "api.")
	if !ok {
		return 0, false
	}
	i := strings.LastIndexByte(rest, '.')
	if i < 0 {
		return 0, false
	}
	s := r.byName[rest[:i]]
	if s == nil || s.Requests == 0 {
		return 0, false
	}
	switch rest[i+1:] {
	case "availability":
		return 1 - float64(s.Failures)/float64(s.Requests), true
	case "latency":
		q, ok := slo.Quantile(stat)
		if !ok {
			return 0, false
		}
		return s.Quantile(q).Seconds(), true
	}
	return 0, false
}

// Judge evaluates the objectives against the result.
func (r *Result) Judge(exprs []string) ([]slo.Verdict, error) {
	objs := make([]slo.Objective, 0, len(exprs))
	for _, e := range exprs {
		o, err := ParseSLO(e)
		if err != nil {
			return nil, err
		}
		objs = append(objs, o)
	}
	return slo.Evaluate(objs, r), nil
}

func (r *Result) fail(step, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := step + ": " + msg
	if _, ok := r.errs[k]; ok || len(r.errs) < maxErrorKinds {
		r.errs[k]++
	}
}

// Errors returns the distinct failures seen and their counts.
func (r *Result) Errors() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.errs))
	for k, v := range r.errs {
		out[k] = v
	}
	return out
}

type runner struct {
	walker *Walker // nil in Run
	j      *Journey
	opt    Options
	res    *Result
	wall   clock.Real
	start  time.Time
}

// defaults fills opt's zero values; the cleanup closes the default
// client's idle connections.
func (opt Options) defaults() (Options, func()) {
	opt.Target = strings.TrimSuffix(opt.Target, "/")
	opt.Clock = clock.Or(opt.Clock)
	if opt.Ramp < 0 {
		opt.Ramp = 0
	} else if opt.Ramp == 0 {
		opt.Ramp = min(opt.Duration/10, 30*time.Second)
	}
	if opt.Timeout == 0 {
		opt.Timeout = 10 * time.Second
	}
	if opt.Seed == 0 {
		opt.Seed = 1
	}
	if opt.Client != nil {
		return opt, func() {}
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 0
	t.MaxIdleConnsPerHost = min(max(opt.Viewers, 2), 1024)
	t.IdleConnTimeout = 30 * time.Second
	opt.Client = &http.Client{Transport: t, Timeout: opt.Timeout}
	return opt, t.CloseIdleConnections
}

func newRunner(j *Journey, opt Options) *runner {
	res := &Result{Target: opt.Target, Viewers: opt.Viewers, Window: opt.Window, byName: map[string]*StepStats{}, errs: map[string]int{}}
	for _, name := range j.Order {
		s := newStepStats(name)
		res.Steps = append(res.Steps, s)
		res.byName[name] = s
	}
	return &runner{j: j, opt: opt, res: res, start: opt.Clock.Now()}
}

// Run walks the journey with opt.Viewers viewers against opt.Target until
// opt.Duration has passed or ctx ends.
func Run(ctx context.Context, j *Journey, opt Options) (*Result, error) {
	if opt.Target == "" {
		return nil, errors.New("journey: no target URL")
	}
	if opt.Viewers < 1 || opt.Viewers > MaxViewers {
		return nil, fmt.Errorf("journey: viewers must be 1-%d, not %d", MaxViewers, opt.Viewers)
	}
	if opt.Duration <= 0 {
		return nil, errors.New("journey: duration must be positive")
	}
	opt, cleanup := opt.defaults()
	defer cleanup()
	r := newRunner(j, opt)
	res, start := r.res, r.start
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		_ = opt.Clock.Sleep(ctx, opt.Duration)
		cancel()
	}()
	var wg sync.WaitGroup
	var sessions atomic.Int64
	for i := range opt.Viewers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if d := opt.Ramp * time.Duration(i) / time.Duration(opt.Viewers); d > 0 && opt.Clock.Sleep(ctx, d) != nil {
				return
			}
			rng := rand.New(rand.NewPCG(opt.Seed, uint64(i)))
			for gen := 0; ctx.Err() == nil && (opt.Sessions <= 0 || gen < opt.Sessions); gen++ {
				r.session(ctx, fmt.Sprintf("viewer-%d-%d", i, gen), "member-"+strconv.Itoa(i), rng, nil)
				sessions.Add(1)
			}
		}()
	}
	wg.Wait()
	res.Elapsed = opt.Clock.Now().Sub(start)
	res.Sessions = sessions.Load()
	return res, nil
}

// A Walker walks single sessions of a journey for a driver that starts
// its viewers itself (the live mode of abrkit simulate); Run is the
// walker of abrkit journey run.
type Walker struct {
	r       *runner
	cleanup func()
	hb      *Step         // the first heartbeat step, nil none
	hbEvery time.Duration // its mean think time
}

// PlayFunc plays what a play step's answer names; the session ends when
// it returns. sent is when the play request went (wall time), vars are
// the session's variables (read only). The walker sends the journey's
// heartbeat step every heartbeat interval meanwhile.
type PlayFunc func(ctx context.Context, sent time.Time, answer []byte, vars map[string]string)

// NewWalker makes a walker of j against opt.Target; opt.Viewers,
// Duration, Ramp and Sessions are not used. Close it after its sessions.
func NewWalker(j *Journey, opt Options) (*Walker, error) {
	if opt.Target == "" {
		return nil, errors.New("journey: no target URL")
	}
	opt, cleanup := opt.defaults()
	w := &Walker{r: newRunner(j, opt), cleanup: cleanup}
	w.r.walker = w
	for _, name := range j.Order {
		if s := j.Steps[name]; s.Request != nil && w.hb == nil {
			if rt, _ := Route(s); rt == RouteHeartbeat {
				w.hb, w.hbEvery = s, s.Think.MeanValue()
				if w.hbEvery <= 0 {
					w.hbEvery = 30 * time.Second
				}
			}
		}
	}
	return w, nil
}

// Session walks one session of viewer (signed in as member) from the
// start step. A step routed to /v1/play (POST {{base}}/v1/play) sends its
// request, then, when it succeeded and play is not nil, hands its answer
// over to play instead of going on to the step's next.
func (w *Walker) Session(ctx context.Context, viewer, member string, rng *rand.Rand, play PlayFunc) {
	w.r.session(ctx, viewer, member, rng, play)
}

// Result is what the walker's sessions measured so far.
func (w *Walker) Result() *Result { return w.r.res }

// Close closes the default client's idle connections.
func (w *Walker) Close() { w.cleanup() }

// heartbeats sends the heartbeat step every w.hbEvery until ctx ends;
// vars are the session's, this goroutine's alone while it runs.
func (w *Walker) heartbeats(ctx context.Context, vars map[string]string, rng *rand.Rand, begun time.Time) {
	r := w.r
	for n := 1; n <= maxHops; n++ {
		if r.opt.Clock.Sleep(ctx, w.hbEvery) != nil {
			return
		}
		vars["n"] = strconv.Itoa(n)
		vars["elapsed"] = strconv.Itoa(int(r.opt.Clock.Now().Sub(begun) / time.Second))
		r.exec(ctx, w.hb, vars, rng)
	}
}

// session walks one viewer from the start step to exit.
func (r *runner) session(ctx context.Context, viewer, member string, rng *rand.Rand, play PlayFunc) {
	vars := make(map[string]string, len(r.j.Vars)+8)
	for k, v := range r.j.Vars {
		vars[k] = v
	}
	vars["base"], vars["viewer"], vars["member"] = r.opt.Target, viewer, member
	runs := map[string]int{}
	begun := r.opt.Clock.Now()
	step := r.j.Start
	for range maxHops {
		s := r.j.Steps[step]
		ok := true
		if s.Request != nil {
			runs[step]++
			vars["n"] = strconv.Itoa(runs[step])
			vars["elapsed"] = strconv.Itoa(int(r.opt.Clock.Now().Sub(begun) / time.Second))
			var answer []byte
			sent := r.wall.Now()
			ok, answer = r.exec(ctx, s, vars, rng)
			if ok && play != nil && ctx.Err() == nil {
				if rt, _ := Route(s); rt == RoutePlay {
					r.play(ctx, play, sent, answer, vars, rng)
					return
				}
			}
		}
		if ctx.Err() != nil || step == Exit {
			return
		}
		next := Exit
		if !ok {
			next = cmp.Or(s.OnError, Exit)
		} else if len(s.Next) > 0 {
			next = pick(s.Next, rng)
		}
		if think := s.Think.Sample(rng); think > 0 {
			if r.opt.Clock.Sleep(ctx, think) != nil {
				return
			}
		}
		if _, defined := r.j.Steps[next]; next == Exit && !defined {
			return
		}
		step = next
	}
}

// play hands a play step's answer over to play, with the journey's
// heartbeats alongside.
func (r *runner) play(ctx context.Context, play PlayFunc, sent time.Time, answer []byte, vars map[string]string, rng *rand.Rand) {
	w := r.walker
	if w == nil || w.hb == nil {
		play(ctx, sent, answer, vars)
		return
	}
	hbVars := make(map[string]string, len(vars))
	for k, v := range vars {
		hbVars[k] = v
	}
	hctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	// the heartbeats draw from their own source: rng stays the session's
	hrng := rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64()))
	begun := r.opt.Clock.Now()
	go func() {
		defer close(done)
		w.heartbeats(hctx, hbVars, hrng, begun)
	}()
	play(ctx, sent, answer, vars)
	stop()
	<-done
}

func pick(edges []Edge, rng *rand.Rand) string {
	var sum float64
	for _, e := range edges {
		sum += e.Weight
	}
	x := rng.Float64() * sum
	for _, e := range edges {
		if x -= e.Weight; x < 0 {
			return e.To
		}
	}
	return edges[len(edges)-1].To
}

// exec sends a step's request, records it and extracts its variables; it
// reports whether the step succeeded, and its answer.
func (r *runner) exec(ctx context.Context, s *Step, vars map[string]string, rng *rand.Rand) (bool, []byte) {
	st := r.res.byName[s.Name]
	req, err := r.build(ctx, s.Request, vars, rng)
	if err != nil {
		atomic.AddInt64(&st.Skipped, 1)
		r.res.fail(s.Name, err.Error())
		return false, nil
	}
	t0 := r.wall.Now()
	resp, err := r.opt.Client.Do(req)
	var body []byte
	if err == nil {
		body, err = io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes))
		resp.Body.Close()
	}
	lat := r.wall.Now().Sub(t0)
	if ctx.Err() != nil {
		return false, nil // the run ended under this request: not the service's failure
	}
	atomic.AddInt64(&st.Requests, 1)
	failed := ""
	switch {
	case err != nil:
		failed = errClass(err)
	case !statusOK(s.Status, resp.StatusCode):
		failed = "status " + strconv.Itoa(resp.StatusCode)
	}
	w := -1
	if r.opt.Window > 0 {
		w = int(r.opt.Clock.Now().Sub(r.start) / r.opt.Window)
	}
	st.record(lat, failed != "", w)
	if r.opt.Record != nil {
		r.opt.Record(s.Name, t0, lat, failed != "")
	}
	if failed != "" {
		atomic.AddInt64(&st.Failures, 1)
		r.res.fail(s.Name, failed)
		return false, nil
	}
	if len(s.Extract) == 0 {
		return true, body
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		atomic.AddInt64(&st.ExtractFailures, 1)
		r.res.fail(s.Name, "answer is not JSON")
		return true, body
	}
	for _, name := range sortedKeys(s.Extract) {
		v, err := extract(doc, s.Extract[name], rng)
		if err != nil {
			atomic.AddInt64(&st.ExtractFailures, 1)
			r.res.fail(s.Name, "extract "+name+": "+err.Error())
			continue
		}
		vars[name] = v
	}
	return true, body
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func statusOK(want []int, got int) bool {
	if len(want) == 0 {
		return got >= 200 && got < 300
	}
	return slices.Contains(want, got)
}

// errClass shortens a transport error for the error table.
func errClass(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case strings.Contains(err.Error(), "connection refused"):
		return "connection refused"
	case strings.Contains(err.Error(), "connection reset"):
		return "connection reset"
	}
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	return s
}

func (r *runner) build(ctx context.Context, q *Request, vars map[string]string, rng *rand.Rand) (*http.Request, error) {
	u, err := expand(q.URL, vars, rng)
	if err != nil {
		return nil, err
	}
	body, err := expand(q.Body, vars, rng)
	if err != nil {
		return nil, err
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, q.Method, u, rd)
	if err != nil {
		return nil, err
	}
	for k, v := range q.Headers {
		x, err := expand(v, vars, rng)
		if err != nil {
			return nil, err
		}
		req.Header.Set(k, x)
	}
	if body != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}
