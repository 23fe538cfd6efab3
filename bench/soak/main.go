// Command soak runs the reference backend (`abrkit serve`) and a live-mode
// load (`abrkit simulate`, real players in real time through the playback
// API of that backend) as two processes for a while, samples both every
// -every (resident memory and open descriptors from /proc, Go heap and
// goroutines from their --runtime-stats files) and fails when a figure
// keeps growing after warm-up: the least-squares line through its samples
// after warm-up may not rise by more than 10% of their mean or a floor
// (32 MiB of memory, 50 goroutines, 20 descriptors), whichever is larger,
// over the judged window or over any ten minutes of it. Viewers arrive at
// a constant rate and leave after -watch, so sessions start and end
// throughout (a leak per session shows).
//
//	go build -o bin/abrkit ./cmd/abrkit
//	go run ./bench/soak -abrkit bin/abrkit -duration 10m -doc docs/memory.md
//
// `make bench-soak` does both (SOAK=2m for a short run).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

type config struct {
	abrkit, out, doc, svg, budget  string
	duration, every, warmup, watch time.Duration
	viewers                        int
}

func main() {
	var c config
	flag.StringVar(&c.abrkit, "abrkit", "bin/abrkit", "abrkit binary")
	flag.DurationVar(&c.duration, "duration", 10*time.Minute, "how long the load runs")
	flag.DurationVar(&c.every, "every", 15*time.Second, "sampling interval")
	flag.DurationVar(&c.warmup, "warmup", 0, "samples before this are not judged (default: a third of -duration, at most 3m, at least -watch + 30s)")
	flag.DurationVar(&c.watch, "watch", 2*time.Minute, "each viewer's watch time")
	flag.IntVar(&c.viewers, "viewers", 200, "viewers watching at once (arrivals at viewers/watch per second)")
	flag.StringVar(&c.budget, "memory-budget", "", "serve's --memory-budget (default: serve's default)")
	flag.StringVar(&c.out, "out", "out/soak", "directory for the scenario, samples and process outputs")
	flag.StringVar(&c.doc, "doc", "", "Markdown file whose <!-- soak:begin --> ... <!-- soak:end --> part gets the tables")
	flag.StringVar(&c.svg, "svg", "", "SVG plot of the samples (with -doc: linked from it)")
	replot := flag.Bool("replot", false, "only draw -svg again from the samples.json of a run in -out")
	flag.Parse()
	if *replot {
		if err := redraw(c); err != nil {
			fmt.Fprintln(os.Stderr, "soak:", err)
			os.Exit(2)
		}
		return
	}
	if c.warmup == 0 {
		c.warmup = max(min(c.duration/3, 3*time.Minute), c.watch+30*time.Second)
	}
	ok, err := run(c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(2)
	}
	if !ok {
		fmt.Fprintln(os.Stderr, "soak: FAIL: a figure grows after warm-up (see the verdict table)")
		os.Exit(1)
	}
}

// proc is one of the two processes under test.
type proc struct {
	name, stats string
	cmd         *exec.Cmd
	exited      chan struct{}
}

// sample is one reading of one process.
type sample struct {
	T                      float64 // seconds since the load started
	RSS, Heap              float64 // bytes
	Goroutines, FDs, GCCPU float64
}

// redraw draws c.svg from the samples.json a run left in c.out.
func redraw(c config) error {
	data, err := os.ReadFile(filepath.Join(c.out, "samples.json"))
	if err != nil {
		return err
	}
	var series map[string][]sample
	if err := json.Unmarshal(data, &series); err != nil {
		return err
	}
	return plotSVG(c.svg, series)
}

