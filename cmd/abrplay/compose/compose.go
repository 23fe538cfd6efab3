package compose

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"time"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Point is one sample of a time series: a time on the player clock and a value.
type Point struct {
	At    time.Duration
	Value float64
}

// Snapshot is what the screen shows at one instant. The demo player fills it
// from player events and queries; Compose turns it into pixels.
type Snapshot struct {
	Position, Duration time.Duration
	Buffer             time.Duration
	Paused, Stalled    bool
	State              string

	Ladder  []int // bits per second, ascending
	Current int   // index into Ladder; -1 when unknown
	Width   int   // current rendition's resolution
	Height  int

	Server  string
	Servers []string // in ranking order; the current one is highlighted

	Throughput []Point // estimate, bits per second
	Bitrate    []Point // selected bitrate, bits per second
	BufferHist []Point // buffer level, seconds
	Stalls     []time.Duration

	DroppedFrames int
	ABR           string
	Throttle      string
	Message       string // shown over the video, e.g. "ffmpeg not found"
	Window        time.Duration

	Subtitles []string // the cues to show, each may have several lines
	Thumb     Thumb    // seek-bar thumbnail; zero: none
}

// Colours of the charts; the test checks pixels of these.
var (
	Background   = color.RGBA{16, 18, 24, 255}
	PanelColor   = color.RGBA{0, 0, 0, 190}
	TextColor    = color.RGBA{230, 230, 230, 255}
	ThroughColor = color.RGBA{70, 170, 255, 255}
	BitrateColor = color.RGBA{255, 190, 40, 255}
	BufferColor  = color.RGBA{90, 220, 120, 255}
	StallColor   = color.RGBA{240, 60, 60, 255}
	GridColor    = color.RGBA{80, 80, 90, 255}
	SeekColor    = color.RGBA{200, 200, 210, 255}
	HighColor    = color.RGBA{255, 190, 40, 255}
	DimColor     = color.RGBA{110, 110, 120, 255}
)

// DefaultWindow is how much history the charts show at most; minSpan is
// the shortest x axis.
const (
	DefaultWindow = 60 * time.Second
	minSpan       = 15 * time.Second
)

// Layout tells where Compose puts things for a screen of a given size, so
// that input handling (clicks on the seek bar) agrees with the drawing.
type Layout struct {
	Screen  image.Rectangle
	Video   image.Rectangle
	Status  image.Rectangle
	SeekBar image.Rectangle
	Panel   image.Rectangle // overlay with the charts
}

// LayoutFor returns the layout of a w x h screen.
func LayoutFor(w, h int) Layout {
	l := Layout{Screen: image.Rect(0, 0, w, h)}
	l.Status = image.Rect(0, 0, w, 20)
	l.SeekBar = image.Rect(10, h-18, w-10, h-8)
	l.Video = image.Rect(0, 20, w, h-24)
	ph := h * 2 / 5
	l.Panel = image.Rect(8, l.Video.Max.Y-ph-4, w-8, l.Video.Max.Y-4)
	return l
}

// SeekTarget maps a click at x on the seek bar to a position.
func (l Layout) SeekTarget(x int, duration time.Duration) time.Duration {
	bar := l.SeekBar
	if bar.Dx() <= 0 || duration <= 0 {
		return 0
	}
	f := float64(x-bar.Min.X) / float64(bar.Dx())
	f = max(0, min(1, f))
	return time.Duration(f * float64(duration))
}

