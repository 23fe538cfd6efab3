package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/abrkit/abrkit/download"
	"github.com/abrkit/abrkit/simulator/backend/packager"
)

func downloadOrigin(t *testing.T) (string, *atomic.Int64) {
	t.Helper()
	pkg, err := packager.Build(packager.Title{ID: "t1", Duration: 6 * time.Second, SegmentDuration: 2 * time.Second, LadderKbps: []int{200, 600}})
	if err != nil {
		t.Fatal(err)
	}
	var reqs atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqs.Add(1)
		data, err := pkg.Open(strings.TrimPrefix(r.URL.Path, "/t1/"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/t1/master.m3u8", &reqs
}

func TestDownloadCmd(t *testing.T) {
	url, reqs := downloadOrigin(t)
	dir := t.TempDir()
	var id string
	steps := []struct {
		name string
		args func() []string
		want int
		out  string // substring of stdout
		err  string // substring of stderr
	}{
		{"bad quality", func() []string { return []string{"download", url, "--out", dir, "--quality", "hd"} }, 2, "", "--quality"},
		{"bad expires", func() []string { return []string{"download", url, "--out", dir, "--expires", "soon"} }, 2, "", "--expires"},
		{"not http", func() []string { return []string{"download", "ftp://x/y.m3u8", "--out", dir} }, 2, "", "http"},
		{"bad id", func() []string { return []string{"download", url, "--out", dir, "--id", "../x"} }, 2, "", "invalid download ID"},
		{"bad format", func() []string { return []string{"download", url, "--out", dir, "--format", "xml"} }, 2, "", "--format"},
		{"bad max-files", func() []string { return []string{"download", url, "--out", dir, "--max-files", "0"} }, 2, "", "--max-files"},
		{"too many files", func() []string { return []string{"download", url, "--out", t.TempDir(), "--max-files", "3"} }, 1, "failed", "more than 3"},
		{"download", func() []string {
			return []string{"download", url, "--out", dir, "--quality", "300p", "--format", "json", "--expires", "24h"}
		}, 0, `"state": "completed"`, ""},
		{"again resumes", func() []string { return []string{"download", url, "--out", dir} }, 0, "completed", ""},
		{"list", func() []string { return []string{"download", "list", "--out", dir, "--format", "json"} }, 0, `"segments_done": 8`, ""},
		{"list text", func() []string { return []string{"download", "list", "--out", dir} }, 0, "completed", ""},
		{"verify", func() []string { return []string{"download", "verify", "--out", dir, "--format", "json"} }, 0, `"ok": true`, ""},
		{"renew", func() []string { return []string{"download", "renew", id, "--out", dir, "--expires", "48h"} }, 0, "expires", ""},
		{"pause completed", func() []string { return []string{"download", "pause", id, "--out", dir} }, 1, "", "not allowed"},
		{"pause unknown", func() []string { return []string{"download", "pause", "nope", "--out", dir} }, 2, "", "not found"},
	}
	for _, s := range steps {
		var out, errOut bytes.Buffer
		got := run(s.args(), &out, &errOut)
		if got != s.want || !strings.Contains(out.String(), s.out) || !strings.Contains(errOut.String(), s.err) {
			t.Fatalf("%s: run(%q) = %d; want %d\nstdout: %s\nstderr: %s", s.name, s.args(), got, s.want, out.String(), errOut.String())
		}
		if s.name == "download" {
			var d downloadJSON
			if err := json.Unmarshal(out.Bytes(), &d); err != nil {
				t.Fatal(err)
			}
			id = d.ID
			if d.Bytes == 0 || d.BytesEstimate != d.Bytes {
				t.Errorf("completed download shows %d of %d bytes; want the estimate equal to the bytes", d.Bytes, d.BytesEstimate)
			}
			if d.Segments != 8 || d.Expires == "" || !strings.HasSuffix(d.Offline, "offline.m3u8") {
				t.Errorf("download JSON = %+v; want 8 files (v200 + audio), an expiry and the offline manifest", d)
			}
		}
		if s.name == "again resumes" && reqs.Load() > 20 {
			t.Errorf("second run made requests: total %d", reqs.Load())
		}
	}

	// Damage one segment: verify says so and exits 1.
	seg := filepath.Join(dir, id, "media", "v200", "seg_2.m4s")
	data, err := os.ReadFile(seg)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0xff
	if err := os.WriteFile(seg, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if got := run([]string{"download", "verify", "--out", dir, "--format", "json", "--repair"}, &out, &errOut); got != 1 {
		t.Fatalf("verify damaged = %d; want 1\n%s%s", got, out.String(), errOut.String())
	}
	var v struct {
		OK        bool `json:"ok"`
		Downloads []struct {
			Corrupt []struct{ Path string } `json:"corrupt"`
		} `json:"downloads"`
	}
	if err := json.Unmarshal(out.Bytes(), &v); err != nil || v.OK || len(v.Downloads) != 1 || len(v.Downloads[0].Corrupt) != 1 {
		t.Fatalf("verify JSON = %s (%v); want ok false with one damaged file", out.String(), err)
	}
	// Resume fetches the damaged file again.
	out.Reset()
	if got := run([]string{"download", "resume", id, "--out", dir}, &out, &errOut); got != 0 {
		t.Fatalf("resume = %d\n%s%s", got, out.String(), errOut.String())
	}
	out.Reset()
	if got := run([]string{"download", "verify", id, "--out", dir}, &out, &errOut); got != 0 {
		t.Fatalf("verify after repair = %d\n%s", got, out.String())
	}
	out.Reset()
	if got := run([]string{"download", "remove", id, "--out", dir}, &out, &errOut); got != 0 {
		t.Fatalf("remove = %d\n%s", got, errOut.String())
	}
	if _, err := os.Stat(filepath.Join(dir, id)); !os.IsNotExist(err) {
		t.Errorf("folder after remove: %v", err)
	}
	if got := run([]string{"download", "verify", id, "--out", dir}, &out, &errOut); got != 2 {
		t.Errorf("verify removed = %d; want 2", got)
	}
}

// `download pause` from another shell signals the process that holds the
// folder (its PID is in downloader.pid).
func TestDownloadPauseSignalsRunningProcess(t *testing.T) {
	dir := t.TempDir()
	m, err := download.New(download.Config{Dir: dir, Passive: true}) // holds the index lock
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	child := exec.Command("sleep", "30")
	if err := child.Start(); err != nil {
		t.Skip("no sleep command:", err)
	}
	defer child.Process.Kill()
	if err := os.WriteFile(filepath.Join(dir, pidFile), []byte(strconv.Itoa(child.Process.Pid)), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if got := run([]string{"download", "pause", "any", "--out", dir}, &out, &errOut); got != 0 || !strings.Contains(out.String(), "asked process") {
		t.Fatalf("pause = %d %s%s", got, out.String(), errOut.String())
	}
	err = child.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGINT {
		t.Errorf("child ended with %v; want SIGINT", err)
	}
}

// list and verify read a folder without changing it: while a download
// holds it, when it does not exist, when it is empty; after its index is
// deleted they say so, and reindex takes the downloads back.
func TestDownloadListAndVerifyReadOnly(t *testing.T) {
	url, _ := downloadOrigin(t)
	dir := t.TempDir()
	m, err := download.New(download.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	m.Start()
	id, err := m.Add(download.Request{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	if d, err := m.Await(t.Context(), id); err != nil || d.State != download.StateCompleted {
		t.Fatalf("download = %+v, %v", d, err)
	}
	missing := filepath.Join(t.TempDir(), "none")
	empty := t.TempDir()
	steps := []struct {
		name string
		args []string
		want int
		out  string // substring of stdout
		err  string // substring of stderr
	}{
		{"list while held", []string{"download", "list", "--out", dir}, 0, id + " ", ""},
		{"verify while held", []string{"download", "verify", "--out", dir}, 0, id + " ok", ""},
		{"list missing folder", []string{"download", "list", "--out", missing}, 1, "", "no such folder"},
		{"verify missing folder", []string{"download", "verify", "--out", missing}, 1, "", "no such folder"},
		{"verify empty folder", []string{"download", "verify", "--out", empty}, 1, "", "no downloads there"},
	}
	for _, s := range steps {
		var out, errOut bytes.Buffer
		if got := run(s.args, &out, &errOut); got != s.want || !strings.Contains(out.String(), s.out) || !strings.Contains(errOut.String(), s.err) {
			t.Errorf("%s: run(%q) = %d; want %d with %q/%q\nstdout: %s\nstderr: %s", s.name, s.args, got, s.want, s.out, s.err, out.String(), errOut.String())
		}
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("list/verify created %s: %v", missing, err)
	}
	if ents, _ := os.ReadDir(empty); len(ents) != 0 {
		t.Errorf("verify wrote into the empty folder: %v", ents)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	// The index is deleted: list says the files can rebuild it.
	if err := os.Remove(filepath.Join(dir, download.IndexFile)); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if got := run([]string{"download", "list", "--out", dir}, &out, &errOut); got != 1 || !strings.Contains(errOut.String(), "download reindex") {
		t.Fatalf("list without index = %d %s%s; want 1 naming reindex", got, out.String(), errOut.String())
	}
	out.Reset()
	if got := run([]string{"download", "reindex", "--out", dir}, &out, &errOut); got != 0 || !strings.Contains(out.String(), id) {
		t.Fatalf("reindex = %d %s%s", got, out.String(), errOut.String())
	}
	out.Reset()
	if got := run([]string{"download", "list", "--out", dir, "--format", "json"}, &out, &errOut); got != 0 ||
		!strings.Contains(out.String(), `"state": "completed"`) || !strings.Contains(out.String(), `"segments_done": 8`) {
		t.Fatalf("list after reindex = %d %s%s", got, out.String(), errOut.String())
	}
	out.Reset()
	if got := run([]string{"download", "verify", "--out", dir}, &out, &errOut); got != 0 {
		t.Fatalf("verify after reindex = %d %s%s", got, out.String(), errOut.String())
	}
}