func run(c config) (bool, error) {
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return false, err
	}
	serveArgs := []string{"serve", "--summary", "0", "--runtime-stats", filepath.Join(c.out, "serve.stats.jsonl")}
	if c.budget != "" {
		serveArgs = append(serveArgs, "--memory-budget", c.budget)
	}
	for _, f := range []string{"serve.stats.jsonl", "simulate.stats.jsonl"} {
		_ = os.Remove(filepath.Join(c.out, f))
	}
	serve, err := start(c, "serve", serveArgs)
	if err != nil {
		return false, err
	}
	defer stop(serve)
	gw, memLine, err := gatewayOf(filepath.Join(c.out, "serve.out"), serve)
	if err != nil {
		return false, err
	}
	scen := filepath.Join(c.out, "scenario.yaml")
	if err := os.WriteFile(scen, []byte(scenarioYAML(c, gw)), 0o644); err != nil {
		return false, err
	}
	sim, err := start(c, "simulate", []string{"simulate", scen, "--quiet", "--out=", "--runtime-stats", filepath.Join(c.out, "simulate.stats.jsonl")})
	if err != nil {
		return false, err
	}
	defer stop(sim)
	procs := []*proc{serve, sim}
	for range 300 { // until both wrote their first runtime line
		if len(lastLine(serve.stats)) > 0 && len(lastLine(sim.stats)) > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	series := map[string][]sample{}
	t0 := time.Now()
	tick := time.NewTicker(c.every)
	defer tick.Stop()
	for n := 0; ; n++ {
		el := time.Since(t0)
		for _, p := range procs {
			s, err := read(p, el)
			if err != nil {
				return false, fmt.Errorf("%s at %v: %w", p.name, el.Round(time.Second), err)
			}
			series[p.name] = append(series[p.name], s)
		}
		fmt.Fprintf(os.Stderr, "soak %5s  serve %s  simulate %s\n", el.Round(time.Second), brief(series["serve"]), brief(series["simulate"]))
		if el >= c.duration {
			break
		}
		select {
		case <-tick.C:
		case <-sim.exited:
			return false, fmt.Errorf("simulate ended early (see %s/simulate.err)", c.out)
		case <-serve.exited:
			return false, fmt.Errorf("serve ended early (see %s/serve.err)", c.out)
		}
	}
	if data, err := json.Marshal(series); err == nil {
		_ = os.WriteFile(filepath.Join(c.out, "samples.json"), data, 0o644)
	}
	verdicts, ok := judge(series, c.warmup)
	md := report(c, series, verdicts, memLine)
	fmt.Print(md)
	if c.svg != "" {
		if err := plotSVG(c.svg, series); err != nil {
			return ok, err
		}
	}
	if c.doc != "" {
		if err := splice(c.doc, md); err != nil {
			return ok, err
		}
	}
	return ok, nil
}

func start(c config, name string, args []string) (*proc, error) {
	out, err := os.Create(filepath.Join(c.out, name+".out"))
	if err != nil {
		return nil, err
	}
	errf, err := os.Create(filepath.Join(c.out, name+".err"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(c.abrkit, args...)
	cmd.Stdout, cmd.Stderr = out, errf
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proc{name: name, cmd: cmd, stats: filepath.Join(c.out, name+".stats.jsonl"), exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		out.Close()
		errf.Close()
		close(p.exited)
	}()
	return p, nil
}

// stop interrupts p and waits for it (killing it after 30 s).
func stop(p *proc) {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// gatewayOf waits for serve's gateway line and returns the URL and its
// memory line.
func gatewayOf(path string, p *proc) (gw, mem string, _ error) {
	for range 300 {
		data, _ := os.ReadFile(path)
		for _, l := range strings.Split(string(data), "\n") {
			if f := strings.Fields(l); len(f) >= 2 && f[0] == "gateway" {
				gw = f[1]
			}
			if v, ok := strings.CutPrefix(l, "memory"); ok {
				mem = strings.TrimSpace(v)
			}
		}
		if gw != "" && mem != "" {
			return gw, mem, nil
		}
		select {
		case <-p.exited:
			return "", "", errors.New("serve ended before printing its gateway")
		case <-time.After(100 * time.Millisecond):
		}
	}
	return "", "", errors.New("serve printed no gateway in 30 s")
}

// scenarioYAML is the load: viewers arriving at a constant rate for the
// whole run, each watching c.watch through the playback API at up to
// 3 Mbit/s.
func scenarioYAML(c config, gw string) string {
	perMin := float64(c.viewers) / c.watch.Minutes()
	count := int(perMin*(c.duration+c.watch).Minutes()) + 1
	return fmt.Sprintf(`# written by bench/soak
name: soak
seed: 1
mode: live
viewers:
  count: %d
  arrival: {process: constant, rate: %.2f/m}
session:
  watch_time: %s
  abandon_startup_after: 15s
content: {titles: 20, format: hls}
devices: [{name: tv, weight: 1}]
networks: [{name: cable, weight: 1, bandwidth: 3Mbps, rtt: 20ms, variation: 0.1}]
backend:
  adapter:
    login: {method: POST, url: "%[4]s/v1/login", headers: {Content-Type: application/json}, body: '{"user": "v{viewer}", "password": "soak"}'}
    play: {method: POST, url: "%[4]s/v1/play", headers: {Content-Type: application/json}, body: '{"title": "{title}"}'}
    manifest_field: hls
`, count, perMin, c.watch, gw)
}

// read samples p: /proc for resident memory and descriptors, the last
// line of its --runtime-stats file for heap and goroutines.
func read(p *proc, el time.Duration) (sample, error) {
	pid := p.cmd.Process.Pid
	s := sample{T: el.Seconds()}
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, err
	}
	for _, l := range strings.Split(string(st), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			s.RSS = kb * 1024
		}
	}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return s, err
	}
	s.FDs = float64(len(fds))
	var rs struct {
		HeapBytes  float64 `json:"heap_bytes"`
		Goroutines float64 `json:"goroutines"`
		GCCPU      float64 `json:"gc_cpu_seconds"`
	}
	if err := json.Unmarshal(lastLine(p.stats), &rs); err != nil {
		return s, fmt.Errorf("%s: %w", p.stats, err)
	}
	s.Heap, s.Goroutines, s.GCCPU = rs.HeapBytes, rs.Goroutines, rs.GCCPU
	return s, nil
}

