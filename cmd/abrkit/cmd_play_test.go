package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/simulator/backend/packager"
)

func TestPlayCmd(t *testing.T) {
	pkg, err := packager.Build(packager.Title{ID: "t1", Duration: 6 * time.Second, SegmentDuration: 2 * time.Second,
		LadderKbps: []int{300, 800}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(http.StripPrefix("/t1/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, err := pkg.Open(r.URL.Path)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(data)
	})))
	defer ts.Close()
	master := ts.URL + "/t1/" + packager.MasterPlaylist
	tests := []struct {
		name    string
		args    []string
		code    int
		stdout  string // substring
		stderr  string // substring
		checkJS func(t *testing.T, r playReport)
	}{
		{name: "no url", args: []string{"play"}, code: 2},
		{name: "not http", args: []string{"play", "file:///x.m3u8"}, code: 2, stderr: "http or https"},
		{name: "bad abr", args: []string{"play", master, "--abr", "nope"}, code: 2, stderr: "--abr"},
		{name: "bad max bitrate", args: []string{"play", master, "--max-bitrate", "fast"}, code: 2, stderr: "--max-bitrate"},
		{name: "bad format", args: []string{"play", master, "--format", "xml"}, code: 2},
		{name: "missing manifest", args: []string{"play", ts.URL + "/t1/nope.m3u8", "--quiet", "--speed", "50"}, code: 1,
			stdout: "failed"},
		{name: "plays to the end json", args: []string{"play", master, "--format", "json", "--quiet", "--speed", "10",
			"--abr", "bola", "--max-bitrate", "500k"}, code: 0,
			checkJS: func(t *testing.T, r playReport) {
				if r.Stopped != "ended" || !r.QoE.Ended || r.ABR != "bola" {
					t.Errorf("report = %+v; want ended with bola", r)
				}
				if r.QoE.Segments != 2*pkg.SegmentCount() || r.QoE.LastBitrate > 500_000 {
					t.Errorf("segments %d last bitrate %d; want %d segments under 500k", r.QoE.Segments,
						r.QoE.LastBitrate, 2*pkg.SegmentCount())
				}
			}},
		{name: "text summary and status", args: []string{"play", master, "--speed", "10"}, code: 0,
			stdout: "rebuffer ratio", stderr: "pos"},
		{name: "duration", args: []string{"play", master, "--duration", "50ms", "--quiet"}, code: 0, stdout: ": duration"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(tc.args, &out, &errOut)
			if code != tc.code {
				t.Fatalf("run(%v) = %d; want %d\nstdout: %s\nstderr: %s", tc.args, code, tc.code, out.String(), errOut.String())
			}
			if !strings.Contains(out.String(), tc.stdout) {
				t.Errorf("stdout %q does not contain %q", out.String(), tc.stdout)
			}
			if !strings.Contains(errOut.String(), tc.stderr) {
				t.Errorf("stderr %q does not contain %q", errOut.String(), tc.stderr)
			}
			if tc.checkJS != nil {
				var r playReport
				if err := json.Unmarshal(out.Bytes(), &r); err != nil {
					t.Fatalf("json: %v\n%s", err, out.String())
				}
				tc.checkJS(t, r)
			}
		})
	}
}

// TestPlayOffline downloads a title and plays it from the download folder
// (file:// URLs served by the download package, no HTTP).
func TestPlayOffline(t *testing.T) {
	url, _ := downloadOrigin(t)
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if code := run([]string{"download", url, "--out", dir, "--id", "t1", "--format", "json"}, &out, &errOut); code != 0 {
		t.Fatalf("download = %d; want 0\n%s", code, errOut.String())
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"unknown id", []string{"play", "--offline", "nope", "--out", dir}, 2, "not found"},
		{"url and offline", []string{"play", "http://x/m.m3u8", "--offline", "t1", "--out", dir}, 2, "not both"},
		{"plays", []string{"play", "--offline", "t1", "--out", dir, "--quiet", "--speed", "20", "--format", "json"}, 0, ""},
	}
	for _, tt := range tests {
		out.Reset()
		errOut.Reset()
		code := run(tt.args, &out, &errOut)
		if code != tt.code || !strings.Contains(errOut.String(), tt.stderr) {
			t.Fatalf("%s: run(%q) = %d; want %d with %q in stderr\nstdout: %s\nstderr: %s", tt.name, tt.args, code, tt.code, tt.stderr, out.String(), errOut.String())
		}
	}
	var r playReport
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.Stopped != "ended" || !r.QoE.Ended || r.QoE.Segments == 0 || r.QoE.Errors != 0 {
		t.Errorf("offline play = %+v; want it ended with segments and no errors", r)
	}
}

// An endless chunked playlist: play stops reading at the manifest cap and
// fails with a clear error, quickly.
func TestPlayCmdEndlessManifest(t *testing.T) {
	var wrote atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "#EXTM3U\n#EXT-X-TARGETDURATION:2\n")
		chunk := []byte(strings.Repeat("#EXTINF:2.0,\nseg.m4s\n", 3000))
		for wrote.Load() < 1<<30 {
			n, err := w.Write(chunk)
			wrote.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	defer ts.Close()
	var out, errOut bytes.Buffer
	start := time.Now()
	got := run([]string{"play", ts.URL + "/live.m3u8", "--quiet"}, &out, &errOut)
	if got != 1 || !strings.Contains(out.String()+errOut.String(), "too large") {
		t.Errorf("exit %d\n%s%s; want 1 and a too-large error", got, out.String(), errOut.String())
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("play took %v; want it to stop at the cap", d)
	}
	if n := wrote.Load(); n > 2*player.MaxManifestBytes {
		t.Errorf("server wrote %d MiB; want the player to stop near the 32 MiB cap", n>>20)
	}
}
