package player_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/text"
	"github.com/abrkit/abrkit/player/text/cea608"
	ct "github.com/abrkit/abrkit/player/text/cea608/cea608test"
)

// captionedHLS makes 10 s of HLS (2 s segments, TS or fMP4) from ffmpeg
// video with CEA-608 captions (cea608test.Script) and a master playlist
// that signals them as CC1 in English. It returns the directory and the
// cues the video carries, on its own timeline from its first frame.
func captionedHLS(t *testing.T, fmp4 bool) (string, []text.Cue) {
	t.Helper()
	dir := t.TempDir()
	path := ct.Captioned(t, dir, "cc.mp4", 10, ct.Script)
	args := []string{"-i", "cc.mp4", "-c", "copy", "-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod"}
	if fmp4 {
		args = append(args, "-hls_segment_type", "fmp4")
	}
	ct.FFmpeg(t, dir, append(args, "video.m3u8")...)
	master := `#EXTM3U
#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID="cc",NAME="English",LANGUAGE="en",INSTREAM-ID="CC1"
#EXT-X-STREAM-INF:BANDWIDTH=300000,CODECS="avc1.64000c",RESOLUTION=160x90,CLOSED-CAPTIONS="cc"
video.m3u8
`
	if err := os.WriteFile(filepath.Join(dir, "master.m3u8"), []byte(master), 0o644); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := cea608.ParseInit(data)
	if err != nil {
		t.Fatal(err)
	}
	frames, err := cea608.FromMP4(tr, data)
	if err != nil || len(frames) == 0 {
		t.Fatalf("%d frames: %v", len(frames), err)
	}
	d := cea608.NewDecoder(1)
	for _, f := range frames {
		d.Decode(f.PTS-frames[0].PTS, f.Field1)
	}
	return dir, d.Take()
}

// TestClosedCaptionsFromHLS plays ffmpeg-made HLS whose video carries
// CEA-608 captions, in TS and fMP4 segments: CC1 is listed, chosen by
// language, and every cue the video carries reaches the output when the
// playhead reaches it.
func TestClosedCaptionsFromHLS(t *testing.T) {
	for _, tc := range []struct {
		name string
		fmp4 bool
	}{{"ts", false}, {"fmp4", true}} {
		t.Run(tc.name, func(t *testing.T) {
			dir, cues := captionedHLS(t, tc.fmp4)
			if len(cues) < 5 {
				t.Fatalf("the video carries %d cues", len(cues))
			}
			ts := serveDir(t, dir)
			out, p := playSubtitled(t, ts.URL+"/master.m3u8", player.WithTextLanguage("en"))
			if id := p.TextTrack(); id != "CC1" {
				t.Errorf("TextTrack() = %q; want CC1", id)
			}
			var cc []player.TrackInfo
			for _, tr := range p.Tracks() {
				if tr.Kind == "captions" {
					cc = append(cc, tr)
				}
			}
			if len(cc) != 1 || cc[0].ID != "CC1" || cc[0].Type != "text" || cc[0].Lang != "en" || !cc[0].Selected {
				t.Errorf("caption tracks %+v", cc)
			}
			want := map[string]time.Duration{}
			for _, c := range cues {
				if _, ok := want[c.Text]; !ok {
					want[c.Text] = c.Start
				}
			}
			checkAppeared(t, out.appeared(), want)
			// the pop-on captions are at the times ffmpeg decodes (frames 12 and 76)
			for at, txt := range map[time.Duration]string{
				500 * time.Millisecond: "HELLO WORLD", 3 * time.Second: "SECOND\nTWO LINES", 6500 * time.Millisecond: "ROLL ONE\nROLL TWO",
			} {
				if c := p.Cues(at); len(c) != 1 || c[0].Text != txt {
					t.Errorf("Cues(%v) = %q; want %q", at, c, txt)
				}
			}
		})
	}
}
