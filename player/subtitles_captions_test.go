package player_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/internal/ffmpegtest"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/text"
	"github.com/abrkit/abrkit/player/text/cea608"
	ct "github.com/abrkit/abrkit/player/text/cea608/cea608test"
)

// captioned makes 10 s of HLS (2 s segments, TS or fMP4) or DASH from
// ffmpeg video with CEA-608 captions (cea608test.Script) and a manifest
// that signals them as CC1 in English. It returns the directory, the
// manifest's name and the cues the video carries, on its own timeline
// from its first frame.
func captioned(t *testing.T, format string) (string, string, []text.Cue) {
	t.Helper()
	dir := t.TempDir()
	path := ct.Captioned(t, dir, "cc.mp4", 10, ct.Script)
	name := "master.m3u8"
	switch format {
	case "dash":
		name = "video.mpd"
		ffmpegtest.Run(t, dir, "-i", "cc.mp4", "-c", "copy", "-f", "dash", "-seg_duration", "2", name)
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		mpd := string(b)
		i := strings.Index(mpd, `contentType="video"`)
		if i < 0 {
			t.Fatalf("no video AdaptationSet in\n%s", b)
		}
		i += strings.Index(mpd[i:], ">") + 1
		mpd = mpd[:i] + `<Accessibility schemeIdUri="urn:scte:dash:cc:cea-608:2015" value="CC1=en"/>` + mpd[i:]
		if err := os.WriteFile(filepath.Join(dir, name), []byte(mpd), 0o644); err != nil {
			t.Fatal(err)
		}
	default:
		ct.HLS(t, dir, format == "fmp4")
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
	return dir, name, d.Take()
}

// TestClosedCaptions plays ffmpeg-made HLS (TS and fMP4 segments) and
// DASH whose video carries CEA-608 captions: CC1 is listed, chosen by
// language, and every cue the video carries reaches the output when the
// playhead reaches it.
func TestClosedCaptions(t *testing.T) {
	for _, format := range []string{"ts", "fmp4", "dash"} {
		t.Run(format, func(t *testing.T) {
			dir, name, cues := captioned(t, format)
			if len(cues) < 5 {
				t.Fatalf("the video carries %d cues", len(cues))
			}
			ts := serveDir(t, dir)
			out, p := playSubtitled(t, ts.URL+"/"+name, player.WithTextLanguage("en"))
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
			checkCaptions(t, out.appeared(), cues)
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

// checkCaptions asserts each cue the video carries was shown within 400
// ms after its start, and nothing else was. The output shows what is
// active when it looks: the cues of a frame or two that roll-up and
// paint-on make as the letters arrive may pass unseen.
func checkCaptions(t *testing.T, got map[string]time.Duration, cues []text.Cue) {
	t.Helper()
	const tol = 400 * time.Millisecond // scheduling at 8x speed
	carried := map[string]bool{}
	for _, c := range cues {
		first := !carried[c.Text]
		carried[c.Text] = true
		if !first || c.End-c.Start < 150*time.Millisecond {
			continue
		}
		g, ok := got[c.Text]
		if !ok {
			t.Errorf("cue %q never shown (shown: %q)", c.Text, got)
		} else if g < c.Start || g > c.Start+tol {
			t.Errorf("cue %q shown at %v; want %v (+%v)", c.Text, g, c.Start, tol)
		}
	}
	for txt := range got {
		if !carried[txt] {
			t.Errorf("shown %q, which the video does not carry", txt)
		}
	}
}

// TestClosedCaptionsSelectedAfterLoad: CC1 chosen with SelectText after
// Load (the video may be buffered already) shows every cue.
func TestClosedCaptionsSelectedAfterLoad(t *testing.T) {
	dir, name, cues := captioned(t, "ts")
	ts := serveDir(t, dir)
	out := &shown{}
	p, err := player.New(player.WithClock(clock.NewScaled(8)), player.WithTextOutput(out))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.Load(ctx, ts.URL+"/"+name); err != nil {
		t.Fatal(err)
	}
	if err := p.SelectText("CC3"); err != player.ErrNoTrack {
		t.Errorf("SelectText(CC3) = %v; want ErrNoTrack (not signalled)", err)
	}
	if err := p.SelectText("CC1"); err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	checkCaptions(t, out.appeared(), cues)
}
