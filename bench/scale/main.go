// Command scale measures what the simulator costs per viewer and prints
// one table: virtual-time runs of quickstart and scale-100k at each of
// -viewers (viewer-seconds per CPU-second, peak resident memory per
// viewer), and live mode against k6 side by side (peak resident memory
// per viewer or virtual user, from bench/k6/run.sh, backend in its own
// process). Each run is a child process, so its resident peak and CPU
// come from the kernel's accounting of that process alone.
//
//	go build -o bin/abrkit ./cmd/abrkit
//	go run ./bench/scale -abrkit bin/abrkit -viewers 10000,100000 -live 1000 -doc docs/performance.md
//
// `make bench-scale` does both (SCALE_VIEWERS=10000,100000,1000000 for the
// million-viewer row; it takes hours on two cores).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// row is one measured run.
type row struct {
	Run, Mode            string
	Viewers              int
	ViewerSeconds, CPU   float64
	PeakRSSKB, PerViewKB float64
	Load                 string
	Note                 string
}

func main() {
	abrkit := flag.String("abrkit", "bin/abrkit", "abrkit binary")
	viewers := flag.String("viewers", "10000,100000", "virtual-time viewer counts, comma-separated")
	watch := flag.Duration("watch", 10*time.Minute, "virtual-time watch time per viewer")
	scenarios := flag.String("scenarios", "scenarios/quickstart.yaml,scenarios/scale-100k.yaml", "virtual-time scenarios, comma-separated")
	live := flag.Int("live", 1000, "live-mode viewers (and k6 virtual users) side by side; 0 skips")
	doc := flag.String("doc", "", "Markdown file whose <!-- bench-scale:begin --> ... <!-- bench-scale:end --> part gets the table")
	flag.Parse()
	var rows []row
	for _, sc := range strings.Split(*scenarios, ",") {
		for _, v := range strings.Split(*viewers, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n <= 0 {
				fatalf("-viewers: %q is not a positive count", v)
			}
			r, err := virtual(*abrkit, sc, n, *watch)
			if err != nil {
				fatalf("%s at %d viewers: %v", sc, n, err)
			}
			rows = append(rows, r)
			fmt.Fprintln(os.Stderr, format(rows[len(rows)-1:]))
		}
	}
	if *live > 0 {
		for _, mode := range []string{"live", "k6"} {
			r, err := liveRun(mode, *live)
			if err != nil {
				fmt.Fprintf(os.Stderr, "scale: %s: %v\n", mode, err)
				r = row{Run: "live-2000 (" + mode + ")", Mode: mode, Viewers: *live, Note: err.Error()}
			}
			rows = append(rows, r)
		}
	}
	table := format(rows)
	fmt.Print(table)
	if *doc != "" {
		if err := updateDoc(*doc, table); err != nil {
			fatalf("%v", err)
		}
	}
}

func fatalf(f string, a ...any) {
	fmt.Fprintf(os.Stderr, "scale: "+f+"\n", a...)
	os.Exit(1)
}

// virtual runs one virtual-time simulation as a child process.
func virtual(abrkit, scenario string, viewers int, watch time.Duration) (row, error) {
	out, err := os.MkdirTemp("", "abrkit-scale-")
	if err != nil {
		return row{}, err
	}
	defer os.RemoveAll(out)
	cmd := exec.Command(abrkit, "simulate", scenario, "--mode", "virtual", "--viewers", strconv.Itoa(viewers),
		"--watch-time", watch.String(), "--requests=false", "--format", "json", "--quiet", "--out", out)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) { // 1: an SLO breached, still measured
		return row{}, fmt.Errorf("%v: %s", err, lastLine(stderr.String()))
	}
	var sum struct {
		ViewerSeconds float64 `json:"viewer_seconds"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &sum); err != nil {
		return row{}, fmt.Errorf("summary JSON: %v", err)
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	r := row{Run: strings.TrimSuffix(filepath.Base(scenario), ".yaml"), Mode: "virtual", Viewers: viewers,
		ViewerSeconds: sum.ViewerSeconds, CPU: (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds(), Load: loadavg()}
	if ru != nil {
		r.PeakRSSKB = float64(ru.Maxrss) // KB on Linux
		r.PerViewKB = r.PeakRSSKB / float64(viewers)
	}
	return r, nil
}

var perViewer = regexp.MustCompile(`per (?:viewer|VU) \(peak RSS / (\d+)\): ([0-9.]+) KB`)
var maxRSS = regexp.MustCompile(`max RSS: ([0-9.]+) MB`)

// liveRun runs bench/k6/run.sh MODE N and reads its memory lines.
func liveRun(mode string, n int) (row, error) {
	cmd := exec.Command("bench/k6/run.sh", mode, strconv.Itoa(n))
	cmd.Env = append(os.Environ(), "OUT=out/scale/"+mode)
	var b bytes.Buffer
	cmd.Stdout, cmd.Stderr = &b, &b
	err := cmd.Run()
	r, perr := parseLive(&b)
	r.Run, r.Mode, r.Load = "live-2000 ("+map[string]string{"live": "abrkit", "k6": "k6"}[mode]+")", mode, loadavg()
	if perr != nil {
		if err != nil {
			return r, fmt.Errorf("%v: %s", err, lastLine(b.String()))
		}
		return r, perr
	}
	return r, nil
}

// parseLive reads run.sh's "max RSS" and "per viewer" lines.
func parseLive(out io.Reader) (row, error) {
	var r row
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if m := perViewer.FindStringSubmatch(sc.Text()); m != nil {
			r.Viewers, _ = strconv.Atoi(m[1])
			r.PerViewKB, _ = strconv.ParseFloat(m[2], 64)
		} else if m := maxRSS.FindStringSubmatch(sc.Text()); m != nil {
			mb, _ := strconv.ParseFloat(m[1], 64)
			r.PeakRSSKB = mb * 1024
		}
	}
	if r.Viewers == 0 {
		return r, errors.New("no per-viewer figure in its output")
	}
	return r, nil
}

// format renders rows as a Markdown table.
func format(rows []row) string {
	var b strings.Builder
	b.WriteString("| run | mode | viewers | viewer-s per CPU-s | peak RSS | KB per viewer | load average | note |\n|---|---|---:|---:|---:|---:|---|---|\n")
	for _, r := range rows {
		speed := "—"
		if r.CPU > 0 {
			speed = fmt.Sprintf("%.0f", r.ViewerSeconds/r.CPU)
		}
		rss := "—"
		if r.PeakRSSKB > 0 {
			rss = fmt.Sprintf("%.0f MB", r.PeakRSSKB/1024)
		}
		per := "—"
		if r.PerViewKB > 0 {
			per = fmt.Sprintf("%.1f", r.PerViewKB)
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %s | %s | %s | %s | %s |\n", r.Run, r.Mode, r.Viewers, speed, rss, per, r.Load, r.Note)
	}
	return b.String()
}

const beginMark, endMark = "<!-- bench-scale:begin -->", "<!-- bench-scale:end -->"

// updateDoc replaces the part of doc between the markers with table.
func updateDoc(doc, table string) error {
	b, err := os.ReadFile(doc)
	if err != nil {
		return err
	}
	s := string(b)
	i, j := strings.Index(s, beginMark), strings.Index(s, endMark)
	if i < 0 || j < i {
		return fmt.Errorf("%s: no %s ... %s part", doc, beginMark, endMark)
	}
	s = s[:i+len(beginMark)] + "\n" + table + s[j:]
	return os.WriteFile(doc, []byte(s), 0o644)
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
