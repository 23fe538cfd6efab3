package backend

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/simulator/backend/topology"
)

var browserSeconds = flag.Int("browser-seconds", 20, "how long the browser tests play")

// browserResult is what testdata/browser/play.mjs prints.
type browserResult struct {
	Samples []struct {
		Time    float64  `json:"time"`
		Latency *float64 `json:"latency"`
		Paused  bool     `json:"paused"`
	} `json:"samples"`
	Errors  []string `json:"errors"`
	Console []string `json:"console"`
	// Log is the player's last non-fatal errors (stalls and the like).
	Log []string `json:"log"`
}

// browserEnv finds Chromium, node and the npm packages, or skips.
func browserEnv(t *testing.T) (root, node string) {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests play for real time; skipped with -short")
	}
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("browser test needs Chromium at %s (apt-get install chromium): %v", chromium, err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("browser test needs node on PATH")
	}
	root, _ = filepath.Abs(filepath.Join("..", ".."))
	for _, p := range []string{"hls.js/dist/hls.min.js", "dashjs/dist/modern/umd/dash.all.min.js", "playwright-core/package.json"} {
		if _, err := os.Stat(filepath.Join(root, "node_modules", p)); err != nil {
			t.Skipf("browser test needs node_modules/%s (run npm ci at the repository root)", p)
		}
	}
	return root, node
}

// playInBrowser serves the player page from its own origin, plays src
// in Chromium for the configured time and returns the samples.
func playInBrowser(t *testing.T, root, node, player, src string) browserResult {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /lib/hls.min.js", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join(root, "node_modules/hls.js/dist/hls.min.js"))
	})
	mux.HandleFunc("GET /lib/dash.all.min.js", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join(root, "node_modules/dashjs/dist/modern/umd/dash.all.min.js"))
	})
	mux.HandleFunc("GET /player.html", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join(root, "testdata/browser/player.html"))
	})
	page := httptest.NewServer(mux) // 127.0.0.1, another origin than the edges
	defer page.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(*browserSeconds+60)*time.Second)
	defer cancel()
	u := page.URL + "/player.html?" + url.Values{"player": {player}, "src": {src}}.Encode()
	cmd := exec.CommandContext(ctx, node, filepath.Join(root, "testdata/browser/play.mjs"), u, strconv.Itoa(*browserSeconds), t.TempDir())
	cmd.Dir = root
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s in Chromium: %v", player, err)
	}
	var res browserResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("driver output %q: %v", out, err)
	}
	return res
}

// TestBrowserPlaysLiveChannel plays the backend's LL-HLS channel in hls.js
// (low-latency mode) and its LL-DASH manifest in dash.js, in headless
// Chromium, and checks that playback advances and reports live latency.
func TestBrowserPlaysLiveChannel(t *testing.T) {
	root, node := browserEnv(t)
	topo := smallTopology(t, func(topo *topology.Topology) {
		topo.Channels = []topology.Channel{topology.DefaultChannel()}
	})
	b, err := Start(context.Background(), Options{Topology: topo, Clock: clock.Real{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = b.Close(ctx)
	})
	cl := &Client{Gateway: b.GatewayURL(), HTTP: &http.Client{Timeout: 10 * time.Second}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	urls, err := cl.PlayableURLs(ctx, "demo", "demo")
	if err != nil {
		t.Fatal(err)
	}
	var hlsURL, dashURL string
	for _, u := range urls {
		if u.Live {
			hlsURL, dashURL = u.HLS, u.LLDASH
		}
	}
	for _, tc := range []struct {
		player, src string
		maxLatency  float64
	}{
		{"hls", hlsURL, 4},
		{"dash", dashURL, 0}, // reported, not bounded
	} {
		t.Run(tc.player, func(t *testing.T) {
			res := playInBrowser(t, root, node, tc.player, tc.src)
			if len(res.Errors) > 0 {
				t.Errorf("%s errors: %v (console %v)", tc.player, res.Errors, res.Console)
			}
			n := len(res.Samples)
			if n < 5 {
				t.Fatalf("%s: %d samples", tc.player, n)
			}
			last := res.Samples[n-1]
			played := last.Time - res.Samples[n/4].Time
			want := 0.8 * float64(n-1-n/4)
			if played < want {
				t.Errorf("%s: played %.1fs of media in the last %d s of %d; want at least %.1fs (samples %s)", tc.player, played, n-1-n/4, n, want, res)
			}
			var sum float64
			var k int
			for _, s := range res.Samples[n/2:] {
				if s.Latency != nil && *s.Latency > 0 {
					sum += *s.Latency
					k++
				}
			}
			if k == 0 {
				t.Fatalf("%s reported no live latency (samples %s)", tc.player, res)
			}
			mean := sum / float64(k)
			t.Logf("%s in Chromium: played %.1fs in %d s; mean live latency over the second half %.2fs; player log %q", tc.player, played, n-1-n/4, mean, res.Log)
			if tc.maxLatency > 0 && mean > tc.maxLatency {
				t.Errorf("%s: mean live latency %.2fs; want at most %.1fs", tc.player, mean, tc.maxLatency)
			}
		})
	}
}

// String lists the samples as "time/latency".
func (r browserResult) String() string {
	var b strings.Builder
	for _, s := range r.Samples {
		l := math.NaN()
		if s.Latency != nil {
			l = *s.Latency
		}
		fmt.Fprintf(&b, "%.2f/%.2f ", s.Time, l)
	}
	return b.String()
}
