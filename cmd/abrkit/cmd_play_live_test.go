package main

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/abrkit/abrkit/internal/lltest"
	"github.com/abrkit/abrkit/simulator/backend"
	"github.com/abrkit/abrkit/simulator/backend/packager"
	"github.com/abrkit/abrkit/simulator/backend/topology"
)

// countingFiles serves dir (a plain file server) and counts the requests
// per path; /time answers the current time (a UTCTiming source).
type countingFiles struct {
	mu    sync.Mutex
	count map[string]int
	files http.Handler
}

func (c *countingFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/time" {
		_, _ = w.Write([]byte(time.Now().UTC().Format("2006-01-02T15:04:05.000Z")))
		return
	}
	c.mu.Lock()
	c.count[r.URL.Path]++
	c.mu.Unlock()
	c.files.ServeHTTP(w, r)
}

// inits returns the request count of every init segment path.
func (c *countingFiles) inits() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for p, n := range c.count {
		if strings.Contains(p, "init") {
			out[p] = n
		}
	}
	return out
}

// counts returns a copy of the request count per path.
func (c *countingFiles) counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.count)
}

// lockedBuffer is a bytes.Buffer that another process's output may be
// copied into while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serveDir starts a file server for dir on 127.0.0.1 with deadlines.
func serveDir(t *testing.T, dir string) (*httptest.Server, *countingFiles) {
	t.Helper()
	h := &countingFiles{count: map[string]int{}, files: http.FileServer(http.Dir(dir))}
	ts := httptest.NewUnstartedServer(h)
	ts.Config.ReadTimeout, ts.Config.WriteTimeout = 10*time.Second, 30*time.Second
	ts.Start()
	t.Cleanup(ts.Close)
	return ts, h
}

// ffmpegLive is an ffmpeg command line making a live stream in real time:
// two video rungs (640x360 800k, 320x180 300k) and AAC audio, 2 s
// segments, for secs seconds.
func ffmpegLive(secs string, output ...string) []string {
	in := []string{"-hide_banner", "-loglevel", "error", "-nostdin", "-re",
		"-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", secs,
		"-map", "0:v", "-map", "0:v", "-map", "1:a",
		"-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "50", "-keyint_min", "50", "-sc_threshold", "0",
		"-b:v:0", "800k", "-s:v:0", "640x360", "-b:v:1", "300k", "-s:v:1", "320x180", "-c:a", "aac", "-b:a", "64k"}
	return append(in, output...)
}

