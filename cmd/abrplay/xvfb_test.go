package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/cmd/abrplay/compose"
)

var update = flag.Bool("update", false, "rewrite the demo screenshot (docs/abrplay.png)")

const contentDir = "../../testdata/content" // made by `make content`

// TestDemoUnderXvfb starts the demo player in a real window under
// xvfb-run against the embedded backend serving ffmpeg-made content, takes
// two screenshots of the window with ImageMagick once the player reports
// decoded frames on screen (shown= in its status lines), and checks that
// the video is drawn, moves, and that the overlay shows the charts. On a
// loaded machine the player only gets slower: the test waits for frames,
// within bounds, instead of for wall time.
func TestDemoUnderXvfb(t *testing.T) {
	if os.Getenv("ABRPLAY_XVFB_CHILD") != "" {
		xvfbChild(t)
		return
	}
	for _, tool := range []string{"xvfb-run", "import", "ffmpeg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("skipping: %s not found (.ci/run installs xvfb, imagemagick and ffmpeg)", tool)
		}
	}
	content, err := filepath.Abs(contentDir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(content, "hls", "master.m3u8")); err != nil {
		t.Skipf("skipping: no content in %s (run 'make content')", content)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "abrplay")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// Re-run this test inside xvfb-run: the child has the display.
	cmd := exec.CommandContext(ctx, "xvfb-run", "-a", "-s", "-screen 0 1280x720x24",
		os.Args[0], "-test.run=^TestDemoUnderXvfb$", "-test.v")
	cmd.Env = append(os.Environ(), "ABRPLAY_XVFB_CHILD=1", "ABRPLAY_BIN="+bin,
		"ABRPLAY_CONTENT="+content, "ABRPLAY_SHOTS="+dir)
	out, err := cmd.CombinedOutput()
	t.Logf("child output:\n%s", out)
	if err != nil {
		t.Fatalf("child under xvfb-run: %v", err)
	}
	shot1, shot2 := readPNG(t, filepath.Join(dir, "shot1.png")), readPNG(t, filepath.Join(dir, "shot2.png"))
	defer func() {
		if t.Failed() {
			// Kept past the test's own folder, one folder per run.
			keep, err := os.MkdirTemp("", "abrplay-shots-")
			if err != nil {
				return
			}
			for _, f := range []string{"shot1.png", "shot2.png"} {
				if data, err := os.ReadFile(filepath.Join(dir, f)); err == nil {
					_ = os.WriteFile(filepath.Join(keep, f), data, 0o644)
				}
			}
			t.Logf("screenshots kept in %s", keep)
		}
	}()
	l := compose.LayoutFor(shot1.Bounds().Dx(), shot1.Bounds().Dy())
	video := image.Rect(l.Video.Min.X, l.Video.Min.Y, l.Video.Max.X, l.Panel.Min.Y)

	if n := distinctColors(shot1, video); n < 16 {
		t.Errorf("video area of the first screenshot has %d distinct colours; want a picture (>= 16)", n)
	}
	if f := changedFraction(shot1, shot2, video); f < 0.01 {
		t.Errorf("video area changed in %.2f%% of pixels between screenshots; want a moving picture (>= 1%%)", f*100)
	}
	for _, c := range []struct {
		name string
		col  color.RGBA
	}{{"throughput line", compose.ThroughColor}, {"bitrate line", compose.BitrateColor}, {"buffer line", compose.BufferColor}} {
		if n := countNear(shot2, l.Panel, c.col); n < 20 {
			t.Errorf("overlay has %d pixels of the %s colour; want the chart drawn (>= 20)", n, c.name)
		}
	}
	if *update {
		data, err := os.ReadFile(filepath.Join(dir, "shot2.png"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("../../docs/abrplay.png", data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// shotPlan says when to take the two screenshots: the first once playback
// is past 3 s with a decoded frame on screen, the second once playback has
// moved on 2 s and at least 4 more frames were shown, so that the picture
// has changed (a loaded machine shows late frames only twice a second).
type shotPlan struct {
	taken      int
	pos, shown float64 // at the first shot
}

// due reports whether the status line calls for the next screenshot.
func (p *shotPlan) due(line string) bool {
	pos, ok1 := field(line, "position")
	shown, ok2 := field(line, "shown")
	if !ok1 || !ok2 {
		return false
	}
	switch p.taken {
	case 0:
		if pos >= 3 && shown >= 2 {
			p.pos, p.shown = pos, shown
			return true
		}
	case 1:
		return pos >= p.pos+2 && shown >= p.shown+4
	}
	return false
}

// xvfbChild runs inside xvfb-run: it starts the player, follows its status
// lines and screenshots the window when shotPlan says so. The player quits
// by itself after --exit-after, which bounds the wait.
func xvfbChild(t *testing.T) {
	dir := os.Getenv("ABRPLAY_SHOTS")
	cmd := exec.Command(os.Getenv("ABRPLAY_BIN"), "--mute", "--serve", "--content", os.Getenv("ABRPLAY_CONTENT"),
		"--throttle", "2 Mbps", "--exit-after", "180s", "--size", "1280x720")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	files := []string{"shot1.png", "shot2.png"}
	var plan shotPlan
	var last string
	sc := bufio.NewScanner(stdout)
	for plan.taken < len(files) && sc.Scan() {
		last = sc.Text()
		fmt.Println(last)
		if !plan.due(last) {
			continue
		}
		shot := exec.Command("import", "-window", "abrplay", filepath.Join(dir, files[plan.taken]))
		if out, err := shot.CombinedOutput(); err != nil {
			t.Fatalf("import: %v: %s", err, out)
		}
		plan.taken++
	}
	if plan.taken < len(files) {
		t.Fatalf("player quit before %s was due; last status: %q", files[plan.taken], last)
	}
	_, _ = io.Copy(io.Discard, stdout)
}

// field reads key=value from a status line.
func field(line, key string) (float64, bool) {
	if !strings.HasPrefix(line, "status ") {
		return 0, false
	}
	for _, kv := range strings.Fields(line) {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			f, err := strconv.ParseFloat(v, 64)
			return f, err == nil
		}
	}
	return 0, false
}

func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

func rgba(c color.Color) color.RGBA {
	return color.RGBAModel.Convert(c).(color.RGBA)
}

func distinctColors(img image.Image, r image.Rectangle) int {
	seen := map[color.RGBA]bool{}
	for y := r.Min.Y; y < r.Max.Y; y += 2 {
		for x := r.Min.X; x < r.Max.X; x += 2 {
			seen[rgba(img.At(x, y))] = true
		}
	}
	return len(seen)
}

func changedFraction(a, b image.Image, r image.Rectangle) float64 {
	changed, total := 0, 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			total++
			if rgba(a.At(x, y)) != rgba(b.At(x, y)) {
				changed++
			}
		}
	}
	return float64(changed) / float64(total)
}

func countNear(img image.Image, r image.Rectangle, c color.RGBA) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			p := rgba(img.At(x, y))
			if near(p.R, c.R) && near(p.G, c.G) && near(p.B, c.B) {
				n++
			}
		}
	}
	return n
}

func near(a, b uint8) bool {
	d := int(a) - int(b)
	return d >= -6 && d <= 6
}
