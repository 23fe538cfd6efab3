package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/internal/ffmpegtest"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/text"
)

// The demo's seek-bar pictures: a DASH tile cropped to its thumbnail, and
// an HLS keyframe decoded with ffmpeg, both from ffmpeg-made content.
func TestThumbViewPictures(t *testing.T) {
	ff := ffmpegtest.Need(t)
	dir := t.TempDir()
	ffmpegtest.DASHVideo(t, dir, "160x90", 6, 10)
	ffmpegtest.AddThumbnailTiles(t, dir, "160x90", 6, 64, 36, 3)
	ffmpegtest.IFrameHLS(t, dir)
	srv := httptest.NewUnstartedServer(http.FileServer(http.Dir(dir)))
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = 10*time.Second, 10*time.Second
	srv.Start()
	defer srv.Close()
	for _, tc := range []struct {
		manifest string
		w, h     int
	}{{"manifest.mpd", 64, 36}, {"master.m3u8", 160, 90}} {
		t.Run(tc.manifest, func(t *testing.T) {
			p, err := player.New(player.WithClock(clock.NewScaled(4)), player.WithoutAutoPlay())
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := p.Load(ctx, srv.URL+"/"+tc.manifest); err != nil {
				t.Fatal(err)
			}
			v := &thumbView{p: p, ffmpeg: ff}
			img, err := v.picture(ctx, 4500*time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			if img == nil || img.Bounds().Dx() != tc.w || img.Bounds().Dy() != tc.h {
				t.Fatalf("picture %v; want %dx%d", img, tc.w, tc.h)
			}
			// testsrc is colourful: a real picture is not one colour
			r0, g0, b0, _ := img.At(0, 0).RGBA()
			varied := false
			for y := 0; y < tc.h && !varied; y += 4 {
				for x := 0; x < tc.w; x += 4 {
					if r, g, b, _ := img.At(img.Bounds().Min.X+x, img.Bounds().Min.Y+y).RGBA(); r != r0 || g != g0 || b != b0 {
						varied = true
						break
					}
				}
			}
			if !varied {
				t.Error("the thumbnail is one colour")
			}
		})
	}
}

// The demo's TextOutput keeps the cues to draw, lines and all.
func TestSubtitlesOutput(t *testing.T) {
	s := &subtitles{}
	s.ShowCues(time.Second, []text.Cue{{Text: "a\nb"}, {Text: "c"}})
	if got := strings.Join(s.current(), "|"); got != "a\nb|c" {
		t.Errorf("current = %q", got)
	}
	s.ShowCues(2*time.Second, nil)
	if len(s.current()) != 0 {
		t.Error("cues not taken down")
	}
}