// Compose draws video (may be nil), the status line, the seek bar and,
// when overlay is set, the chart panel into dst.
func Compose(dst *image.RGBA, video image.Image, s Snapshot, overlay bool) Layout {
	b := dst.Bounds()
	l := LayoutFor(b.Dx(), b.Dy())
	draw.Draw(dst, b, image.NewUniform(Background), image.Point{}, draw.Src)
	drawVideo(dst, l.Video, video)
	if s.Message != "" {
		tw := textWidth(s.Message)
		c := l.Video.Min.Add(image.Pt((l.Video.Dx()-tw)/2, l.Video.Dy()/3))
		fill(dst, image.Rect(c.X-8, c.Y-14, c.X+tw+8, c.Y+6), PanelColor)
		text(dst, c.X, c.Y, s.Message, TextColor)
	}
	text(dst, 6, 14, statusLine(s), TextColor)
	drawSeekBar(dst, l.SeekBar, s)
	if overlay {
		drawPanel(dst, l.Panel, s)
	}
	drawSubtitles(dst, l, s.Subtitles, overlay)
	drawThumb(dst, l, s.Thumb, s.Duration)
	return l
}

// statusLine is the one-line summary at the top.
func statusLine(s Snapshot) string {
	state := s.State
	switch {
	case s.Stalled:
		state = "STALLED"
	case s.Paused:
		state = "paused"
	}
	br := "-"
	if s.Current >= 0 && s.Current < len(s.Ladder) {
		br = kbps(float64(s.Ladder[s.Current]))
	}
	return fmt.Sprintf("%s / %s  %s  %s  %dx%d  buf %.1fs  dropped %d  abr %s  net %s  edge %s",
		clock(s.Position), clock(s.Duration), state, br, s.Width, s.Height,
		s.Buffer.Seconds(), s.DroppedFrames, s.ABR, orDash(s.Throttle), orDash(s.Server))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func clock(d time.Duration) string {
	d = d.Round(time.Second)
	return fmt.Sprintf("%d:%02d", int(d.Minutes()), int(d.Seconds())%60)
}

func kbps(bps float64) string {
	if bps >= 1e6 {
		return fmt.Sprintf("%.1f Mbps", bps/1e6)
	}
	return fmt.Sprintf("%.0f kbps", bps/1e3)
}

// drawVideo scales the frame into r keeping its aspect ratio (nearest neighbour:
// cheap enough for 60 fps on one core at 720p).
func drawVideo(dst *image.RGBA, r image.Rectangle, src image.Image) {
	if src == nil {
		return
	}
	sb := src.Bounds()
	if sb.Empty() || r.Empty() {
		return
	}
	scale := min(float64(r.Dx())/float64(sb.Dx()), float64(r.Dy())/float64(sb.Dy()))
	w, h := int(float64(sb.Dx())*scale), int(float64(sb.Dy())*scale)
	off := r.Min.Add(image.Pt((r.Dx()-w)/2, (r.Dy()-h)/2))
	srgba, fast := src.(*image.RGBA)
	for y := 0; y < h; y++ {
		sy := sb.Min.Y + y*sb.Dy()/h
		drow := dst.Pix[(off.Y+y-dst.Rect.Min.Y)*dst.Stride+(off.X-dst.Rect.Min.X)*4:]
		for x := 0; x < w; x++ {
			sx := sb.Min.X + x*sb.Dx()/w
			if fast {
				i := srgba.PixOffset(sx, sy)
				copy(drow[x*4:x*4+4], srgba.Pix[i:i+4])
				continue
			}
			c := color.RGBAModel.Convert(src.At(sx, sy)).(color.RGBA)
			drow[x*4], drow[x*4+1], drow[x*4+2], drow[x*4+3] = c.R, c.G, c.B, 255
		}
	}
}

func drawSeekBar(dst *image.RGBA, r image.Rectangle, s Snapshot) {
	fill(dst, r, GridColor)
	if s.Duration <= 0 {
		return
	}
	at := func(d time.Duration) int {
		f := max(0, min(1, float64(d)/float64(s.Duration)))
		return r.Min.X + int(f*float64(r.Dx()))
	}
	buffered := at(s.Position + s.Buffer)
	fill(dst, image.Rect(r.Min.X, r.Min.Y, buffered, r.Max.Y), DimColor)
	pos := at(s.Position)
	fill(dst, image.Rect(r.Min.X, r.Min.Y, pos, r.Max.Y), SeekColor)
	fill(dst, image.Rect(pos-2, r.Min.Y-3, pos+2, r.Max.Y+3), HighColor)
}

// drawPanel draws the overlay: throughput vs bitrate, buffer, ladder, servers.
func drawPanel(dst *image.RGBA, r image.Rectangle, s Snapshot) {
	blend(dst, r, PanelColor)
	win := s.Window
	if win <= 0 {
		win = DefaultWindow
	}
	// The x axis grows with the session up to the window, so the first
	// seconds already fill the chart.
	end := minSpan
	if n := len(s.Throughput); n > 0 {
		end = max(end, s.Throughput[n-1].At)
	}
	if n := len(s.Bitrate); n > 0 {
		end = max(end, s.Bitrate[n-1].At)
	}
	start := max(0, end-win)

	right := 230
	chartW := r.Dx() - right - 30
	top := image.Rect(r.Min.X+10, r.Min.Y+22, r.Min.X+10+chartW, r.Min.Y+r.Dy()*3/5)
	bottom := image.Rect(top.Min.X, top.Max.Y+22, top.Max.X, r.Max.Y-10)

	// Scale to the ladder: a loopback link measures hundreds of Mbps and
	// would flatten the bitrate line; higher estimates clip at the top.
	ymax := 1.0
	for _, p := range s.Bitrate {
		ymax = max(ymax, p.Value*1.1)
	}
	if n := len(s.Ladder); n > 0 {
		ymax = max(ymax, float64(s.Ladder[n-1])*1.6)
	} else {
		for _, p := range s.Throughput {
			ymax = max(ymax, p.Value*1.1)
		}
	}
	text(dst, top.Min.X, top.Min.Y-6, "throughput estimate", ThroughColor)
	text(dst, top.Min.X+150, top.Min.Y-6, "selected bitrate", BitrateColor)
	text(dst, top.Max.X-70, top.Min.Y-6, kbps(ymax), DimColor)
	chart(dst, top, start, end, ymax, s.Stalls, s.Throughput, ThroughColor)
	line(dst, top, start, end, ymax, s.Bitrate, BitrateColor, true)

	bmax := 10.0
	for _, p := range s.BufferHist {
		bmax = max(bmax, p.Value*1.1)
	}
	text(dst, bottom.Min.X, bottom.Min.Y-6, fmt.Sprintf("buffer (s, max %.0f)", bmax), BufferColor)
	text(dst, bottom.Min.X+170, bottom.Min.Y-6, "stalls", StallColor)
	chart(dst, bottom, start, end, bmax, s.Stalls, s.BufferHist, BufferColor)

	// Ladder: one bar per rendition, the current one highlighted.
	lx := r.Max.X - right
	text(dst, lx, r.Min.Y+16, "ladder", TextColor)
	for i := len(s.Ladder) - 1; i >= 0; i-- {
		row := len(s.Ladder) - 1 - i
		y := r.Min.Y + 24 + row*14
		if y+12 > r.Min.Y+r.Dy()/2+20 {
			break
		}
		c := DimColor
		if i == s.Current {
			c = HighColor
		}
		w := 10 + int(90*float64(s.Ladder[i])/float64(s.Ladder[len(s.Ladder)-1]))
		fill(dst, image.Rect(lx, y, lx+w, y+10), c)
		text(dst, lx+w+6, y+10, kbps(float64(s.Ladder[i])), c)
	}
	// Servers in ranking order, the current one highlighted.
	sy := r.Min.Y + r.Dy()/2 + 40
	text(dst, lx, sy, "edges (ranked)", TextColor)
	for i, name := range s.Servers {
		y := sy + 16 + i*14
		if y > r.Max.Y-4 {
			break
		}
		c := DimColor
		label := fmt.Sprintf("%d. %s", i+1, name)
		if name == s.Server {
			c = HighColor
			label += "  <"
		}
		text(dst, lx, y, label, c)
	}
}

// chart draws a frame, grid, stall markers and a filled-line series.
func chart(dst *image.RGBA, r image.Rectangle, start, end time.Duration, ymax float64, stalls []time.Duration, pts []Point, c color.RGBA) {
	frame(dst, r, GridColor)
	for i := 1; i < 4; i++ {
		y := r.Min.Y + i*r.Dy()/4
		for x := r.Min.X; x < r.Max.X; x += 4 {
			dst.SetRGBA(x, y, GridColor)
		}
	}
	for _, st := range stalls {
		if st < start || st > end {
			continue
		}
		x := r.Min.X + int(float64(st-start)/float64(end-start)*float64(r.Dx()-1))
		fill(dst, image.Rect(x-1, r.Min.Y, x+2, r.Max.Y), StallColor)
	}
	line(dst, r, start, end, ymax, pts, c, false)
}

// line plots pts in r; step draws a step function (for selected levels).
func line(dst *image.RGBA, r image.Rectangle, start, end time.Duration, ymax float64, pts []Point, c color.RGBA, step bool) {
	if len(pts) == 0 || end <= start || ymax <= 0 {
		return
	}
	xy := func(p Point) image.Point {
		x := r.Min.X + int(float64(p.At-start)/float64(end-start)*float64(r.Dx()-1))
		y := r.Max.Y - 1 - int(p.Value/ymax*float64(r.Dy()-1))
		return image.Pt(max(r.Min.X, min(r.Max.X-1, x)), max(r.Min.Y, min(r.Max.Y-1, y)))
	}
	prev := xy(pts[0])
	for _, p := range pts[1:] {
		if p.At < start {
			prev = xy(p)
			continue
		}
		q := xy(p)
		if step {
			segment(dst, prev, image.Pt(q.X, prev.Y), c)
			segment(dst, image.Pt(q.X, prev.Y), q, c)
		} else {
			segment(dst, prev, q, c)
		}
		prev = q
	}
	// Mark the newest sample.
	fill(dst, image.Rect(prev.X-1, prev.Y-1, prev.X+2, prev.Y+2), c)
}

// segment draws a 2-pixel-thick line (Bresenham).
func segment(dst *image.RGBA, a, b image.Point, c color.RGBA) {
	dx, dy := abs(b.X-a.X), -abs(b.Y-a.Y)
	sx, sy := sign(b.X-a.X), sign(b.Y-a.Y)
	err := dx + dy
	for {
		dst.SetRGBA(a.X, a.Y, c)
		dst.SetRGBA(a.X, a.Y+1, c)
		if a == b {
			return
		}
		e2 := 2 * err
		if e2 >= dy {
			err += dy
			a.X += sx
		}
		if e2 <= dx {
			err += dx
			a.Y += sy
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func sign(v int) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

func fill(dst *image.RGBA, r image.Rectangle, c color.RGBA) {
	draw.Draw(dst, r.Intersect(dst.Bounds()), image.NewUniform(c), image.Point{}, draw.Src)
}

func blend(dst *image.RGBA, r image.Rectangle, c color.RGBA) {
	draw.Draw(dst, r.Intersect(dst.Bounds()), image.NewUniform(c), image.Point{}, draw.Over)
}

func frame(dst *image.RGBA, r image.Rectangle, c color.RGBA) {
	fill(dst, image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+1), c)
	fill(dst, image.Rect(r.Min.X, r.Max.Y-1, r.Max.X, r.Max.Y), c)
	fill(dst, image.Rect(r.Min.X, r.Min.Y, r.Min.X+1, r.Max.Y), c)
	fill(dst, image.Rect(r.Max.X-1, r.Min.Y, r.Max.X, r.Max.Y), c)
}

var face font.Face = basicfont.Face7x13

func text(dst *image.RGBA, x, y int, s string, c color.RGBA) {
	d := font.Drawer{Dst: dst, Src: image.NewUniform(c), Face: face, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

func textWidth(s string) int {
	return font.MeasureString(face, s).Round()
}
