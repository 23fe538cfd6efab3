package download

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The crash test runs downloads in child processes (this test binary
// re-executed, so no toolchain is needed at test time) and kills them
// with SIGKILL at seeded random points: after a random number of
// committed segments, or in the middle of a segment's body. The last run
// completes, and every stored file must equal the origin's bytes.

const childEnv = "ABRKIT_DOWNLOAD_CHILD"

// TestChildDownload is the child's body; it does nothing in a normal run.
func TestChildDownload(t *testing.T) {
	if os.Getenv(childEnv) == "" {
		t.Skip("child process only")
	}
	url, dir := os.Getenv("CHILD_URL"), os.Getenv("CHILD_DIR")
	out := bufio.NewWriter(os.Stdout)
	var mu sync.Mutex
	m, err := New(Config{
		Dir: dir, MaxSegments: 4, MinFree: -1,
		Backoff: func(int) time.Duration { return 0 },
		OnEvent: func(e Event) {
			if e.Kind == EventProgress {
				mu.Lock()
				fmt.Fprintf(out, "done %d\n", e.Download.Progress.SegmentsDone)
				out.Flush()
				mu.Unlock()
			}
		},
	})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	m.Start()
	id, err := m.Add(Request{URL: url, ID: "title"})
	if err != nil && !strings.Contains(err.Error(), "exists") {
		fmt.Println("error", err)
		os.Exit(3)
	}
	_ = m.Resume(id)
	d, err := m.Await(context.Background(), id)
	if err != nil || d.State != StateCompleted {
		fmt.Println("error", d.State, d.Err, err)
		os.Exit(4)
	}
	m.Close()
	fmt.Println("completed")
	os.Exit(0)
}

func TestKill9AtRandomPointsThenResume(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	pkg := testTitle(t, 60*time.Second) // 30 video + 30 audio segments + 2 inits
	o := newOrigin(t, pkg)
	dir := t.TempDir()
	rng := rand.New(rand.NewSource(20261123))

	type stall struct {
		after int     // media requests to let through first
		frac  float64 // of the body written before stalling
		hit   chan struct{}
	}
	var (
		smu     sync.Mutex
		cur     *stall
		seen    int
		release = make(chan struct{})
	)
	defer close(release)
	o.setHook(func(w http.ResponseWriter, r *http.Request, file string, data []byte) bool {
		if !strings.HasSuffix(file, ".m4s") {
			return false
		}
		smu.Lock()
		s := cur
		hit := false
		if s != nil {
			seen++
			if seen > s.after {
				hit, cur = true, nil
			}
		}
		smu.Unlock()
		if !hit {
			return false
		}
		// Answer ranges as ServeContent would, then stall mid-body.
		start := 0
		if rg := r.Header.Get("Range"); rg != "" {
			fmt.Sscanf(rg, "bytes=%d-", &start)
		}
		body := data[start:]
		n := int(float64(len(body)) * s.frac)
		if start > 0 {
			w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, len(data)-1, len(data)))
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(http.StatusPartialContent)
		} else {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(http.StatusOK)
		}
		w.Write(body[:n])
		w.(http.Flusher).Flush()
		close(s.hit)
		<-release
		panic(http.ErrAbortHandler)
	})

	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	run := func(kill func(lines <-chan int, exited <-chan struct{}) bool) (killed bool, out string) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, exe, "-test.run=^TestChildDownload$", "-test.count=1")
		cmd.Env = append(os.Environ(), childEnv+"=1", "CHILD_URL="+o.url("master.m3u8"), "CHILD_DIR="+dir)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var errBuf strings.Builder
		cmd.Stderr = &errBuf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan int, 1024)
		exited := make(chan struct{})
		var all strings.Builder
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				all.WriteString(sc.Text() + "\n")
				var n int
				if _, err := fmt.Sscanf(sc.Text(), "done %d", &n); err == nil {
					lines <- n
				}
			}
			close(exited)
		}()
		if kill != nil && kill(lines, exited) {
			cmd.Process.Kill() // SIGKILL
			killed = true
		}
		<-exited
		_ = cmd.Wait()
		return killed, all.String() + errBuf.String()
	}

	kills := 0
	for i := 0; i < 20; i++ {
		midSegment := i%2 == 1
		var s *stall
		if midSegment {
			s = &stall{after: rng.Intn(4), frac: 0.1 + 0.8*rng.Float64(), hit: make(chan struct{})}
			smu.Lock()
			cur, seen = s, 0
			smu.Unlock()
		}
		k := 1 + rng.Intn(2)
		killed, out := run(func(lines <-chan int, exited <-chan struct{}) bool {
			if midSegment {
				select {
				case <-s.hit:
					return true
				case <-exited:
					return false
				}
			}
			first := -1
			for {
				select {
				case n := <-lines:
					if first < 0 {
						first = n
					}
					if n >= first+k {
						return true
					}
				case <-exited:
					return false
				}
			}
		})
		smu.Lock()
		cur = nil
		smu.Unlock()
		if killed {
			kills++
			continue
		}
		if !strings.Contains(out, "completed") {
			t.Fatalf("run %d ended without completing or being killed:\n%s", i, out)
		}
		break
	}
	if kills < 15 {
		t.Fatalf("only %d of 20 runs were killed; want the title to outlast them", kills)
	}
	if _, out := run(nil); !strings.Contains(out, "completed") {
		t.Fatalf("final run did not complete:\n%s", out)
	}

	m, err := New(Config{Dir: dir, Passive: true})
	if err != nil {
		t.Fatal(err)
	}
	m.Start()
	defer m.Close()
	if n := checkIdentical(t, m, "title", pkg); n != 62 {
		t.Errorf("identical files = %d; want 62", n)
	}
	rep, err := m.Verify(context.Background(), "title", false)
	if err != nil || !rep.OK {
		t.Fatalf("Verify = %+v, %v", rep, err)
	}
	var parts []string
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(p, partSuffix) {
			parts = append(parts, p)
		}
		return nil
	})
	if len(parts) != 0 {
		t.Errorf("part files left: %v", parts)
	}
	t.Logf("%d kills, %d requests (%d ranged)", kills, o.reqs.Load(), o.ranged.Load())
	_ = io.Discard
}