// waitFiles waits until n files whose names contain part exist under dir
// (ffmpeg is another process: nothing to wait on but its output).
func waitFiles(ctx context.Context, dir, part string, n int) error {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		found := 0
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.Contains(d.Name(), part) {
				found++
			}
			return nil
		})
		if found >= n {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// TestPlayFFmpegLive plays live streams that ffmpeg makes in real time
// (HLS fMP4, HLS MPEG-TS, DASH with SegmentTimeline, DASH with $Number$)
// from a plain file server through `abrkit play --duration 30s`.
func TestPlayFFmpegLive(t *testing.T) {
	if testing.Short() {
		t.Skip("plays four 30 s live streams in real time; skipped with -short")
	}
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("ffmpeg not found: this test plays live streams that ffmpeg makes")
	}
	const secs = "50" // ffmpeg runs longer than the 30 s played plus its start
	hls := func(kind, ext string) func(string) []string {
		return func(string) []string {
			return []string{"-f", "hls", "-hls_time", "2", "-hls_list_size", "6",
				"-hls_flags", "delete_segments+independent_segments+program_date_time", "-hls_segment_type", kind,
				"-master_pl_name", "master.m3u8", "-var_stream_map", "v:0,agroup:aud v:1,agroup:aud a:0,agroup:aud",
				"-hls_segment_filename", "s%v/seg_%d." + ext, "s%v/index.m3u8"}
		}
	}
	dash := func(timeline string) func(string) []string {
		return func(timeURL string) []string {
			return []string{"-f", "dash", "-seg_duration", "2", "-window_size", "6", "-extra_window_size", "2",
				"-streaming", "1", "-use_timeline", timeline, "-use_template", "1", "-utc_timing_url", timeURL,
				"-adaptation_sets", "id=0,streams=v id=1,streams=a", "live.mpd"}
		}
	}
	cases := []struct {
		name, manifest, segPart string
		out                     func(timeURL string) []string
	}{
		{"hls-fmp4", "master.m3u8", "seg_", hls("fmp4", "m4s")},
		{"hls-ts", "master.m3u8", "seg_", hls("mpegts", "ts")},
		{"dash-timeline", "live.mpd", "chunk-", dash("1")},
		{"dash-number", "live.mpd", "chunk-", dash("0")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			ts, files := serveDir(t, dir)
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			var ffErr lockedBuffer // ffmpeg writes it while the test reads it
			cmd := exec.CommandContext(ctx, ffmpeg, ffmpegLive(secs, tc.out(ts.URL+"/time")...)...)
			cmd.Dir, cmd.Stderr = dir, &ffErr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
			}()
			// two segments of each of the three streams before playing
			if err := waitFiles(ctx, dir, tc.segPart, 6); err != nil {
				t.Fatalf("ffmpeg made no segments: %v\n%s", err, ffErr.String())
			}
			if err := waitFiles(ctx, dir, tc.manifest, 1); err != nil {
				t.Fatalf("ffmpeg made no manifest: %v\n%s", err, ffErr.String())
			}
			var out, errOut bytes.Buffer
			code := run([]string{"play", ts.URL + "/" + tc.manifest, "--duration", "30s", "--format", "json", "--quiet"}, &out, &errOut)
			if code != 0 {
				mpd, _ := os.ReadFile(filepath.Join(dir, tc.manifest))
				t.Fatalf("abrkit play exit %d\nstdout: %s\nstderr: %s\nffmpeg: %s\nrequests: %v\n%s now:\n%s",
					code, out.String(), errOut.String(), ffErr.String(), files.counts(), tc.manifest, mpd)
			}
			var rep playReport
			if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
				t.Fatalf("json: %v\n%s", err, out.String())
			}
			q := rep.QoE
			t.Logf("%s: startup %.2fs played %.1fs stalls %d (%.2fs) latency mean %.2fs p95 %.1fs avg bitrate %.0f switches %d",
				tc.name, q.StartupSeconds, q.PlaySeconds, q.Stalls, q.StallSeconds, q.LiveLatencySeconds, q.LiveLatencyP95Seconds, q.AvgBitrate, q.Switches)
			if !q.Started || q.Stalls > 1 || q.PlaySeconds < 25 || rep.Stopped != "duration" || !rep.Live {
				t.Errorf("started %v stalls %d stopped %q live %v; want a live session that plays 25 s or more of the 30 s run with at most one stall\n%s",
					q.Started, q.Stalls, rep.Stopped, rep.Live, out.String())
			}
			if q.LiveLatencySeconds <= 0 || q.LiveLatencySeconds > 20 {
				t.Errorf("live latency %vs; want measured and under 20s", q.LiveLatencySeconds)
			}
			inits := files.inits()
			if len(inits) == 0 && tc.name != "hls-ts" {
				t.Errorf("no init segment fetched")
			}
			for p, n := range inits {
				if n != 1 {
					t.Errorf("%s fetched %d times; want once", p, n)
				}
			}
		})
	}
}

