package compose

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

func sampleSnapshot() Snapshot {
	s := Snapshot{
		Position: 42 * time.Second, Duration: 120 * time.Second, Buffer: 18 * time.Second,
		State: "playing", Ladder: []int{400_000, 1_200_000, 3_000_000}, Current: 1,
		Width: 854, Height: 480, Server: "edge-b", Servers: []string{"edge-a", "edge-b", "edge-c"},
		Stalls: []time.Duration{20 * time.Second}, ABR: "auto", Throttle: "2 Mbps",
	}
	for i := 0; i <= 42; i++ {
		at := time.Duration(i) * time.Second
		tp := 2_500_000.0
		if i > 15 && i < 25 {
			tp = 700_000
		}
		s.Throughput = append(s.Throughput, Point{at, tp})
		br := 1_200_000.0
		if i > 17 && i < 27 {
			br = 400_000
		}
		s.Bitrate = append(s.Bitrate, Point{at, br})
		s.BufferHist = append(s.BufferHist, Point{at, float64(i%20) + 1})
	}
	return s
}

func testFrame(w, h int) *image.RGBA {
	f := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			f.SetRGBA(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	return f
}

func countColor(img *image.RGBA, r image.Rectangle, c color.RGBA) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if img.RGBAAt(x, y) == c {
				n++
			}
		}
	}
	return n
}

func TestComposeDrawsVideoAndOverlay(t *testing.T) {
	dst := image.NewRGBA(image.Rect(0, 0, 640, 360))
	l := Compose(dst, testFrame(320, 180), sampleSnapshot(), true)

	// The top-left of the video area (above the panel) shows the frame, not the background.
	v := image.Rect(l.Video.Min.X+10, l.Video.Min.Y+10, l.Video.Max.X-10, l.Panel.Min.Y-2)
	if n := countColor(dst, v, Background); n > v.Dx()*v.Dy()/10 {
		t.Errorf("video area has %d background pixels of %d; want the frame drawn", n, v.Dx()*v.Dy())
	}
	for _, tc := range []struct {
		name string
		c    color.RGBA
		min  int
	}{
		{"throughput line", ThroughColor, 100},
		{"bitrate line", BitrateColor, 100},
		{"buffer line", BufferColor, 50},
		{"stall marker", StallColor, 40},
	} {
		if n := countColor(dst, l.Panel, tc.c); n < tc.min {
			t.Errorf("panel has %d pixels of the %s colour; want at least %d", n, tc.name, tc.min)
		}
	}
}

func TestComposeWithoutOverlayHasNoCharts(t *testing.T) {
	dst := image.NewRGBA(image.Rect(0, 0, 640, 360))
	l := Compose(dst, testFrame(320, 180), sampleSnapshot(), false)
	if n := countColor(dst, l.Panel, ThroughColor); n != 0 {
		t.Errorf("overlay off: %d throughput pixels in the panel; want 0", n)
	}
}

func TestComposeMessageWithoutVideo(t *testing.T) {
	dst := image.NewRGBA(image.Rect(0, 0, 640, 360))
	s := sampleSnapshot()
	s.Message = "ffmpeg not found: showing charts only"
	l := Compose(dst, nil, s, true)
	if n := countColor(dst, l.Video, TextColor); n < 50 {
		t.Errorf("message drawn with %d text pixels; want at least 50", n)
	}
}

func TestSeekTarget(t *testing.T) {
	l := LayoutFor(1000, 600)
	d := 100 * time.Second
	tests := []struct {
		x    int
		want time.Duration
	}{
		{l.SeekBar.Min.X, 0},
		{l.SeekBar.Min.X - 50, 0},
		{l.SeekBar.Max.X + 50, d},
		{l.SeekBar.Min.X + l.SeekBar.Dx()/2, d / 2},
	}
	for _, tt := range tests {
		if got := l.SeekTarget(tt.x, d); got != tt.want {
			t.Errorf("SeekTarget(%d, %v) = %v; want %v", tt.x, d, got, tt.want)
		}
	}
}

func TestComposeGolden(t *testing.T) {
	dst := image.NewRGBA(image.Rect(0, 0, 640, 360))
	Compose(dst, testFrame(320, 180), sampleSnapshot(), true)
	var buf bytes.Buffer
	if err := png.Encode(&buf, dst); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", t.Name()+".png")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	wimg, err := png.Decode(bytes.NewReader(want))
	if err != nil {
		t.Fatal(err)
	}
	diff := 0
	b := dst.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if color.RGBAModel.Convert(wimg.At(x, y)) != dst.RGBAAt(x, y) {
				diff++
			}
		}
	}
	if diff > 0 {
		t.Errorf("Compose differs from %s in %d pixels (run with -update if intended)", golden, diff)
	}
}

func BenchmarkCompose720p(b *testing.B) {
	dst := image.NewRGBA(image.Rect(0, 0, 1280, 720))
	frame := testFrame(1280, 720)
	s := sampleSnapshot()
	b.ReportAllocs()
	for b.Loop() {
		Compose(dst, frame, s, true)
	}
}
