package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

// startProtectedBackend runs the reference backend with the catalog's
// encrypted titles: aes-128 (HLS), cenc (DASH, ClearKey) and cbcs (both).
func startProtectedBackend(t *testing.T) (gateway string, stop func()) {
	t.Helper()
	cat := filepath.Join(t.TempDir(), "catalog.yaml")
	if err := os.WriteFile(cat, []byte(`titles:
  - {id: aes, duration: 6s, segment_duration: 2s, ladder_kbps: [300], encryption: aes-128}
  - {id: cenc, duration: 6s, segment_duration: 2s, ladder_kbps: [300], encryption: cenc}
  - {id: cbcs, duration: 6s, segment_duration: 2s, ladder_kbps: [300], encryption: cbcs}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	return startBackendWith(t, cat)
}

// startBackendWith runs the reference backend in process (with catalog
// when not ""), returning its gateway URL and stop, which ends it before
// the test does (it is also a cleanup).
func startBackendWith(t *testing.T, catalog string) (gateway string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		f := serveFlags{listen: "127.0.0.1:0", logLevel: "error", format: "json", catalog: catalog}
		err := runServe(ctx, &f, pw, io.Discard)
		pw.Close()
		done <- err
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("backend: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	var a serveAddresses
	if err := json.NewDecoder(pr).Decode(&a); err != nil {
		t.Fatalf("backend did not print its addresses: %v", err)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	return a.Gateway, stop
}

// TestPlayBackendProtectedTitles: `abrkit play --gateway` plays the
// reference backend's AES-128 HLS title (key from the key server with the
// viewer's token) and its cenc and cbcs DASH titles (ClearKey license from
// the MPD's license URL, with the token) and its cbcs HLS title
// (SAMPLE-AES of fMP4: CENC with the key URI's key); a download of each
// (media stored as served, keys in the key store) plays offline with the
// backend gone.
func TestPlayBackendProtectedTitles(t *testing.T) {
	gw, stop := startProtectedBackend(t)
	out := t.TempDir()
	tests := []struct {
		title string
		dash  bool
	}{{"aes", false}, {"cenc", true}, {"cbcs", true}, {"cbcs", false}}
	for _, tt := range tests {
		args := []string{"play", "--gateway", gw, "--title", tt.title, "--speed", "8", "--quiet", "--format", "json"}
		if tt.dash {
			args = append(args, "--dash")
		}
		rep := playReport{}
		var stdout, stderr bytes.Buffer
		code := run(args, &stdout, &stderr)
		if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
			t.Fatalf("%s dash=%v: %v\n%s%s", tt.title, tt.dash, err, stdout.String(), stderr.String())
		}
		if code != 0 || rep.Stopped != "ended" || rep.QoE.Segments < 3 {
			t.Errorf("%s dash=%v: exit %d, stopped %q (%s %s), %d segments; want ended", tt.title, tt.dash, code, rep.Stopped, rep.Category, rep.Error, rep.QoE.Segments)
		}
		dl := []string{"download", "--gateway", gw, "--play", tt.title, "--id", tt.title + strconv.FormatBool(tt.dash), "--out", out, "--format", "json"}
		if tt.dash {
			dl = append(dl, "--dash")
		}
		stdout.Reset()
		if code := run(dl, &stdout, &stderr); code != 0 {
			t.Errorf("download %s dash=%v = %d\n%s%s", tt.title, tt.dash, code, stdout.String(), stderr.String())
		}
	}
	stop()
	for _, tt := range tests {
		rep := playJSON(t, "play", "--offline", tt.title+strconv.FormatBool(tt.dash), "--out", out, "--speed", "8", "--quiet", "--format", "json")
		if rep.Stopped != "ended" || rep.QoE.Segments < 3 {
			t.Errorf("offline %s dash=%v: stopped %q (%s), %d segments; want ended", tt.title, tt.dash, rep.Stopped, rep.Error, rep.QoE.Segments)
		}
	}
}