func TestPlayNeverStarts(t *testing.T) {
	// a live DASH stream whose availability starts in 2100: no segment
	// is ever available
	const mpd = `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="dynamic" availabilityStartTime="2100-01-01T00:00:00Z" minimumUpdatePeriod="PT2S" profiles="urn:mpeg:dash:profile:isoff-live:2011">
<Period id="0" start="PT0S"><AdaptationSet contentType="video" mimeType="video/mp4">
<SegmentTemplate timescale="1000" duration="2000" media="v$Number$.m4s" initialization="init.mp4" startNumber="1"/>
<Representation id="v0" bandwidth="500000" codecs="avc1.64001f"/></AdaptationSet></Period></MPD>`
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(mpd))
	}))
	defer ts.Close()
	tests := []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"default time-out", []string{"--speed", "40"}, 1, "playback did not start within 20s (no segment available)"},
		{"flag", []string{"--speed", "40", "--startup-timeout", "5s", "--format", "json"}, 1, "within 5s"},
		{"negative", []string{"--startup-timeout", "-1s"}, 2, "--startup-timeout"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(append([]string{"play", ts.URL + "/live.mpd", "--quiet"}, tc.args...), &out, &errOut)
			if code != tc.code || !strings.Contains(errOut.String(), tc.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, errOut.String(), tc.code, tc.want)
			}
			if code != 1 {
				return
			}
			if !strings.Contains(out.String(), "failed") {
				t.Errorf("stdout %q does not say the session failed", out.String())
			}
		})
	}
}

// TestPlayLowLatencyHLS measures the live latency of `abrkit play` on a
// clock-driven LL-HLS channel (2 s segments, 0.5 s parts) in real time.
func TestPlayLowLatencyHLS(t *testing.T) {
	if testing.Short() {
		t.Skip("plays 12 s of live LL-HLS in real time; skipped with -short")
	}
	ch := &lltest.Channel{Start: time.Now().Add(-time.Minute), Seg: 2 * time.Second, Part: 500 * time.Millisecond,
		Window: 6, Bitrates: []int{500_000, 1_500_000}, SkipUntil: 12 * time.Second}
	ts := httptest.NewUnstartedServer(ch)
	ts.Config.ReadTimeout, ts.Config.WriteTimeout = 10*time.Second, 30*time.Second
	ts.Start()
	t.Cleanup(ts.Close) // after the parallel subtests, not when this function returns
	tests := []struct {
		name    string
		args    []string
		maxMean float64
	}{
		{"low latency", nil, 3},
		{"target latency", []string{"--target-latency", "1s"}, 3},
		{"regular HLS", []string{"--no-low-latency"}, 9},
	}
	t.Cleanup(func() {
		if ch.Count("blocked") == 0 || ch.Count("skip") == 0 || ch.Count("part") == 0 {
			t.Errorf("server saw %d blocking reloads, %d delta updates, %d part requests; want all three",
				ch.Count("blocked"), ch.Count("skip"), ch.Count("part"))
		}
	})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out, errOut bytes.Buffer
			args := append([]string{"play", ts.URL + "/master.m3u8", "--duration", "12s", "--format", "json", "--quiet"}, tc.args...)
			if code := run(args, &out, &errOut); code != 0 {
				t.Fatalf("exit %d\n%s\n%s", code, out.String(), errOut.String())
			}
			var rep playReport
			if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
				t.Fatal(err)
			}
			q := rep.QoE
			t.Logf("%s: latency mean %.2fs p95 %.1fs, startup %.2fs, stalls %d, played %.1fs", tc.name,
				q.LiveLatencySeconds, q.LiveLatencyP95Seconds, q.StartupSeconds, q.Stalls, q.PlaySeconds)
			if !rep.Live || !q.Started || q.Stalls > 1 || q.LiveLatencySeconds <= 0 || q.LiveLatencySeconds > tc.maxMean {
				t.Errorf("live %v started %v stalls %d latency %vs; want live, started, <= 1 stall, latency <= %vs\n%s",
					rep.Live, q.Started, q.Stalls, q.LiveLatencySeconds, tc.maxMean, out.String())
			}
		})
	}
}

