package text

import (
	"os"
	"testing"
)

func FuzzParseVTT(f *testing.F) {
	for _, name := range []string{"testdata/hls_segment.vtt", "testdata/ffmpeg_segment.vtt"} {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00.000\n\n00:00.000 --> 00:01.000\n<b>&amp;</b>\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := ParseVTT(data)
		if err != nil {
			return
		}
		for _, c := range v.MediaCues(900000) {
			_ = c.Active(0)
		}
		for _, c := range v.Cues {
			if c.End < c.Start || len(c.Text) > MaxCueText {
				t.Fatalf("bad cue %+v", c)
			}
		}
	})
}

func FuzzParseTTML(f *testing.F) {
	if b, err := os.ReadFile("testdata/sidecar.ttml"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(stppDoc))
	f.Fuzz(func(t *testing.T, data []byte) {
		cues, err := ParseTTML(data)
		if err != nil {
			return
		}
		for _, c := range cues {
			if c.End <= c.Start || len(c.Text) > MaxCueText {
				t.Fatalf("bad cue %+v", c)
			}
		}
	})
}

func FuzzParseMP4Text(f *testing.F) {
	_, seg := stppSegments(f, 0, stppDoc)
	f.Add(seg)
	init, _ := stppSegments(f, 0)
	tr, err := ParseMP4TextInit(init)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ParseMP4Text(tr, data)
		_, _ = ParseMP4TextInit(data)
	})
}

func FuzzParseWVTT(f *testing.F) {
	init, seg := wvttSegments(f, 0, "a", "", "b")
	f.Add(seg)
	tr, err := ParseMP4TextInit(init)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cues, err := ParseMP4Text(tr, data)
		if err != nil {
			return
		}
		for _, c := range cues {
			if c.End < c.Start {
				t.Fatalf("bad cue %+v", c)
			}
		}
	})
}
