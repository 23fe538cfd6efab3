package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// example is one command line from a command's --help Example text.
type example struct {
	cmd  string   // path of the command whose help shows it, "abrkit serve"
	line string   // as printed
	args []string // after "abrkit", shell words
	to   string   // file named by "> FILE", if any
	in   string   // stdin from a leading "echo 'TEXT' |", if any
}

// helpExamples collects the Example lines of c and its subcommands, joining
// lines continued with a backslash and dropping trailing "# comments".
func helpExamples(c *cobra.Command) []example {
	var out []example
	for _, l := range commandLines(strings.Split(c.Example, "\n")) {
		words := shellWords(l)
		ex := example{cmd: c.CommandPath(), line: l}
		if len(words) > 2 && words[0] == "echo" && words[2] == "|" {
			ex.in, words = words[1]+"\n", words[3:]
		}
		for i := 0; i < len(words); i++ {
			if words[i] == ">" && i+1 < len(words) {
				ex.to = words[i+1]
				i++
				continue
			}
			ex.args = append(ex.args, words[i])
		}
		out = append(out, ex)
	}
	for _, sub := range c.Commands() {
		out = append(out, helpExamples(sub)...)
	}
	return out
}

// shellWords splits a line as sh would for the simple lines help shows:
// blanks separate words, single and double quotes group them.
func shellWords(s string) []string {
	var words []string
	var w strings.Builder
	in, quote := false, rune(0)
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			w.WriteRune(r)
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == ' ' || r == '\t':
			if in {
				words = append(words, w.String())
				w.Reset()
				in = false
			}
		default:
			w.WriteRune(r)
			in = true
		}
	}
	if in {
		words = append(words, w.String())
	}
	return words
}

// pending names examples that wait for something not in the repository
// yet: the test skips them while the reason holds, and runs them as soon
// as it does not.
func pending(root *cobra.Command, ex example) string {
	c, _, err := root.Find(ex.args[1:])
	if err != nil {
		return ""
	}
	for _, a := range ex.args[1:] {
		name, _, _ := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		if strings.HasPrefix(a, "--") && c.Flags().Lookup(name) == nil {
			return "flag --" + name + " of " + c.CommandPath() + " is not there yet"
		}
		if strings.HasPrefix(a, "testdata/content") {
			if _, err := os.Stat(a); err != nil {
				return a + " is made by make content"
			}
		}
	}
	return ""
}

