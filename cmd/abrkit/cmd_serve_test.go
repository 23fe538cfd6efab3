package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/abrkit/abrkit/simulator/backend"
	"github.com/abrkit/abrkit/simulator/backend/control"
	"github.com/abrkit/abrkit/simulator/backend/topology"
)

func TestServeUsageErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("regions:\n  - id: eu\n    edges: [{id: e1, capcity: 1}]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want int
		msg  string
		key  string // ABRKIT_SIGNING_KEY for the case
	}{
		{"bad config", []string{"serve", "--config", bad, "--summary", "0"}, 2, "bad.yaml:3", ""},
		{"missing config", []string{"serve", "--config", filepath.Join(dir, "nope.yaml")}, 2, "nope.yaml", ""},
		{"bad content", []string{"serve", "--content", filepath.Join(dir, "nope")}, 2, "not a directory", ""},
		{"bad log level", []string{"serve", "--log-level", "loud"}, 2, "log-level", ""},
		{"bad format", []string{"serve", "--format", "yaml"}, 2, "--format", ""},
		{"unknown flag", []string{"serve", "--nope"}, 2, "unknown flag", ""},
		{"urls without gateway", []string{"serve", "urls"}, 2, "--gateway", ""},
		{"urls bad format", []string{"serve", "urls", "--gateway", "http://127.0.0.1:1", "--format", "xml"}, 2, "--format", ""},
		{"urls unreachable", []string{"serve", "urls", "--gateway", "http://127.0.0.1:1"}, 1, "connect", ""},
		{"edge without id", []string{"serve", "edge"}, 2, "--id", ""},
		{"edge unknown id", []string{"serve", "edge", "--id", "zz-9", "--origin", "http://127.0.0.1:1", "--control", "http://127.0.0.1:1"}, 2, "zz-9", "0123456789abcdef"},
		{"edge without key", []string{"serve", "edge", "--id", "eu-1", "--origin", "http://127.0.0.1:1", "--control", "http://127.0.0.1:1"}, 2, "ABRKIT_SIGNING_KEY", ""},
		{"control without key", []string{"serve", "control"}, 2, "ABRKIT_SIGNING_KEY", ""},
		{"origin without key", []string{"serve", "origin"}, 2, "ABRKIT_SIGNING_KEY", ""},
		{"demo key refused", []string{"serve", "--summary", "0"}, 2, "demo key", "abrkit-demo-signing-key"},
		{"short key refused", []string{"serve", "--summary", "0"}, 2, "at least 16", "short"},
		{"tiny memory budget", []string{"serve", "--memory-budget", "3M"}, 2, "at least 64MiB", ""},
		{"bad memory budget", []string{"serve", "edge", "--id", "eu-1", "--origin", "http://127.0.0.1:1", "--control", "http://127.0.0.1:1", "--memory-budget", "lots"}, 2, "--memory-budget", "0123456789abcdef"},
		{"simulate bad memory budget", []string{"simulate", "x.yaml", "--memory-budget", "-1G"}, 2, "--memory-budget", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("ABRKIT_SIGNING_KEY", tt.key)
			var out, errOut bytes.Buffer
			if got := run(tt.args, &out, &errOut); got != tt.want {
				t.Errorf("run(%q) = %d; want %d (stderr %q)", tt.args, got, tt.want, errOut.String())
			}
			if all := out.String() + errOut.String(); !strings.Contains(all, tt.msg) {
				t.Errorf("run(%q) output lacks %q:\n%s", tt.args, tt.msg, all)
			}
		})
	}
}

