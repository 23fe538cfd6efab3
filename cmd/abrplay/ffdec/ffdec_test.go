package ffdec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// makeSegment encodes a short test clip into an fMP4 init + one media segment.
func makeSegment(t testing.TB, secs int) (init, media []byte) {
	t.Helper()
	ff, err := Find()
	if err != nil {
		t.Skip("skipping:", err)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d := fmt.Sprint(secs)
	cmd := exec.CommandContext(ctx, ff, "-hide_banner", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration="+d,
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration="+d,
		"-c:v", "libx264", "-preset", "ultrafast", "-g", "250", "-pix_fmt", "yuv420p", "-c:a", "aac",
		"-f", "hls", "-hls_segment_type", "fmp4", "-hls_time", "100", "-hls_playlist_type", "vod",
		"-hls_fmp4_init_filename", "init.mp4", "-hls_segment_filename", filepath.Join(dir, "seg%d.m4s"),
		filepath.Join(dir, "index.m3u8"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, out)
	}
	init, err = os.ReadFile(filepath.Join(dir, "init.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	media, err = os.ReadFile(filepath.Join(dir, "seg0.m4s"))
	if err != nil {
		t.Fatal(err)
	}
	return init, media
}

func TestVideoDecodesEveryFrame(t *testing.T) {
	init, media := makeSegment(t, 2)
	ff, _ := Find()
	d := New(ff, 160, 120)
	s, err := d.Video(context.Background(), init, media)
	if err != nil {
		t.Fatal(err)
	}
	n, distinct := 0, 0
	var prev []byte
	for {
		img, err := s.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if img.Rect.Dx() != 160 || img.Rect.Dy() != 120 {
			t.Fatalf("frame size %v; want 160x120", img.Rect)
		}
		if prev != nil && string(prev) != string(img.Pix) {
			distinct++
		}
		prev = append(prev[:0], img.Pix...)
		d.Release(img)
		n++
	}
	if n != 50 {
		t.Errorf("decoded %d frames; want 50 (2 s at 25 fps)", n)
	}
	if distinct < 40 {
		t.Errorf("only %d frames differ from the one before; want a moving picture", distinct)
	}
}

func TestAudioDecodes(t *testing.T) {
	init, media := makeSegment(t, 2)
	ff, _ := Find()
	pcm, err := New(ff, 16, 16).Audio(context.Background(), init, media)
	if err != nil {
		t.Fatal(err)
	}
	want := 2 * AudioRate * AudioChannels * 2 // 2 s of s16 stereo
	if len(pcm) < want*9/10 || len(pcm) > want*11/10 {
		t.Errorf("audio PCM is %d bytes; want about %d", len(pcm), want)
	}
}

func TestVideoBadInput(t *testing.T) {
	ff, err := Find()
	if err != nil {
		t.Skip("skipping:", err)
	}
	s, err := New(ff, 16, 16).Video(context.Background(), []byte("not mp4"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Next(); err == nil || errors.Is(err, io.EOF) {
		t.Errorf("Next() on garbage = %v; want an ffmpeg error", err)
	}
}

// BenchmarkDecode720p reports decoded frames per second for a 720p segment.
func BenchmarkDecode720p(b *testing.B) {
	ff, err := Find()
	if err != nil {
		b.Skip("skipping:", err)
	}
	dir := b.TempDir()
	cmd := exec.Command(ff, "-hide_banner", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25:duration=4",
		"-c:v", "libx264", "-preset", "veryfast", "-b:v", "3000k", "-g", "100", "-pix_fmt", "yuv420p",
		"-f", "hls", "-hls_segment_type", "fmp4", "-hls_time", "100", "-hls_playlist_type", "vod",
		"-hls_fmp4_init_filename", "init.mp4", "-hls_segment_filename", filepath.Join(dir, "seg%d.m4s"),
		filepath.Join(dir, "index.m3u8"))
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("ffmpeg: %v: %s", err, out)
	}
	init, _ := os.ReadFile(filepath.Join(dir, "init.mp4"))
	media, _ := os.ReadFile(filepath.Join(dir, "seg0.m4s"))
	d := New(ff, 1280, 720)
	frames := 0
	start := time.Now()
	for b.Loop() {
		s, err := d.Video(context.Background(), init, media)
		if err != nil {
			b.Fatal(err)
		}
		for {
			img, err := s.Next()
			if err != nil {
				break
			}
			d.Release(img)
			frames++
		}
	}
	b.ReportMetric(float64(frames)/time.Since(start).Seconds(), "frames/s")
}
