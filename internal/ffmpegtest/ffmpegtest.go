// Package ffmpegtest makes test content with ffmpeg: streams that another
// tool wrote, for the players and downloads to read. Every helper skips
// the test with a clear message where ffmpeg is missing.
package ffmpegtest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// SubtitleVTT is a WebVTT source of three cues (at 0.5, 3 and 7 s).
const SubtitleVTT = `WEBVTT

00:00:00.500 --> 00:00:02.000
Hello <b>world</b>

00:00:03.000 --> 00:00:05.500
Second cue
two lines

00:00:07.000 --> 00:00:08.000
Third
`

// Need returns ffmpeg's path, skipping tb where it is missing.
func Need(tb testing.TB) string {
	tb.Helper()
	p, err := exec.LookPath("ffmpeg")
	if err != nil {
		tb.Skip("ffmpeg not found; install it with apt-get install -y --no-install-recommends ffmpeg")
	}
	return p
}

// Run runs ffmpeg quietly in dir, overwriting its outputs.
func Run(tb testing.TB, dir string, args ...string) {
	tb.Helper()
	cmd := exec.Command(Need(tb), append([]string{"-hide_banner", "-loglevel", "error", "-y"}, args...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("ffmpeg %v: %v\n%s", args, err, out)
	}
}

// WriteFile writes data to name in dir.
func WriteFile(tb testing.TB, dir, name string, data []byte) {
	tb.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// SubtitledHLS makes seconds of HLS in a new directory: one TS variant
// (160x90, a sine) with an English WebVTT track segmented from vtt, 2 s
// segments; the master playlist is master.m3u8.
func SubtitledHLS(tb testing.TB, seconds int, vtt string) string {
	tb.Helper()
	dir := tb.TempDir()
	WriteFile(tb, dir, "in.vtt", []byte(vtt))
	Run(tb, dir, "-f", "lavfi", "-i", "testsrc=size=160x90:rate=10", "-f", "lavfi", "-i", "sine", "-i", "in.vtt",
		"-t", strconv.Itoa(seconds), "-map", "0:v", "-map", "1:a", "-map", "2:s",
		"-c:v", "libx264", "-preset", "ultrafast", "-g", "20", "-c:a", "aac", "-c:s", "webvtt",
		"-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod", "-master_pl_name", "master.m3u8",
		"-var_stream_map", "v:0,a:0,s:0,sgroup:subs,language:en", "out_%v.m3u8")
	return dir
}

// TwoLanguageHLS makes seconds of HLS in a new directory: one video
// variant and two AAC audio alternates in group "aud" (eng at 440 Hz, fra
// at 880 Hz), 2 s TS segments named stream_<variant>_<NNN>.ts; with vtt,
// also an English WebVTT track. The master playlist is master.m3u8.
func TwoLanguageHLS(tb testing.TB, seconds int, vtt string) string {
	tb.Helper()
	dir := tb.TempDir()
	d := strconv.Itoa(seconds)
	args := []string{"-f", "lavfi", "-i", "testsrc=size=320x180:rate=25:duration=" + d,
		"-f", "lavfi", "-i", "sine=frequency=440:duration=" + d,
		"-f", "lavfi", "-i", "sine=frequency=880:duration=" + d}
	streams := "v:0,agroup:aud"
	maps := []string{"-map", "0:v", "-map", "1:a", "-map", "2:a"}
	if vtt != "" {
		WriteFile(tb, dir, "in.vtt", []byte(vtt))
		args = append(args, "-i", "in.vtt")
		maps = append(maps, "-map", "3:s", "-c:s", "webvtt")
		streams = "v:0,s:0,agroup:aud,sgroup:subs,language:en"
	}
	args = append(append(args, maps...),
		"-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-sc_threshold", "0", "-b:v", "300k",
		"-c:a", "aac", "-b:a", "64k",
		"-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod", "-master_pl_name", "master.m3u8",
		"-var_stream_map", streams+" a:0,agroup:aud,language:eng a:1,agroup:aud,language:fra",
		"-hls_segment_filename", "stream_%v_%03d.ts", "stream_%v.m3u8")
	Run(tb, dir, args...)
	return dir
}

// DASHVideo makes seconds of video-only DASH of the given size
// ("160x90") at 10 frames/s into dir/manifest.mpd: 2 s segments from a
// $Number$ template, a keyframe every gop frames.
func DASHVideo(tb testing.TB, dir, size string, seconds, gop int) {
	tb.Helper()
	Run(tb, dir, "-f", "lavfi", "-i", "testsrc=size="+size+":rate=10", "-t", strconv.Itoa(seconds),
		"-c:v", "libx264", "-preset", "ultrafast", "-g", strconv.Itoa(gop),
		"-f", "dash", "-seg_duration", "2", "-use_template", "1", "-use_timeline", "0", "manifest.mpd")
}

// AddThumbnailTiles makes JPEG tiles of the test source (one thumbnail
// per second of thumbW x thumbH, cols per tile, tile_<n>.jpg from 1) for
// seconds of video of the given size, and lists them in dir/manifest.mpd
// as a DASH-IF thumbnail adaptation set.
func AddThumbnailTiles(tb testing.TB, dir, size string, seconds, thumbW, thumbH, cols int) {
	tb.Helper()
	Run(tb, dir, "-f", "lavfi", "-i", "testsrc=size="+size+":rate=10", "-t", strconv.Itoa(seconds),
		"-vf", fmt.Sprintf("fps=1,scale=%d:%d,tile=%dx1", thumbW, thumbH, cols), "-start_number", "1", "tile_%d.jpg")
	AppendToPeriod(tb, dir, fmt.Sprintf(`<AdaptationSet id="20" contentType="image" mimeType="image/jpeg">
  <SegmentTemplate media="tile_$Number$.jpg" duration="%d" startNumber="1"/>
  <Representation id="thumbs" bandwidth="10000" width="%d" height="%d">
    <EssentialProperty schemeIdUri="http://dashif.org/thumbnail_tile" value="%dx1"/>
  </Representation>
</AdaptationSet>
`, cols, cols*thumbW, thumbH, cols))
}

// AppendToPeriod adds xml at the end of the first Period of
// dir/manifest.mpd.
func AppendToPeriod(tb testing.TB, dir, xml string) {
	tb.Helper()
	path := filepath.Join(dir, "manifest.mpd")
	mpd, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	if !strings.Contains(string(mpd), "</Period>") {
		tb.Fatalf("%s: no </Period>", path)
	}
	WriteFile(tb, dir, "manifest.mpd", []byte(strings.Replace(string(mpd), "</Period>", xml+"</Period>", 1)))
}

// IFrameHLS makes 6 s of 160x90 HLS video in dir (a keyframe a second,
// 2 s TS segments in video.m3u8) with an I-frame playlist (iframes.m3u8,
// byte ranges into iframes.ts) and master.m3u8 listing both.
func IFrameHLS(tb testing.TB, dir string) {
	tb.Helper()
	src := []string{"-f", "lavfi", "-i", "testsrc=size=160x90:rate=10", "-t", "6", "-c:v", "libx264", "-preset", "ultrafast", "-g", "10"}
	Run(tb, dir, append(src, "-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod", "video.m3u8")...)
	Run(tb, dir, append(src, "-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod",
		"-hls_flags", "iframes_only+single_file", "iframes.m3u8")...)
	WriteFile(tb, dir, "master.m3u8", []byte("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=200000,RESOLUTION=160x90,CODECS=\"avc1.42c00c\"\nvideo.m3u8\n"+
		"#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=50000,RESOLUTION=160x90,CODECS=\"avc1.42c00c\",URI=\"iframes.m3u8\"\n"))
}

// Output runs ffmpeg -nostdin -v error with args (an oracle's check, not
// test content) and returns what it wrote to stdout; anything it says on
// stderr is a failure too. Call Need first.
func Output(args ...string) ([]byte, error) {
	cmd := exec.Command("ffmpeg", append([]string{"-nostdin", "-v", "error"}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err == nil && stderr.Len() > 0 {
		err = fmt.Errorf("ffmpeg: %s", stderr.String())
	} else if err != nil {
		err = fmt.Errorf("ffmpeg: %v: %s", err, stderr.String())
	}
	return stdout.Bytes(), err
}
