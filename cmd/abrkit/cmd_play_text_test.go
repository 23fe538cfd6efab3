package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/abrkit/abrkit/internal/ffmpegtest"
	"github.com/abrkit/abrkit/player/text/cea608/cea608test"
)

// TestPlayTextLang: `abrkit play --audio-lang fra --text-lang en` on
// ffmpeg-made HLS plays the French audio and reports every cue of the
// English subtitles, shown when the playhead reached its start.
func TestPlayTextLang(t *testing.T) {
	dir := ffmpegtest.TwoLanguageHLS(t, 10, ffmpegtest.SubtitleVTT)
	cs := serveCounting(t, dir)
	rep := playJSON(t, "play", cs.URL+"/master.m3u8", "--audio-lang", "fra", "--text-lang", "en", "--speed", "8", "--quiet", "--format", "json")
	if rep.Stopped != "ended" || rep.QoE.Stalls != 0 {
		t.Errorf("stopped %q with %d stalls; want ended with none", rep.Stopped, rep.QoE.Stalls)
	}
	if a := rep.AudioTrack; a == nil || a.Lang != "fra" {
		t.Errorf("audio_track = %+v; want fra", a)
	}
	if tt := rep.TextTrack; tt == nil || tt.Lang != "en" || !tt.Selected {
		t.Errorf("text_track = %+v; want the en track", tt)
	}
	want := []struct {
		start, end float64
		text       string
	}{{0.5, 2, "Hello world"}, {3, 5.5, "Second cue\ntwo lines"}, {7, 8, "Third"}}
	if len(rep.Cues) != len(want) {
		t.Fatalf("cues %+v; want %d", rep.Cues, len(want))
	}
	near := func(a, b float64) bool { return a >= b && a <= b+0.05 }
	for i, w := range want {
		c := rep.Cues[i]
		// ffmpeg writes the cues 24 ms late here (it delays every stream
		// by the AAC priming and writes no X-TIMESTAMP-MAP); each is shown
		// at its start, give or take the scheduling at 8x.
		if !near(c.Start, w.start) || !near(c.End, w.end) || c.Text != w.text || c.ShownAt < c.Start || c.ShownAt > c.Start+0.4 {
			t.Errorf("cue %d = %+v; want %v-%v %q shown at its start", i, c, w.start, w.end, w.text)
		}
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"play", cs.URL + "/master.m3u8", "--text-lang", "en", "--speed", "8", "--quiet"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if s := out.String(); !strings.Contains(s, "text track") || !strings.Contains(s, "Second cue / two lines") {
		t.Errorf("text report lacks the track or cues:\n%s", s)
	}
}

// TestPlayOfflineTextLang: `abrkit download --subs-lang en` keeps the
// English subtitles of ffmpeg-made HLS, and `abrkit play --offline
// --text-lang en` shows every cue with the origin gone.
func TestPlayOfflineTextLang(t *testing.T) {
	dir := ffmpegtest.TwoLanguageHLS(t, 10, ffmpegtest.SubtitleVTT)
	cs := serveCounting(t, dir)
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := []string{"download", cs.URL + "/master.m3u8", "--out", out, "--id", "subs", "--subs-lang", "en", "--format", "json"}
	if code := run(args, &stdout, &stderr); code != 0 {
		t.Fatalf("download = %d\n%s%s", code, stdout.String(), stderr.String())
	}
	cs.Close()
	rep := playJSON(t, "play", "--offline", "subs", "--out", out, "--text-lang", "en", "--speed", "8", "--quiet", "--format", "json")
	if rep.Stopped != "ended" || rep.TextTrack == nil {
		t.Fatalf("stopped %q, text track %+v; want ended with the English track", rep.Stopped, rep.TextTrack)
	}
	var texts []string
	for _, c := range rep.Cues {
		texts = append(texts, c.Text)
		if c.ShownAt < c.Start || c.ShownAt > c.Start+0.4 {
			t.Errorf("cue %+v not shown at its start", c)
		}
	}
	if got := strings.Join(texts, "|"); got != "Hello world|Second cue\ntwo lines|Third" {
		t.Errorf("cues %q; want the three of the source", got)
	}
}

// TestPlayCaptions: `abrkit play --text-lang en` on ffmpeg-made HLS whose
// video carries CEA-608 captions (CC1, English) shows them: the text
// track is CC1 and the pop-on captions are reported at their times.
func TestPlayCaptions(t *testing.T) {
	dir := t.TempDir()
	cea608test.Captioned(t, dir, "cc.mp4", 10, cea608test.Script)
	cea608test.HLS(t, dir, false)
	cs := serveCounting(t, dir)
	rep := playJSON(t, "play", cs.URL+"/master.m3u8", "--text-lang", "en", "--speed", "8", "--quiet", "--format", "json")
	if tt := rep.TextTrack; tt == nil || tt.ID != "CC1" || tt.Kind != "captions" || !tt.Selected {
		t.Errorf("text_track = %+v; want CC1 captions", tt)
	}
	want := map[string]float64{"HELLO WORLD": 0.4, "SECOND\nTWO LINES": 76.0 / 30}
	for _, c := range rep.Cues {
		if at, ok := want[c.Text]; ok {
			if c.Start < at-0.001 || c.Start > at+0.001 || c.ShownAt < c.Start || c.ShownAt > c.Start+0.4 {
				t.Errorf("cue %+v; want it from %.3f s, shown then", c, at)
			}
			delete(want, c.Text)
		}
	}
	if len(want) != 0 {
		t.Errorf("not shown: %v (cues %+v)", want, rep.Cues)
	}
}

// TestPlayOfflineCaptions: a download keeps the CEA-608 captions its
// video carries listed in the offline playlist, so `abrkit play --offline
// --text-lang en` shows them with the origin gone.
func TestPlayOfflineCaptions(t *testing.T) {
	dir := t.TempDir()
	cea608test.Captioned(t, dir, "cc.mp4", 10, cea608test.Script)
	cea608test.HLS(t, dir, false)
	cs := serveCounting(t, dir)
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := run([]string{"download", cs.URL + "/master.m3u8", "--out", out, "--id", "cc", "--format", "json"}, &stdout, &stderr); code != 0 {
		t.Fatalf("download = %d\n%s%s", code, stdout.String(), stderr.String())
	}
	cs.Close()
	rep := playJSON(t, "play", "--offline", "cc", "--out", out, "--text-lang", "en", "--speed", "8", "--quiet", "--format", "json")
	if tt := rep.TextTrack; rep.Stopped != "ended" || tt == nil || tt.ID != "CC1" || tt.Kind != "captions" {
		t.Fatalf("stopped %q, text track %+v; want ended with CC1 captions", rep.Stopped, rep.TextTrack)
	}
	shown := map[string]bool{}
	for _, c := range rep.Cues {
		shown[c.Text] = true
	}
	for _, want := range []string{"HELLO WORLD", "SECOND\nTWO LINES"} {
		if !shown[want] {
			t.Errorf("%q not shown offline (cues %+v)", want, rep.Cues)
		}
	}
}
