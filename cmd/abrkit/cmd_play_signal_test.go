package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/abrkit/abrkit/simulator/backend/packager"
)

// TestPlayHelperProcess is not a test: it is the child process of
// TestPlayStopsOnSignal, running `abrkit play` with ABRKIT_PLAY_URL.
func TestPlayHelperProcess(t *testing.T) {
	if os.Getenv("ABRKIT_PLAY_HELPER") != "1" {
		t.Skip("child process only")
	}
	os.Exit(run([]string{"play", os.Getenv("ABRKIT_PLAY_URL"), "--quiet"}, os.Stdout, os.Stderr))
}

// SIGTERM and SIGINT stop play promptly, while it plays and while a
// manifest that never ends is still arriving; the summary is printed and
// the exit code is 0.
func TestPlayStopsOnSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a child process")
	}
	pkg, err := packager.Build(packager.Title{ID: "t1", Duration: 120 * time.Second, SegmentDuration: 2 * time.Second,
		LadderKbps: []int{300}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		sig  syscall.Signal
		path string
	}{
		{"SIGTERM while playing", syscall.SIGTERM, "/t1/" + packager.MasterPlaylist},
		{"SIGINT while playing", syscall.SIGINT, "/t1/" + packager.MasterPlaylist},
		{"SIGTERM during an endless manifest", syscall.SIGTERM, "/slow.m3u8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			started := make(chan struct{})
			var once sync.Once
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/slow.m3u8" {
					_, _ = io.WriteString(w, "#EXTM3U\n")
					w.(http.Flusher).Flush()
					once.Do(func() { close(started) })
					<-r.Context().Done() // never ends while the client reads
					return
				}
				data, err := pkg.Open(strings.TrimPrefix(r.URL.Path, "/t1/"))
				if err != nil {
					http.NotFound(w, r)
					return
				}
				if strings.HasSuffix(r.URL.Path, ".m4s") {
					once.Do(func() { close(started) })
				}
				_, _ = w.Write(data)
			}))
			defer ts.Close()
			child := exec.Command(os.Args[0], "-test.run=^TestPlayHelperProcess$")
			child.Env = append(os.Environ(), "ABRKIT_PLAY_HELPER=1", "ABRKIT_PLAY_URL="+ts.URL+tc.path)
			var out bytes.Buffer
			child.Stdout = &out
			if err := child.Start(); err != nil {
				t.Fatal(err)
			}
			defer child.Process.Kill()
			<-started
			sent := time.Now()
			if err := child.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- child.Wait() }()
			select {
			case err := <-done:
				if err != nil || !strings.Contains(out.String(), "interrupted") {
					t.Errorf("after %v: exit %v, output %q; want 0 and interrupted", tc.sig, err, out.String())
				}
				if d := time.Since(sent); d > 5*time.Second {
					t.Errorf("stopped %v after the signal; want promptly", d)
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("still running 20s after %v", tc.sig)
			}
		})
	}
}