// TestHelpExamplesRun runs every Example line of every command's --help,
// from the repository root, against an embedded reference backend standing
// in for http://127.0.0.1:8080, with outputs in a temporary folder and
// short durations. Long-running commands (serve) run until they print their
// first line.
func TestHelpExamplesRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every help example")
	}
	tmp := t.TempDir()
	t.Chdir("../..")
	gw := startBackend(t)
	root := newRootCmd(io.Discard, io.Discard)
	exs := helpExamples(root)
	before := topLevel(t)
	defer func() {
		for name := range topLevel(t) {
			if !before[name] {
				t.Errorf("a help example left %s in the repository", name)
			}
		}
	}()
	if len(exs) < 20 {
		t.Fatalf("found %d help examples; want every command's", len(exs))
	}
	for _, ex := range exs {
		if strings.Contains(ex.line, "../shared") {
			t.Errorf("%s example %q names a folder outside the repository", ex.cmd, ex.line)
			continue
		}
		if len(ex.args) < 2 || ex.args[0] != "abrkit" {
			t.Errorf("%s example %q does not start with abrkit", ex.cmd, ex.line)
			continue
		}
		if why := pending(root, ex); why != "" {
			t.Logf("SKIP %s: %s", ex.line, why)
			continue
		}
		args := rewrite(ex.args[1:], gw, tmp)
		out, errOut, code := runExample(t, args, ex.in)
		if code != 0 {
			t.Errorf("%s\n  ran as: abrkit %s\n  exit %d: %s%s", ex.line, strings.Join(args, " "), code, errOut, lastLines(out, 5))
			continue
		}
		if ex.to != "" {
			if err := os.WriteFile(filepath.Join(tmp, ex.to), []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// rewrite points an example at the test's backend and temporary folder and
// shortens what would run for minutes.
func rewrite(args []string, gw, tmp string) []string {
	var out []string
	for i, a := range args {
		switch {
		case strings.Contains(a, "127.0.0.1:8080") && i > 0 && args[i-1] == "--listen":
			a = "127.0.0.1:0"
		case strings.Contains(a, "http://127.0.0.1:8080"):
			a = strings.ReplaceAll(a, "http://127.0.0.1:8080", gw)
		case strings.HasPrefix(a, "~/"):
			a = filepath.Join(tmp, "home", a[2:])
		case strings.HasPrefix(a, "out/"),
			i > 0 && (args[i-1] == "--out" || args[i-1] == "-o") && !filepath.IsAbs(a):
			a = filepath.Join(tmp, a) // nothing lands in the repository
		case strings.Contains(a, "*"):
			if m, _ := filepath.Glob(a); len(m) > 0 {
				out = append(out, m...)
				continue
			}
		}
		out = append(out, a)
	}
	has := func(s string) bool {
		for _, a := range args {
			if a == s {
				return true
			}
		}
		return false
	}
	switch {
	case args[0] == "simulate" && !has("--emit"):
		out = append(out, "--viewers", "20", "--watch-time", "10s", "--requests=false")
		if !has("--out") {
			out = append(out, "--out", filepath.Join(tmp, "simulate")) // simulate writes under out/ by default
		}
	case args[0] == "play":
		out = append(out, "--duration", "2s", "--quiet")
	case args[0] == "package" && has("--out"):
		// the catalog's titles are short already
	}
	return out
}

// runExample runs the CLI in process. A command that is still running
// when it has printed its first line is a server: it is stopped there.
func runExample(t *testing.T, args []string, stdin string) (out, errOut string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var ob firstLine
	ob.cancel = cancel
	var eb bytes.Buffer
	root := newRootCmd(&ob, &eb)
	root.SetArgs(args)
	root.SetIn(strings.NewReader(stdin))
	err := root.ExecuteContext(ctx)
	if err != nil && ctx.Err() == nil {
		return ob.String(), eb.String(), exitCode(err)
	}
	if ctx.Err() == context.DeadlineExceeded {
		return ob.String(), eb.String() + "timed out after 2m\n", 1
	}
	return ob.String(), eb.String(), 0
}

// firstLine is a buffer that calls cancel once a whole line is written
// and the command that writes it is a server (serve and its subcommands
// other than urls).
type firstLine struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	cancel context.CancelFunc
}

func (f *firstLine) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.buf.Write(p)
	if bytes.Contains(f.buf.Bytes(), []byte("\n")) && isServerOutput(f.buf.Bytes()) {
		f.cancel()
	}
	return n, err
}

func (f *firstLine) String() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.buf.String()
}

// isServerOutput reports whether out starts like serve's address list.
func isServerOutput(out []byte) bool {
	for _, p := range []string{"gateway ", "origin ", "edge ", `{"gateway"`} {
		if bytes.HasPrefix(out, []byte(p)) {
			return true
		}
	}
	return false
}

// startBackend runs `abrkit serve` with the default topology and returns
// its gateway URL.
func startBackend(t *testing.T) string {
	gw, _ := startBackendWith(t, "")
	return gw
}

// topLevel lists the names in the current folder.
func topLevel(t *testing.T) map[string]bool {
	t.Helper()
	es, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]bool{}
	for _, e := range es {
		m[e.Name()] = true
	}
	return m
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

func TestShellWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"abrkit serve", []string{"abrkit", "serve"}},
		{`abrkit play "a b"  c`, []string{"abrkit", "play", "a b", "c"}},
		{"x > job.yaml", []string{"x", ">", "job.yaml"}},
		{`a '' b`, []string{"a", "", "b"}},
	}
	for _, tt := range tests {
		if got := shellWords(tt.in); strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
			t.Errorf("shellWords(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// TestDocCommandsExist checks every abrkit command line in the README and
// docs/: the command and its flags exist, and every repository path it
// names is there. (Running them is TestHelpExamplesRun's job; the docs
// show the same commands with longer durations.)
func TestDocCommandsExist(t *testing.T) {
	t.Chdir("../..")
	files, _ := filepath.Glob("docs/*.md")
	files = append(files, "README.md")
	root := newRootCmd(io.Discard, io.Discard)
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range docCommands(string(data)) {
			n++
			if err := checkCommand(root, line); err != nil {
				t.Errorf("%s: command %d %q: %v", f, i+1, line, err)
			}
		}
	}
	if n < 20 {
		t.Errorf("found %d abrkit commands in the docs; want the docs' examples", n)
	}
}

// commandLines trims shell lines, joins those continued with a
// backslash, drops trailing "# comments" and empty lines.
func commandLines(lines []string) []string {
	var out []string
	cont := ""
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if strings.HasSuffix(l, `\`) {
			cont += strings.TrimSuffix(l, `\`) + " "
			continue
		}
		l, cont = cont+l, ""
		if i := strings.Index(l, " #"); i >= 0 {
			l = strings.TrimSpace(l[:i])
		}
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// docCommands returns the abrkit command lines of the fenced code blocks
// in a Markdown text.
func docCommands(md string) []string {
	var block, out []string
	fence := false
	for _, l := range strings.Split(md, "\n") {
		if strings.HasPrefix(l, "```") {
			fence = !fence
			if !fence {
				out = append(out, abrkitLines(commandLines(block))...)
			}
			block = block[:0]
			continue
		}
		if fence {
			block = append(block, l)
		}
	}
	return out
}

// abrkitLines keeps the lines that run the CLI, as "abrkit ...".
func abrkitLines(lines []string) []string {
	var out []string
	for _, l := range lines {
		for _, p := range []string{"go run ./cmd/abrkit ", "/usr/bin/time -v abrkit ", "abrkit "} {
			if rest, ok := strings.CutPrefix(l, p); ok {
				out = append(out, "abrkit "+rest)
				break
			}
		}
	}
	return out
}

// checkCommand resolves line's subcommand and flags and checks the
// repository paths it names.
func checkCommand(root *cobra.Command, line string) error {
	words := shellWords(line)
	var args []string
	for i := 1; i < len(words); i++ {
		if words[i] == ">" || words[i] == "|" || words[i] == "&" || words[i] == "&&" {
			break
		}
		args = append(args, words[i])
	}
	c, rest, err := root.Find(args)
	if err != nil {
		return err
	}
	for _, a := range rest {
		if strings.HasPrefix(a, "-") {
			name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
			if c.Flags().Lookup(name) == nil && (len(name) != 1 || c.Flags().ShorthandLookup(name) == nil) {
				return fmt.Errorf("%s has no flag %s", c.CommandPath(), a)
			}
			continue
		}
		for _, dir := range []string{"scenarios/", "testdata/", "player/", "simulator/", "bench/", "examples/"} {
			if !strings.HasPrefix(a, dir) || strings.HasPrefix(a, "testdata/content") {
				continue
			}
			if m, _ := filepath.Glob(a); len(m) == 0 {
				return fmt.Errorf("%s: no such file in the repository", a)
			}
		}
	}
	return nil
}

func TestCheckCommand(t *testing.T) {
	t.Chdir("../..")
	root := newRootCmd(io.Discard, io.Discard)
	tests := []struct {
		line string
		ok   bool
	}{
		{"abrkit simulate scenarios/quickstart.yaml --out out/q", true},
		{"abrkit report html out/q -o out/q/r.html", true},
		{"abrkit scenario validate scenarios/*.yaml --format json", true},
		{"abrkit simulate scenarios/nope.yaml", false},
		{"abrkit play --no-such-flag x", false},
		{"abrkit manifest inspect testdata/master.m3u8", false},
	}
	for _, tt := range tests {
		if err := checkCommand(root, tt.line); (err == nil) != tt.ok {
			t.Errorf("checkCommand(%q) = %v; want ok=%v", tt.line, err, tt.ok)
		}
	}
}
