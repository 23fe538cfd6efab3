package player_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/internal/ffmpegtest"
	"github.com/abrkit/abrkit/player"
)

// loadedPlayer loads url paused (the thumbnails need no playback).
func loadedPlayer(t *testing.T, url string) *player.Player {
	t.Helper()
	p, err := player.New(player.WithClock(clock.NewScaled(8)), player.WithoutAutoPlay())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.Load(ctx, url); err != nil {
		t.Fatalf("Load: %v", err)
	}
	return p
}

// TestThumbnailDASHTiles: ffmpeg-made DASH video with a thumbnail track
// of ffmpeg-made JPEG tiles (5x1 thumbnails of 64x36 per 5 s tile); a
// time gives its tile image and the crop rectangle of its thumbnail.
func TestThumbnailDASHTiles(t *testing.T) {
	dir := t.TempDir()
	ffmpegtest.DASHVideo(t, dir, "160x90", 10, 20)
	ffmpegtest.AddThumbnailTiles(t, dir, "160x90", 10, 64, 36, 5)
	ts := serveDir(t, dir)
	p := loadedPlayer(t, ts.URL+"/manifest.mpd")
	tests := []struct {
		at   time.Duration
		url  string
		time time.Duration
		crop image.Rectangle
	}{
		{0, "tile_1.jpg", 0, image.Rect(0, 0, 64, 36)},
		{2500 * time.Millisecond, "tile_1.jpg", 2 * time.Second, image.Rect(128, 0, 192, 36)},
		{7200 * time.Millisecond, "tile_2.jpg", 7 * time.Second, image.Rect(128, 0, 192, 36)},
		{9999 * time.Millisecond, "tile_2.jpg", 9 * time.Second, image.Rect(256, 0, 320, 36)},
	}
	for _, tc := range tests {
		th, err := p.Thumbnail(tc.at)
		if err != nil {
			t.Fatalf("Thumbnail(%v): %v", tc.at, err)
		}
		if !th.Tile || !strings.HasSuffix(th.URL, "/"+tc.url) || th.Time != tc.time || th.Duration != time.Second || th.Crop != tc.crop {
			t.Errorf("Thumbnail(%v) = %s %v+%v crop %v; want %s %v+1s crop %v", tc.at, th.URL, th.Time, th.Duration, th.Crop, tc.url, tc.time, tc.crop)
		}
		img, err := jpeg.Decode(bytes.NewReader(th.Data))
		if err != nil {
			t.Fatalf("tile image: %v", err)
		}
		if b := img.Bounds(); !tc.crop.In(b) || b.Dx() != 320 {
			t.Errorf("tile %v does not hold crop %v", b, tc.crop)
		}
	}
}