func lastLine(path string) []byte {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var last []byte
	sc := bufio.NewScanner(io.LimitReader(f, 64<<20))
	for sc.Scan() {
		last = append(last[:0], sc.Bytes()...)
	}
	return last
}

func brief(s []sample) string {
	x := s[len(s)-1]
	return fmt.Sprintf("rss %6.1f MiB heap %6.1f MiB goroutines %5.0f fds %4.0f", x.RSS/(1<<20), x.Heap/(1<<20), x.Goroutines, x.FDs)
}

// figure is one judged series.
type figure struct {
	name  string
	get   func(sample) float64
	floor float64 // growth always allowed over ten minutes
	unit  float64 // display divisor
	label string
}

var figures = []figure{
	{"RSS", func(s sample) float64 { return s.RSS }, 32 << 20, 1 << 20, "MiB"},
	{"Go heap", func(s sample) float64 { return s.Heap }, 32 << 20, 1 << 20, "MiB"},
	{"goroutines", func(s sample) float64 { return s.Goroutines }, 50, 1, ""},
	{"open fds", func(s sample) float64 { return s.FDs }, 20, 1, ""},
}

type verdict struct {
	proc, figure, label               string
	warm, end, peak, slope, allowedPM float64 // slope and allowed per minute, in display units
	ok                                bool
}

// judge fits a line to each figure's samples after warm-up.
func judge(series map[string][]sample, warmup time.Duration) ([]verdict, bool) {
	all := true
	var out []verdict
	for _, p := range []string{"serve", "simulate"} {
		var after []sample
		for _, s := range series[p] {
			if s.T >= warmup.Seconds() {
				after = append(after, s)
			}
		}
		for _, f := range figures {
			v := verdict{proc: p, figure: f.name, label: f.label, ok: true}
			for _, s := range series[p] {
				v.peak = max(v.peak, f.get(s)/f.unit)
			}
			if len(after) < 2 {
				out = append(out, v)
				continue
			}
			var xs, ys []float64
			for _, s := range after {
				xs, ys = append(xs, s.T/60), append(ys, f.get(s)/f.unit)
			}
			slope, mean := fit(xs, ys)
			v.warm, v.end, v.slope = ys[0], ys[len(ys)-1], slope
			window := min(xs[len(xs)-1]-xs[0], 10) // minutes
			v.allowedPM = max(0.10*mean, f.floor/f.unit) / window
			v.ok = slope <= v.allowedPM
			all = all && v.ok
			out = append(out, v)
		}
	}
	return out, all
}

// fit returns the least-squares slope of ys over xs and the mean of ys.
func fit(xs, ys []float64) (slope, mean float64) {
	n := float64(len(xs))
	var sx, sy, sxx, sxy float64
	for i := range xs {
		sx, sy, sxx, sxy = sx+xs[i], sy+ys[i], sxx+xs[i]*xs[i], sxy+xs[i]*ys[i]
	}
	d := n*sxx - sx*sx
	if d == 0 {
		return 0, sy / n
	}
	return (n*sxy - sx*sy) / d, sy / n
}

