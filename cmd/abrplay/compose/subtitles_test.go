package compose

import (
	"image"
	"testing"
	"time"
)

// Subtitles are drawn centred low in the video, above the panel when it
// is shown; none without cues.
func TestComposeSubtitles(t *testing.T) {
	for _, overlay := range []bool{false, true} {
		dst := image.NewRGBA(image.Rect(0, 0, 640, 360))
		s := sampleSnapshot()
		l := Compose(dst, testFrame(320, 180), s, overlay)
		if n := countColor(dst, l.Screen, SubtitleColor); n != 0 {
			t.Fatalf("overlay %v: %d subtitle pixels without cues", overlay, n)
		}
		s.Subtitles = []string{"Hello world", "Second\nline"}
		l = Compose(dst, testFrame(320, 180), s, overlay)
		area := image.Rect(l.Video.Min.X, l.Video.Max.Y-80, l.Video.Max.X, l.Video.Max.Y)
		if overlay {
			area = image.Rect(l.Video.Min.X, l.Panel.Min.Y-70, l.Video.Max.X, l.Panel.Min.Y)
		}
		if n := countColor(dst, area, SubtitleColor); n < 50 {
			t.Errorf("overlay %v: %d subtitle pixels where the cues go", overlay, n)
		}
		if n := countColor(dst, l.Screen, SubtitleColor) - countColor(dst, area, SubtitleColor); n != 0 {
			t.Errorf("overlay %v: %d subtitle pixels elsewhere", overlay, n)
		}
	}
}

// The seek-bar thumbnail sits above the bar at its time and stays on
// screen at the ends, whatever its size.
func TestComposeThumb(t *testing.T) {
	for _, tc := range []struct {
		at   time.Duration
		size image.Point
	}{{30 * time.Second, image.Pt(64, 36)}, {0, image.Pt(400, 300)}, {60 * time.Second, image.Pt(90, 600)}} {
		dst := image.NewRGBA(image.Rect(0, 0, 640, 360))
		s := sampleSnapshot()
		s.Duration = 60 * time.Second
		img := image.NewRGBA(image.Rectangle{Max: tc.size})
		for i := range img.Pix {
			img.Pix[i] = 255 // white: a colour the rest of the frame lacks
		}
		s.Thumb = Thumb{At: tc.at, Image: img}
		l := Compose(dst, nil, s, false)
		white := 0
		minX, maxX := 1<<30, -1
		for y := 0; y < l.SeekBar.Min.Y; y++ {
			for x := 0; x < 640; x++ {
				if i := dst.PixOffset(x, y); dst.Pix[i] == 255 && dst.Pix[i+1] == 255 && dst.Pix[i+2] == 255 {
					white++
					minX, maxX = min(minX, x), max(maxX, x)
				}
			}
		}
		if white < 100 {
			t.Fatalf("at %v size %v: thumbnail not drawn (%d pixels)", tc.at, tc.size, white)
		}
		want := l.SeekBar.Min.X + int(float64(tc.at)/float64(s.Duration)*float64(l.SeekBar.Dx()))
		if want < minX-2 && minX > 2 || want > maxX+2 && maxX < 637 {
			t.Errorf("at %v: thumbnail spans x %d-%d; want it over %d", tc.at, minX, maxX, want)
		}
	}
}
