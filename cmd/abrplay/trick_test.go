package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/text"
)

// ffmpegIn runs ffmpeg in dir.
func ffmpegIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("ffmpeg", append([]string{"-hide_banner", "-loglevel", "error", "-y"}, args...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
	}
}

// The demo's seek-bar pictures: a DASH tile cropped to its thumbnail, and
// an HLS keyframe decoded with ffmpeg, both from ffmpeg-made content.
func TestThumbViewPictures(t *testing.T) {
	ff, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("skipping: ffmpeg not found")
	}
	dir := t.TempDir()
	src := []string{"-f", "lavfi", "-i", "testsrc=size=160x90:rate=10", "-t", "6", "-c:v", "libx264", "-preset", "ultrafast", "-g", "10"}
	ffmpegIn(t, dir, append(src, "-f", "dash", "-seg_duration", "2", "-use_template", "1", "-use_timeline", "0", "manifest.mpd")...)
	ffmpegIn(t, dir, "-f", "lavfi", "-i", "testsrc=size=160x90:rate=10", "-t", "6",
		"-vf", "fps=1,scale=64:36,tile=3x1", "-start_number", "1", "tile_%d.jpg")
	ffmpegIn(t, dir, append(src, "-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod", "video.m3u8")...)
	ffmpegIn(t, dir, append(src, "-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod",
		"-hls_flags", "iframes_only+single_file", "iframes.m3u8")...)
	mpd, err := os.ReadFile(filepath.Join(dir, "manifest.mpd"))
	if err != nil {
		t.Fatal(err)
	}
	set := `<AdaptationSet id="20" contentType="image" mimeType="image/jpeg">
  <SegmentTemplate media="tile_$Number$.jpg" duration="3" startNumber="1"/>
  <Representation id="thumbs" bandwidth="10000" width="192" height="36">
    <EssentialProperty schemeIdUri="http://dashif.org/thumbnail_tile" value="3x1"/>
  </Representation>
</AdaptationSet>
</Period>`
	master := "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=200000,RESOLUTION=160x90,CODECS=\"avc1.42c00c\"\nvideo.m3u8\n" +
		"#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=50000,RESOLUTION=160x90,CODECS=\"avc1.42c00c\",URI=\"iframes.m3u8\"\n"
	for name, body := range map[string]string{"manifest.mpd": strings.Replace(string(mpd), "</Period>", set, 1), "master.m3u8": master} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
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