func report(c config, series map[string][]sample, vs []verdict, mem string) string {
	var b bytes.Buffer
	cmd := fmt.Sprintf("make bench-soak SOAK=%s", short(c.duration))
	if c.viewers != 200 {
		cmd += fmt.Sprintf(" SOAK_VIEWERS=%d", c.viewers)
	}
	if c.watch != 2*time.Minute {
		cmd += fmt.Sprintf(" SOAK_WATCH=%s", short(c.watch))
	}
	if c.budget != "" {
		cmd += " SOAK_BUDGET=" + c.budget
	}
	fmt.Fprintf(&b, "Run `%s` on %s: %d viewers at once (each watches %s, arrivals at %.0f/min), samples every %s, warm-up %s. serve: `%s`.\n\n",
		cmd, time.Now().UTC().Format("2006-01-02"), c.viewers, short(c.watch), float64(c.viewers)/c.watch.Minutes(), short(c.every), short(c.warmup), mem)
	b.WriteString("| process | figure | after warm-up | end | peak | slope after warm-up (/min) | allowed (/min) | verdict |\n|---|---|---|---|---|---|---|---|\n")
	for _, v := range vs {
		res := "flat"
		if !v.ok {
			res = "**grows**"
		}
		u := v.label
		if u != "" {
			u = " " + u
		}
		fmt.Fprintf(&b, "| %s | %s | %.1f%s | %.1f%s | %.1f%s | %+.2f | %.2f | %s |\n", v.proc, v.figure, v.warm, u, v.end, u, v.peak, u, v.slope, v.allowedPM, res)
	}
	b.WriteString("\nSamples (RSS and heap in MiB; GC: collector CPU seconds so far):\n\n")
	b.WriteString("| t | serve RSS | serve heap | serve goroutines | serve fds | serve GC | simulate RSS | simulate heap | simulate goroutines | simulate fds | simulate GC |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
	sv, sm := series["serve"], series["simulate"]
	for i := range min(len(sv), len(sm)) {
		a, s := sv[i], sm[i]
		fmt.Fprintf(&b, "| %s | %.0f | %.0f | %.0f | %.0f | %.1f | %.0f | %.0f | %.0f | %.0f | %.1f |\n", (time.Duration(a.T) * time.Second).Round(time.Second),
			a.RSS/(1<<20), a.Heap/(1<<20), a.Goroutines, a.FDs, a.GCCPU, s.RSS/(1<<20), s.Heap/(1<<20), s.Goroutines, s.FDs, s.GCCPU)
	}
	if c.svg != "" && c.doc != "" {
		rel, err := filepath.Rel(filepath.Dir(c.doc), c.svg)
		if err == nil {
			fmt.Fprintf(&b, "\n![RSS and Go heap of both processes over the soak](%s)\n", filepath.ToSlash(rel))
		}
	}
	return b.String()
}

// short writes 3m for 3m0s.
func short(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// splice replaces what lies between the soak markers of doc with md.
func splice(doc, md string) error {
	data, err := os.ReadFile(doc)
	if err != nil {
		return err
	}
	const begin, end = "<!-- soak:begin -->\n", "<!-- soak:end -->"
	i, j := bytes.Index(data, []byte(begin)), bytes.Index(data, []byte(end))
	if i < 0 || j < i {
		return fmt.Errorf("%s: no %q ... %q markers", doc, strings.TrimSpace(begin), end)
	}
	out := append(append(append([]byte{}, data[:i+len(begin)]...), md...), data[j:]...)
	return os.WriteFile(doc, out, 0o644)
}

var palette = []color.Color{color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}, color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}}

// plotSVG draws RSS and heap of both processes over time.
func plotSVG(path string, series map[string][]sample) error {
	p := plot.New()
	p.Title.Text = "abrkit soak: memory of both processes"
	p.X.Label.Text = "minutes"
	p.Y.Label.Text = "MiB"
	p.Add(plotter.NewGrid())
	dashes := [][]vg.Length{nil, {vg.Points(4), vg.Points(3)}}
	colors := map[string]int{"serve": 0, "simulate": 1}
	for _, name := range []string{"serve", "simulate"} {
		for k, f := range figures[:2] {
			pts := make(plotter.XYs, 0, len(series[name]))
			for _, s := range series[name] {
				pts = append(pts, plotter.XY{X: s.T / 60, Y: f.get(s) / f.unit})
			}
			l, err := plotter.NewLine(pts)
			if err != nil {
				return err
			}
			l.Width = vg.Points(1.5)
			l.Dashes = dashes[k]
			l.Color = palette[colors[name]]
			p.Add(l)
			p.Legend.Add(name+" "+f.name, l)
		}
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(30), -vg.Points(4)
	p.Legend.Padding = vg.Points(2)
	p.Y.Min = 0
	p.Y.Max = math.Max(p.Y.Max*1.3, 1) // room for the legend above the lines
	return p.Save(7*vg.Inch, 4*vg.Inch, path)
}
