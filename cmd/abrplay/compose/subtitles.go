package compose

import (
	"image"
	"image/color"
	"image/draw"
	"strings"
	"time"
)

// SubtitleColor is the colour of subtitle text; the test checks it.
var SubtitleColor = color.RGBA{255, 255, 120, 255}

// maxSubtitleLines bounds the lines drawn (the rest are dropped).
const maxSubtitleLines = 4

// drawSubtitles draws the cue lines centred at the bottom of the video,
// above the chart panel when it is shown.
func drawSubtitles(dst *image.RGBA, l Layout, cues []string, overlay bool) {
	var lines []string
	for _, c := range cues {
		lines = append(lines, strings.Split(c, "\n")...)
	}
	if len(lines) == 0 {
		return
	}
	if len(lines) > maxSubtitleLines {
		lines = lines[len(lines)-maxSubtitleLines:]
	}
	const lineH = 16
	bottom := l.Video.Max.Y - 10
	if overlay {
		bottom = l.Panel.Min.Y - 6
	}
	y := bottom - lineH*(len(lines)-1)
	for _, ln := range lines {
		w := textWidth(ln)
		x := l.Video.Min.X + (l.Video.Dx()-w)/2
		blend(dst, image.Rect(x-6, y-13, x+w+6, y+4), PanelColor)
		text(dst, x, y, ln, SubtitleColor)
		y += lineH
	}
}

// Thumb is the picture shown above the seek bar while the user points at
// it or seeks.
type Thumb struct {
	At    time.Duration // the position it stands for
	Image image.Image   // already cropped; nil: none
}

// drawThumb draws t above the seek bar at its position, within 160x120
// px, with its time under it.
func drawThumb(dst *image.RGBA, l Layout, t Thumb, duration time.Duration) {
	if t.Image == nil || duration <= 0 {
		return
	}
	b := t.Image.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 {
		return
	}
	if w > 160 {
		h, w = max(1, h*160/w), 160
	}
	if h > 120 {
		w, h = max(1, w*120/h), 120
	}
	f := max(0, min(1, float64(t.At)/float64(duration)))
	x := l.SeekBar.Min.X + int(f*float64(l.SeekBar.Dx())) - w/2
	x = max(l.Screen.Min.X+2, min(x, l.Screen.Max.X-w-2))
	y := max(l.Screen.Min.Y+2, l.SeekBar.Min.Y-h-22)
	r := image.Rect(x, y, x+w, y+h).Intersect(l.Screen)
	fill(dst, r.Inset(-2), SeekColor)
	if w == b.Dx() {
		draw.Draw(dst, r, t.Image, b.Min, draw.Src)
	} else {
		drawVideo(dst, r, t.Image)
	}
	label := clock(t.At)
	text(dst, x+(w-textWidth(label))/2, r.Max.Y+14, label, TextColor)
}