// TestPlayLowLatencyDASH plays the reference backend's live channel as
// LL-DASH (availabilityTimeOffset) and as plain DASH, side by side, in
// real time: the LL form must play closer to the live edge.
func TestPlayLowLatencyDASH(t *testing.T) {
	if testing.Short() {
		t.Skip("plays 10 s of live DASH twice in real time; skipped with -short")
	}
	topo := topology.Default()
	ctx := context.Background()
	b, err := backend.Start(ctx, backend.Options{Topology: topo})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close(ctx)
	gs, err := openGateway(ctx, b.GatewayURL(), topology.DefaultChannelID, "viewer", "viewer", true)
	if err != nil {
		t.Fatal(err)
	}
	plain := gs.Manifest
	ll := strings.Replace(plain, packager.DASHManifest, packager.LLDASHManifest, 1)
	latency := map[string]float64{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for name, u := range map[string]string{"ll-dash": ll, "dash": plain} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out, errOut bytes.Buffer
			if code := run([]string{"play", u, "--duration", "10s", "--format", "json", "--quiet"}, &out, &errOut); code != 0 {
				t.Errorf("%s: exit %d\n%s\n%s", name, code, out.String(), errOut.String())
				return
			}
			var rep playReport
			if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
				t.Error(err)
				return
			}
			q := rep.QoE
			t.Logf("%s: latency mean %.2fs p95 %.1fs, stalls %d, bitrate %.0f", name, q.LiveLatencySeconds, q.LiveLatencyP95Seconds, q.Stalls, q.AvgBitrate)
			if !q.Started || q.Stalls > 1 || q.LiveLatencySeconds <= 0 {
				t.Errorf("%s: started %v stalls %d latency %v", name, q.Started, q.Stalls, q.LiveLatencySeconds)
			}
			mu.Lock()
			latency[name] = q.LiveLatencySeconds
			mu.Unlock()
		}()
	}
	wg.Wait()
	if l := latency["ll-dash"]; l > 2.5 || l >= latency["dash"]-1 {
		t.Errorf("LL-DASH latency %.2fs, DASH %.2fs; want LL-DASH at most 2.5s (chunks read as they arrive) and a second or more closer", l, latency["dash"])
	}
}

// TestPlayChannelFromContent plays a live channel that the reference
// backend makes from ffmpeg-made content (`make content`, looped with
// running timestamps) as LL-HLS and as DASH, in real time.
func TestPlayChannelFromContent(t *testing.T) {
	if testing.Short() {
		t.Skip("plays 10 s of live twice in real time; skipped with -short")
	}
	content, err := filepath.Abs("../../testdata/content")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(content, "dash", "manifest.mpd")); err != nil {
		t.Skipf("skipping: no content in %s (run 'make content'; needs ffmpeg)", content)
	}
	topo := topology.Default()
	topo.Channels = append(topo.Channels, topology.Channel{ID: "feed", Source: content})
	ctx := context.Background()
	b, err := backend.Start(ctx, backend.Options{Topology: topo})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close(ctx) }) // after the parallel subtests
	for _, dash := range []bool{false, true} {
		gs, err := openGateway(ctx, b.GatewayURL(), "feed", "viewer", "viewer", dash)
		if err != nil {
			t.Fatal(err)
		}
		maxLatency, name := 3.0, "ll-hls" // 400 ms parts
		if dash {
			maxLatency, name = 16, "dash" // suggestedPresentationDelay (three 4 s segments) and up to one more
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rep := playJSON(t, "play", gs.Manifest, "--duration", "10s", "--format", "json", "--quiet")
			q := rep.QoE
			t.Logf("latency mean %.2fs, stalls %d, bitrate %.0f, played %.1fs", q.LiveLatencySeconds, q.Stalls, q.AvgBitrate, q.PlaySeconds)
			if !rep.Live || !q.Started || q.Stalls > 1 || q.LiveLatencySeconds <= 0 || q.LiveLatencySeconds > maxLatency {
				t.Errorf("live %v started %v stalls %d latency %.2fs; want live, started, <= 1 stall, latency <= %vs",
					rep.Live, q.Started, q.Stalls, q.LiveLatencySeconds, maxLatency)
			}
		})
	}
}