// TestServeAndURLs runs `serve` until cancelled, reads the gateway URL from
// its first line, then runs `serve urls` against it and fetches a manifest.
func TestServeAndURLs(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "topo.yaml")
	topo := "catalog:\n  titles:\n    - {id: a, duration: 12s, segment_duration: 2s, ladder_kbps: [300, 800]}\n    - {id: b, duration: 12s, segment_duration: 2s, ladder_kbps: [300]}\nchannels:\n  - {id: ch1, ladder_kbps: [300]}\nregions:\n  - id: eu\n    edges: [{id: eu-1}, {id: eu-2}]\n"
	if err := os.WriteFile(cfg, []byte(topo), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		f := serveFlags{config: cfg, listen: "127.0.0.1:0", logLevel: "error", grace: 300 * time.Millisecond}
		err := runServe(ctx, &f, pw, io.Discard)
		pw.Close()
		done <- err
	}()
	rd := bufio.NewReader(pr)
	first, err := rd.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = io.Copy(io.Discard, rd) }()
	fields := strings.Fields(first)
	if len(fields) != 2 || fields[0] != "gateway" || !strings.HasPrefix(fields[1], "http://127.0.0.1:") {
		t.Fatalf("first line = %q; want the gateway URL", first)
	}
	gw := fields[1]
	var out, errOut bytes.Buffer
	if code := run([]string{"serve", "urls", "--gateway", gw, "--format", "json"}, &out, &errOut); code != 0 {
		t.Fatalf("serve urls = %d: %s", code, errOut.String())
	}
	var urls struct {
		Titles []struct {
			ID, HLS, DASH string
			Live          bool
			LLDASH        string `json:"ll_dash"`
		} `json:"titles"`
	}
	if err := json.Unmarshal(out.Bytes(), &urls); err != nil || len(urls.Titles) != 3 || urls.Titles[0].HLS == "" {
		t.Fatalf("serve urls output %s (%v); want 2 titles and a channel with URLs", out.String(), err)
	}
	if ch := urls.Titles[2]; ch.ID != "ch1" || !ch.Live || !strings.HasSuffix(ch.LLDASH, "/manifest-ll.mpd") || urls.Titles[0].Live {
		t.Errorf("serve urls lists the channel as %+v; want ch1, live, with an LL-DASH URL", ch)
	}
	hc := &http.Client{Timeout: 10 * time.Second}
	resp, err := hc.Get(urls.Titles[0].HLS)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(string(body), "#EXTM3U") {
		t.Errorf("GET %s = %d %.30q", urls.Titles[0].HLS, resp.StatusCode, body)
	}
	// abrkit play on the signed URL from serve urls.
	out.Reset()
	errOut.Reset()
	if code := run([]string{"play", urls.Titles[1].HLS, "--speed", "50", "--quiet", "--duration", "20s", "--format", "json"}, &out, &errOut); code != 0 {
		t.Fatalf("play = %d: %s %s", code, out.String(), errOut.String())
	}
	var rep struct {
		Stopped string `json:"stopped"`
		Error   string `json:"error"`
		QoE     struct {
			Segments int `json:"segments"`
		} `json:"qoe"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || rep.Stopped != "ended" || rep.QoE.Segments == 0 {
		t.Errorf("play report %s (%v); want segments played", out.String(), err)
	}
	hc.CloseIdleConnections()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("runServe after cancel = %v; want nil", err)
	}
}

// TestServeHelperProcess is not a test: it is the child process of
// TestServeEdgeProcess, running `abrkit` with the arguments in
// ABRKIT_SERVE_ARGS (separated by newlines).
func TestServeHelperProcess(t *testing.T) {
	if os.Getenv("ABRKIT_SERVE_HELPER") != "1" {
		t.Skip("child process only")
	}
	os.Exit(run(strings.Split(os.Getenv("ABRKIT_SERVE_ARGS"), "\n"), os.Stdout, os.Stderr))
}

// TestServeEdgeProcess runs origin and control in this process and one
// edge as a separate process, plays through it, then stops the edge with
// SIGTERM: it exits 0 and steering drops it at once.
func TestServeEdgeProcess(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "topo.yaml")
	topo := "catalog:\n  titles:\n    - {id: a, duration: 8s, segment_duration: 2s, ladder_kbps: [300]}\nregions:\n  - id: eu\n    edges: [{id: eu-1}]\n"
	if err := os.WriteFile(cfg, []byte(topo), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(backend.EnvSigningKey, "a-test-key-of-sixteen-bytes-or-more")
	tp, err := topology.Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := backend.ResolveKey(tp, os.Getenv, true); err != nil {
		t.Fatal(err)
	}
	src, err := backend.NewSource(tp, nil, "", "")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	o, err := backend.StartOrigin(tp, src, "127.0.0.1:0", log)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	gw, err := backend.StartControl(ctx, tp, src, backend.ControlProcess{Log: log})
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close(context.Background())

	child := exec.Command(os.Args[0], "-test.run=^TestServeHelperProcess$")
	child.Env = append(os.Environ(), "ABRKIT_SERVE_HELPER=1", "ABRKIT_SERVE_ARGS="+strings.Join([]string{
		"serve", "edge", "--id", "eu-1", "--config", cfg, "--origin", o.URL(), "--control", gw.InternalURL(), "--log-level", "error"}, "\n"))
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()
	rd := bufio.NewReader(stdout)
	line, err := rd.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "edge ") {
		t.Fatalf("edge process said %q (%v); want its URL", line, err)
	}
	adminLine, err := rd.ReadString('\n')
	var adminURL, token string
	if _, serr := fmt.Sscanf(adminLine, "admin %s (Authorization: Bearer %32s)", &adminURL, &token); err != nil || serr != nil {
		t.Fatalf("edge process said %q (%v, %v); want its admin URL and token", adminLine, err, serr)
	}
	req, _ := http.NewRequest("GET", adminURL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("edge admin /metrics = %v, %v; want 200", resp, err)
	} else {
		resp.Body.Close()
	}
	cl := &backend.Client{Gateway: gw.URL(), HTTP: &http.Client{Timeout: 10 * time.Second}}
	urls, err := cl.PlayableURLs(ctx, "u", "p")
	if err != nil || len(urls) != 1 {
		t.Fatalf("PlayableURLs = %v, %v", urls, err)
	}
	resp, err := cl.HTTP.Get(urls[0].DASH)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Edge") != "eu-1" {
		t.Fatalf("GET through the edge process = %d from %q", resp.StatusCode, resp.Header.Get("X-Edge"))
	}
	cl.HTTP.CloseIdleConnections()
	if err := child.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := child.Wait(); err != nil {
		t.Errorf("edge process after SIGTERM: %v; want exit 0", err)
	}
	var se *backend.StatusError
	if _, err := cl.Play(ctx, control.PlayRequest{Title: "a"}); !errors.As(err, &se) || se.Code != 503 {
		t.Errorf("play after the only edge left = %v; want 503 no edge available", err)
	}
}

func TestServeJSON(t *testing.T) {
	restoreLimit(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Setenv("ABRKIT_SIGNING_KEY", "")
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	var stderr bytes.Buffer
	go func() {
		f := serveFlags{listen: "127.0.0.1:0", logLevel: "error", format: "json", grace: 300 * time.Millisecond}
		err := runServe(ctx, &f, pw, &stderr)
		pw.Close()
		done <- err
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	var a serveAddresses
	if err := json.Unmarshal([]byte(line), &a); err != nil || !strings.HasPrefix(a.Gateway, "http://127.0.0.1:") || len(a.Edges) != 9 || a.Titles != 21 {
		t.Errorf("first line %s (%v); want gateway, 9 edges, 21 titles (20 VOD and the live channel)", line, err)
	}
	if i, j := strings.Index(line, "http://"), strings.Index(line, a.Gateway); i != j {
		t.Errorf("first URL in %s is not the gateway's", line)
	}
	if a.Admin == a.Gateway || a.Internal == a.Gateway || a.AdminToken == "" || a.KeySource != "random" ||
		!strings.HasPrefix(a.Faults, a.Admin) || !strings.HasPrefix(a.Metrics, a.Admin) {
		t.Errorf("first line %s; want admin and internal listeners apart from the gateway, a token, a random key", line)
	}
	if a.MemoryBudget != 1<<30 || (os.Getenv("GOMEMLIMIT") == "" && a.MemoryLimit != 1<<30) {
		t.Errorf("first line %s; want the default 1GiB budget and memory limit", line)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("runServe = %v", err)
	}
	if !strings.Contains(stderr.String(), "warning: no signing key configured") || !strings.Contains(stderr.String(), "ABRKIT_SIGNING_KEY") {
		t.Errorf("stderr %q lacks the warning that names ABRKIT_SIGNING_KEY", stderr.String())
	}
}

// serve's status line repeats nothing while the backend is idle.
func TestServeStatusOnlyOnChange(t *testing.T) {
	var f changeFilter[backend.Summary]
	idle := backend.Summary{Edges: 9, HealthyEdges: 9}
	busy := idle
	busy.EdgeRequests = 3
	for i, tt := range []struct {
		s    backend.Summary
		want bool
	}{{idle, true}, {idle, false}, {idle, false}, {busy, true}, {busy, false}, {idle, true}} {
		if got := f.changed(tt.s); got != tt.want {
			t.Errorf("step %d: changed(%+v) = %v; want %v", i, tt.s, got, tt.want)
		}
	}
}
