package main

import (
	"context"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/abrkit/abrkit/cmd/abrplay/compose"
	"github.com/abrkit/abrkit/internal/ffmpegtest"
)

// TestDemoDrawsSubtitlesUnderXvfb runs the demo player in a virtual
// display on ffmpeg-made HLS with an English WebVTT track and
// --text-lang en, and finds the cue drawn in its last frame.
func TestDemoDrawsSubtitlesUnderXvfb(t *testing.T) {
	for _, tool := range []string{"xvfb-run", "ffmpeg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("skipping: %s not found", tool)
		}
	}
	dir := t.TempDir()
	vtt := "WEBVTT\n\n00:00:00.000 --> 00:00:30.000\nSubtitles are drawn\n"
	if err := os.WriteFile(filepath.Join(dir, "in.vtt"), []byte(vtt), 0o644); err != nil {
		t.Fatal(err)
	}
	ffmpegtest.Run(t, dir, "-f", "lavfi", "-i", "testsrc=size=320x180:rate=10", "-f", "lavfi", "-i", "sine", "-i", "in.vtt",
		"-t", "20", "-map", "0:v", "-map", "1:a", "-map", "2:s",
		"-c:v", "libx264", "-preset", "ultrafast", "-g", "20", "-c:a", "aac", "-c:s", "webvtt",
		"-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod", "-master_pl_name", "master.m3u8",
		"-var_stream_map", "v:0,a:0,s:0,sgroup:subs,language:en", "out_%v.m3u8")
	srv := httptest.NewUnstartedServer(http.FileServer(http.Dir(dir)))
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = 10*time.Second, 10*time.Second
	srv.Start()
	defer srv.Close()

	bin := filepath.Join(dir, "abrplay")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	shot := filepath.Join(dir, "shot.png")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "xvfb-run", "-a", "-s", "-screen 0 640x360x24", bin,
		"--size", "640x360", "--mute", "--overlay=false", "--text-lang", "en",
		"--exit-after", "4s", "--screenshot", shot, srv.URL+"/master.m3u8")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("abrplay: %v\n%s", err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	l := compose.LayoutFor(640, 360)
	n := countNear(img, l.Video, compose.SubtitleColor)
	if n < 50 {
		t.Errorf("%d pixels of the subtitle colour in the video area; want the cue drawn\n%s", n, out)
	}
}
