package cea608

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/internal/ffmpegtest"
	"github.com/abrkit/abrkit/player/text"
	ct "github.com/abrkit/abrkit/player/text/cea608/cea608test"
)

// decodeFrames runs frames through a CC1 decoder, ending at end.
func decodeFrames(frames []Frame, end time.Duration) []text.Cue {
	d := NewDecoder(1)
	for _, f := range frames {
		d.Decode(f.PTS, f.Field1)
	}
	d.Flush(end)
	return d.Take()
}

// mp4File returns the caption data of a whole fMP4 file.
func mp4File(t *testing.T, path string) []Frame {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := ParseInit(data)
	if err != nil {
		t.Fatal(err)
	}
	frames, err := FromMP4(tr, data)
	if err != nil {
		t.Fatal(err)
	}
	return frames
}

var srtTime = regexp.MustCompile(`(\d+):(\d+):(\d+),(\d+) --> (\d+):(\d+):(\d+),(\d+)`)

// parseSRT reads the cues of an SRT file.
func parseSRT(t *testing.T, b []byte) []text.Cue {
	var out []text.Cue
	for _, block := range strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n\n") {
		lines := strings.Split(strings.TrimSpace(block), "\n")
		if len(lines) < 3 {
			continue
		}
		m := srtTime.FindStringSubmatch(lines[1])
		if m == nil {
			t.Fatalf("bad SRT block %q", block)
		}
		n := make([]int, 8)
		for i := range n {
			n[i], _ = strconv.Atoi(m[i+1])
		}
		at := func(h, m, s, ms int) time.Duration {
			return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second + time.Duration(ms)*time.Millisecond
		}
		out = append(out, text.Cue{Start: at(n[0], n[1], n[2], n[3]), End: at(n[4], n[5], n[6], n[7]),
			Text: strings.Join(lines[2:], "\n")})
	}
	return out
}

func TestAgainstFFmpeg(t *testing.T) {
	dir := t.TempDir()
	if d := os.Getenv("CCDIR"); d != "" {
		dir = d
	}
	path := ct.Captioned(t, dir, "cc.mp4", 10, ct.Script)
	ffmpegtest.Run(t, dir, "-f", "lavfi", "-i", "movie=cc.mp4[out+subcc]", "-map", "0:1", "ffmpeg.srt")
	b, err := os.ReadFile(filepath.Join(dir, "ffmpeg.srt"))
	if err != nil {
		t.Fatal(err)
	}
	ff := parseSRT(t, b)

	frames := mp4File(t, path)
	if len(frames) == 0 {
		t.Fatal("no caption data found")
	}
	// ffmpeg applies the edit list: its first frame shows at 0
	got := text.Shift(decodeFrames(frames, 10*time.Second), -frames[0].PTS)
	if len(ff) != 5 {
		t.Fatalf("ffmpeg decoded %d cues; want 5: %q", len(ff), ff)
	}
	// ffmpeg (not in real-time mode) gives each cue its final text and
	// starts roll-up and paint-on cues at the previous screen change;
	// the decoder shows them as they are painted, so for those only
	// the text and the end must agree.
	const frame = time.Second / ct.Rate
	near := func(a, b time.Duration) bool { return a-b < frame && b-a < frame }
	for i, f := range ff {
		f.Text = ffmpegMarkup.ReplaceAllString(f.Text, "")
		found := false
		for _, g := range got {
			if g.Text != f.Text || !near(g.End, f.End) {
				continue
			}
			if popOn := i < 2; popOn && !near(g.Start, f.Start) || g.Start < f.Start-frame {
				continue
			}
			found = true
		}
		if !found {
			t.Errorf("ffmpeg cue %q %v-%v: no match in\n%q", f.Text, f.Start, f.End, got)
		}
	}
}

var ffmpegMarkup = regexp.MustCompile(`</?font[^>]*>|\{\\an\d\}`)

// TestTSMatchesMP4: the same video remuxed to MPEG-TS by ffmpeg gives the
// same cues from FromTS as the fMP4 from FromMP4.
func TestTSMatchesMP4(t *testing.T) {
	dir := t.TempDir()
	path := ct.Captioned(t, dir, "cc.mp4", 10, ct.Script)
	ffmpegtest.Run(t, dir, "-i", "cc.mp4", "-c", "copy", "-f", "mpegts", "cc.ts")
	mp4Frames := mp4File(t, path)
	ts, err := os.ReadFile(filepath.Join(dir, "cc.ts"))
	if err != nil {
		t.Fatal(err)
	}
	tsFrames, err := FromTS(ts)
	if err != nil {
		t.Fatal(err)
	}
	if len(tsFrames) != len(mp4Frames) || len(tsFrames) == 0 {
		t.Fatalf("%d frames with captions from TS, %d from MP4", len(tsFrames), len(mp4Frames))
	}
	want := text.Shift(decodeFrames(mp4Frames, 10*time.Second), -mp4Frames[0].PTS)
	got := text.Shift(decodeFrames(tsFrames, 10*time.Second+tsFrames[0].PTS-mp4Frames[0].PTS), -tsFrames[0].PTS)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("TS cues\n%q\nMP4 cues\n%q", got, want)
	}
}

func TestExtractRejectsOtherData(t *testing.T) {
	for name, data := range map[string][]byte{
		"empty": nil, "text": []byte("WEBVTT\n"), "ts without video": append([]byte{0x47, 0x40, 0, 0x10}, make([]byte, 184)...),
	} {
		if _, err := FromTS(data); !errors.Is(err, ErrFormat) {
			t.Errorf("FromTS(%s) = %v; want ErrFormat", name, err)
		}
		if _, err := ParseInit(data); !errors.Is(err, ErrFormat) {
			t.Errorf("ParseInit(%s) = %v; want ErrFormat", name, err)
		}
	}
}

// TestExtractTestdata reads the first second of the ffmpeg-made
// captioned video as an fMP4 segment and as MPEG-TS (testdata): "HELLO
// WORLD" is shown from frame 12.
func TestExtractTestdata(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tr, err := ParseInit(read("cc_init.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		get  func() ([]Frame, error)
	}{
		{"fmp4", func() ([]Frame, error) { return FromMP4(tr, read("cc_seg.m4s")) }},
		{"ts", func() ([]Frame, error) { return FromTS(read("cc.ts")) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			frames, err := tc.get()
			if err != nil {
				t.Fatal(err)
			}
			if len(frames) < 12 {
				t.Fatalf("%d frames with captions", len(frames))
			}
			first := frames[0].PTS
			got := decodeFrames(frames, first+time.Second)
			want := []text.Cue{{Start: first + 12*time.Second/ct.Rate, End: first + time.Second, Text: "HELLO WORLD"}}
			if len(got) != 1 || got[0].Text != want[0].Text || got[0].End != want[0].End ||
				got[0].Start-want[0].Start > time.Millisecond || want[0].Start-got[0].Start > time.Millisecond {
				t.Errorf("got %q; want %q", got, want)
			}
		})
	}
}