// TestThumbnailHLSIFrames: an ffmpeg-made I-frame playlist (one keyframe
// a second, byte ranges into one TS file) gives the keyframe of a time,
// which ffmpeg decodes to a picture of the video's size.
func TestThumbnailHLSIFrames(t *testing.T) {
	dir := t.TempDir()
	ffmpegtest.IFrameHLS(t, dir)
	ts := serveDir(t, dir)
	p := loadedPlayer(t, ts.URL+"/master.m3u8")
	th, err := p.Thumbnail(3500 * time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if th.Tile || th.Time != 3*time.Second || th.Duration != time.Second || th.Range == nil || th.MimeType != "video/mp2t" ||
		!strings.HasSuffix(th.URL, "/iframes.ts") || int64(len(th.Data)) != th.Range.Length || th.Crop != image.Rect(0, 0, 160, 90) {
		t.Fatalf("Thumbnail(3.5s) = %+v (%d bytes)", th.Range, len(th.Data))
	}
	if th.Data[0] != 0x47 {
		t.Errorf("keyframe does not start with a TS sync byte")
	}
	key := filepath.Join(dir, "key.ts")
	if err := os.WriteFile(key, th.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	// ffmpeg's I-frame ranges run to the next keyframe; the first frame
	// of the bytes is the keyframe, decoded here as a seek bar would.
	ffmpegtest.Run(t, dir, "-i", "key.ts", "-frames:v", "1", "key.png")
	f, err := os.Open(filepath.Join(dir, "key.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds() != th.Crop {
		t.Errorf("decoded keyframe %v; want %v", img.Bounds(), th.Crop)
	}
}

// TestThumbnailNone: a presentation without trick play says so.
func TestThumbnailNone(t *testing.T) {
	dir := ffmpegtest.SubtitledHLS(t, 9, ffmpegtest.SubtitleVTT)
	ts := serveDir(t, dir)
	p := loadedPlayer(t, ts.URL+"/master.m3u8")
	if _, err := p.Thumbnail(time.Second); !errors.Is(err, player.ErrNoThumbnails) {
		t.Errorf("Thumbnail = %v; want ErrNoThumbnails", err)
	}
	q, _ := player.New()
	if _, err := q.Thumbnail(0); !errors.Is(err, player.ErrNotLoaded) {
		t.Errorf("before Load: %v; want ErrNotLoaded", err)
	}
}

// TestThumbnailPeriods: in a two-period DASH presentation each period's
// own tiles answer for its times, counted from the period start.
func TestThumbnailPeriods(t *testing.T) {
	period := func(id, start string) string {
		return `<Period id="` + id + `" start="` + start + `" duration="PT2S">
  <AdaptationSet id="1" contentType="video" mimeType="video/mp4" codecs="avc1.42c00d">
    <SegmentTemplate media="` + id + `_$Number$.ts" duration="1" startNumber="1"/>
    <Representation id="v" bandwidth="100000" width="160" height="90"/>
  </AdaptationSet>
  <AdaptationSet id="2" contentType="image" mimeType="image/jpeg">
    <SegmentTemplate media="` + id + `_tile$Number$.jpg" duration="2" startNumber="1"/>
    <Representation id="thumbs" bandwidth="1000" width="128" height="36">
      <EssentialProperty schemeIdUri="http://dashif.org/thumbnail_tile" value="2x1"/>
    </Representation>
  </AdaptationSet>
</Period>`
	}
	base := serveFiles(t, map[string]string{
		"/m.mpd": `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT4S" minBufferTime="PT1S"
     profiles="urn:mpeg:dash:profile:isoff-live:2011">` + period("p0", "PT0S") + period("p1", "PT2S") + `</MPD>`,
		"/p0_tile1.jpg": "tile of p0",
		"/p1_tile1.jpg": "tile of p1",
	})
	p := loadedPlayer(t, base+"/m.mpd")
	for _, tc := range []struct {
		at   time.Duration
		data string
		time time.Duration
		x    int
	}{
		{500 * time.Millisecond, "tile of p0", 0, 0},
		{3500 * time.Millisecond, "tile of p1", 3 * time.Second, 64},
		{1500 * time.Millisecond, "tile of p0", time.Second, 64},
	} {
		th, err := p.Thumbnail(tc.at)
		if err != nil {
			t.Fatalf("Thumbnail(%v): %v", tc.at, err)
		}
		if string(th.Data) != tc.data || th.Time != tc.time || th.Crop.Min.X != tc.x {
			t.Errorf("Thumbnail(%v) = %q at %v x %d; want %q at %v x %d", tc.at, th.Data, th.Time, th.Crop.Min.X, tc.data, tc.time, tc.x)
		}
	}
}

// TestThumbnailLastTileCut: a tile cut short by the period end keeps
// the thumbnail spacing of the others.
func TestThumbnailLastTileCut(t *testing.T) {
	base := serveFiles(t, map[string]string{
		"/m.mpd": `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT3S" minBufferTime="PT1S"
     profiles="urn:mpeg:dash:profile:isoff-live:2011"><Period id="0">
  <AdaptationSet id="1" contentType="video" mimeType="video/mp4" codecs="avc1.42c00d">
    <SegmentTemplate media="v$Number$.ts" duration="1" startNumber="1"/>
    <Representation id="v" bandwidth="100000" width="160" height="90"/>
  </AdaptationSet>
  <AdaptationSet id="2" contentType="image" mimeType="image/jpeg">
    <SegmentTemplate media="tile$Number$.jpg" timescale="1000" duration="2000" startNumber="1"/>
    <Representation id="thumbs" bandwidth="1000" width="128" height="36">
      <EssentialProperty schemeIdUri="http://dashif.org/thumbnail_tile" value="2x1"/>
    </Representation>
  </AdaptationSet>
</Period></MPD>`,
		"/tile2.jpg": "second tile",
	})
	p := loadedPlayer(t, base+"/m.mpd")
	th, err := p.Thumbnail(2500 * time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if string(th.Data) != "second tile" || th.Time != 2*time.Second || th.Duration != time.Second || th.Crop.Min.X != 0 {
		t.Errorf("Thumbnail(2.5s) = %q at %v+%v x %d; want the second tile's first thumbnail (2s+1s, x 0)", th.Data, th.Time, th.Duration, th.Crop.Min.X)
	}
}
