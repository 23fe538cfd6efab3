package player_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Eyevinn/mp4ff/mp4"
	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/internal/ffmpegtest"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/text"
)

// serveDir serves dir on 127.0.0.1 with deadlines.
func serveDir(t *testing.T, dir string) *httptest.Server {
	t.Helper()
	ts := httptest.NewUnstartedServer(http.FileServer(http.Dir(dir)))
	ts.Config.ReadTimeout, ts.Config.WriteTimeout = 10*time.Second, 10*time.Second
	ts.Start()
	t.Cleanup(ts.Close)
	return ts
}

// shown records what a TextOutput was given.
type shown struct {
	mu    sync.Mutex
	calls []shownCall
}

type shownCall struct {
	pos  time.Duration
	cues []text.Cue
}

func (s *shown) ShowCues(pos time.Duration, cues []text.Cue) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, shownCall{pos, append([]text.Cue(nil), cues...)})
}

// appeared returns, per cue text, the playhead it was first shown at.
func (s *shown) appeared() map[string]time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]time.Duration{}
	for _, c := range s.calls {
		for _, q := range c.cues {
			if _, ok := out[q.Text]; !ok {
				out[q.Text] = c.pos
			}
		}
	}
	return out
}

// playSubtitled plays url to its end and returns what the output got.
func playSubtitled(t *testing.T, url string, opts ...player.Option) (*shown, *player.Player) {
	t.Helper()
	out := &shown{}
	p, ctx := loadScaled(t, url, append([]player.Option{player.WithTextOutput(out)}, opts...)...)
	if err := p.Wait(ctx); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	return out, p
}

// loadScaled loads url into a player on an 8× clock with opts; ctx
// bounds the test (30 s).
func loadScaled(t *testing.T, url string, opts ...player.Option) (*player.Player, context.Context) {
	t.Helper()
	p, err := player.New(append([]player.Option{player.WithClock(clock.NewScaled(8))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	if err := p.Load(ctx, url); err != nil {
		t.Fatalf("Load: %v", err)
	}
	return p, ctx
}

// checkAppeared asserts each cue was shown within tol after its start.
func checkAppeared(t *testing.T, got map[string]time.Duration, want map[string]time.Duration) {
	t.Helper()
	const tol = 400 * time.Millisecond // scheduling at 8x speed
	for txt, at := range want {
		g, ok := got[txt]
		if !ok {
			t.Errorf("cue %q never shown (shown: %v)", txt, got)
			continue
		}
		if g < at || g > at+tol {
			t.Errorf("cue %q shown at %v; want %v (+%v)", txt, g, at, tol)
		}
	}
	if len(got) != len(want) {
		t.Errorf("shown %v; want %v", got, want)
	}
}

// TestSubtitlesFromFFmpegHLS plays ffmpeg-made HLS with a segmented
// WebVTT track chosen by language; each cue reaches the output when the
// playhead reaches it, at the source's times (ffmpeg writes no
// X-TIMESTAMP-MAP; cue times are media times).
func TestSubtitlesFromFFmpegHLS(t *testing.T) {
	dir := ffmpegtest.SubtitledHLS(t, 9, ffmpegtest.SubtitleVTT)
	ts := serveDir(t, dir)
	out, p := playSubtitled(t, ts.URL+"/master.m3u8", player.WithTextLanguage("eng"))
	checkAppeared(t, out.appeared(), map[string]time.Duration{
		"Hello world":           500 * time.Millisecond,
		"Second cue\ntwo lines": 3 * time.Second,
		"Third":                 7 * time.Second,
	})
	if id := p.TextTrack(); id == "" {
		t.Error("no text track selected")
	}
	sel := 0
	for _, tr := range p.Tracks() {
		if tr.Type == "text" && tr.Selected {
			sel++
		}
	}
	if sel != 1 {
		t.Errorf("%d text tracks marked selected; want 1", sel)
	}
	if c := p.Cues(3500 * time.Millisecond); len(c) != 1 || c[0].Text != "Second cue\ntwo lines" {
		t.Errorf("Cues(3.5s) = %+v", c)
	}
	out.mu.Lock()
	last := out.calls[len(out.calls)-1]
	out.mu.Unlock()
	if len(last.cues) != 0 {
		t.Errorf("the last cue was never taken down: %+v", last)
	}
}

// TestSubtitlesOffByDefault: without a language or SelectText no text
// segment is fetched.
func TestSubtitlesOffByDefault(t *testing.T) {
	dir := ffmpegtest.SubtitledHLS(t, 9, ffmpegtest.SubtitleVTT)
	var mu sync.Mutex
	vtt := 0
	fs := http.FileServer(http.Dir(dir))
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, ".vtt") || strings.HasSuffix(r.URL.Path, "_vtt.m3u8") {
			mu.Lock()
			vtt++
			mu.Unlock()
		}
		fs.ServeHTTP(w, r)
	}))
	ts.Config.ReadTimeout, ts.Config.WriteTimeout = 10*time.Second, 10*time.Second
	ts.Start()
	defer ts.Close()
	out, p := playSubtitled(t, ts.URL+"/master.m3u8")
	if len(out.appeared()) != 0 || p.TextTrack() != "" {
		t.Errorf("cues shown without a selection: %v", out.appeared())
	}
	mu.Lock()
	defer mu.Unlock()
	if vtt != 0 {
		t.Errorf("%d subtitle requests without a selection", vtt)
	}
	if err := p.SelectText("nope"); err != player.ErrNoTrack {
		t.Errorf("SelectText(unknown) = %v; want ErrNoTrack", err)
	}
}

// TestSubtitlesSelectedAfterLoadWithoutOutput: with no TextOutput and no
// track at Load the player keeps no text goroutine; SelectText after
// Load starts it, and the track's cues load for Cues.
func TestSubtitlesSelectedAfterLoadWithoutOutput(t *testing.T) {
	dir := ffmpegtest.SubtitledHLS(t, 9, ffmpegtest.SubtitleVTT)
	ts := serveDir(t, dir)
	p, ctx := loadScaled(t, ts.URL+"/master.m3u8")
	id := ""
	for _, tr := range p.Tracks() {
		if tr.Type == "text" {
			id = tr.ID
		}
	}
	if id == "" {
		t.Fatal("no text track in the presentation")
	}
	if err := p.SelectText(id); err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if c := p.Cues(3500 * time.Millisecond); len(c) != 1 || c[0].Text != "Second cue\ntwo lines" {
		t.Errorf("Cues(3.5s) = %+v", c)
	}
}

// ffmpegDASHWithText makes 9 s of DASH video with ffmpeg and adds three
// text adaptation sets to its MPD: an English IMSC1 sidecar file, a
// French 'stpp' track and a German 'wvtt' track in 3 s fMP4 segments
// (made with mp4ff: this ffmpeg writes neither).
func ffmpegDASHWithText(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ffmpegtest.DASHVideo(t, dir, "160x90", 9, 20)
	write := func(name string, b []byte) { ffmpegtest.WriteFile(t, dir, name, b) }
	write("subs.ttml", []byte(`<?xml version="1.0" encoding="UTF-8"?>
<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttp="http://www.w3.org/ns/ttml#parameter"
    ttp:profile="http://www.w3.org/ns/ttml/profile/imsc1/text" xml:lang="en">
  <body><div>
    <p begin="00:00:01.000" end="00:00:02.000">Sidecar one</p>
    <p begin="6s" dur="1.5s">Sidecar<br/>two</p>
  </div></body>
</tt>`))
	docs := []string{
		`<tt xmlns="http://www.w3.org/ns/ttml"><body><div><p begin="00:00:01.500" end="00:00:02.500">Un</p></div></body></tt>`,
		`<tt xmlns="http://www.w3.org/ns/ttml"><body><div></div></body></tt>`,
		`<tt xmlns="http://www.w3.org/ns/ttml"><body><div><p begin="00:00:06.500" end="00:00:08.000">Deux</p></div></body></tt>`,
	}
	init, segs := stppFiles(t, 3000, docs...)
	write("ttml-init.mp4", init)
	for i, s := range segs {
		write("ttml-"+strconv.Itoa(i+1)+".m4s", s)
	}
	winit, wsegs := wvttFiles(t, [][]string{{"", "Eins", ""}, {"", "Zwei", ""}, {"", "", ""}})
	write("vtt-init.mp4", winit)
	for i, s := range wsegs {
		write("vtt-"+strconv.Itoa(i+1)+".m4s", s)
	}
	mpd, err := os.ReadFile(filepath.Join(dir, "manifest.mpd"))
	if err != nil {
		t.Fatal(err)
	}
	sets := `<AdaptationSet id="12" contentType="text" mimeType="application/mp4" codecs="wvtt" lang="de">
  <Representation id="wvtt" bandwidth="1000">
    <SegmentTemplate timescale="1000" duration="3000" initialization="vtt-init.mp4" media="vtt-$Number$.m4s" startNumber="1"/>
  </Representation>
</AdaptationSet>
<AdaptationSet id="10" contentType="text" mimeType="application/ttml+xml" lang="en">
  <Representation id="sidecar" bandwidth="1000"><BaseURL>subs.ttml</BaseURL></Representation>
</AdaptationSet>
<AdaptationSet id="11" contentType="text" mimeType="application/mp4" codecs="stpp" lang="fr">
  <Representation id="stpp" bandwidth="1000">
    <SegmentTemplate timescale="1000" duration="3000" initialization="ttml-init.mp4" media="ttml-$Number$.m4s" startNumber="1"/>
  </Representation>
</AdaptationSet>
</Period>`
	write("manifest.mpd", []byte(strings.Replace(string(mpd), "</Period>", sets, 1)))
	return dir
}

// stppFiles builds an fMP4 'stpp' track (timescale 1000): its init
// segment and one media segment of one sample per doc, each dur long.
func stppFiles(t *testing.T, dur uint32, docs ...string) (init []byte, segs [][]byte) {
	t.Helper()
	in := mp4.CreateEmptyInit()
	trak := in.AddEmptyTrack(1000, "subtitle", "fra")
	if err := trak.SetStppDescriptor("http://www.w3.org/ns/ttml", "", ""); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := in.Encode(&b); err != nil {
		t.Fatal(err)
	}
	init = append([]byte(nil), b.Bytes()...)
	for i, d := range docs {
		frag, err := mp4.CreateFragment(uint32(i+1), trak.Tkhd.TrackID)
		if err != nil {
			t.Fatal(err)
		}
		frag.AddFullSample(mp4.FullSample{Sample: mp4.Sample{Flags: mp4.SyncSampleFlags, Dur: dur, Size: uint32(len(d))},
			DecodeTime: uint64(i) * uint64(dur), Data: []byte(d)})
		ms := mp4.NewMediaSegment()
		ms.AddFragment(frag)
		b.Reset()
		if err := ms.Encode(&b); err != nil {
			t.Fatal(err)
		}
		segs = append(segs, append([]byte(nil), b.Bytes()...))
	}
	return init, segs
}

// TestSubtitlesFromDASH plays ffmpeg-made DASH with an IMSC1 sidecar, an
// 'stpp' and a 'wvtt' track, each chosen by language.
func TestSubtitlesFromDASH(t *testing.T) {
	dir := ffmpegDASHWithText(t)
	ts := serveDir(t, dir)
	tests := []struct {
		lang string
		want map[string]time.Duration
	}{
		{"en", map[string]time.Duration{"Sidecar one": time.Second, "Sidecar\ntwo": 6 * time.Second}},
		{"fra", map[string]time.Duration{"Un": 1500 * time.Millisecond, "Deux": 6500 * time.Millisecond}},
		{"de", map[string]time.Duration{"Eins": time.Second, "Zwei": 4 * time.Second}},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			out, _ := playSubtitled(t, ts.URL+"/manifest.mpd", player.WithTextLanguage(tc.lang))
			checkAppeared(t, out.appeared(), tc.want)
		})
	}
}

// wvttFiles builds an fMP4 'wvtt' track (timescale 1000): its init
// segment and one media segment per entry of segs, of 1 s samples each
// showing the cue text given ("": an empty vtte sample).
func wvttFiles(t *testing.T, segs [][]string) (init []byte, out [][]byte) {
	t.Helper()
	in := mp4.CreateEmptyInit()
	trak := in.AddEmptyTrack(1000, "text", "deu")
	if err := trak.SetWvttDescriptor(""); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := in.Encode(&b); err != nil {
		t.Fatal(err)
	}
	init = append([]byte(nil), b.Bytes()...)
	n := uint64(0)
	for si, texts := range segs {
		frag, err := mp4.CreateFragment(uint32(si+1), trak.Tkhd.TrackID)
		if err != nil {
			t.Fatal(err)
		}
		for _, txt := range texts {
			var box mp4.Box = &mp4.VtteBox{}
			if txt != "" {
				c := &mp4.VttcBox{}
				c.AddChild(&mp4.PaylBox{CueText: txt})
				box = c
			}
			b.Reset()
			if err := box.Encode(&b); err != nil {
				t.Fatal(err)
			}
			data := append([]byte(nil), b.Bytes()...)
			frag.AddFullSample(mp4.FullSample{Sample: mp4.Sample{Flags: mp4.SyncSampleFlags, Dur: 1000, Size: uint32(len(data))},
				DecodeTime: n * 1000, Data: data})
			n++
		}
		ms := mp4.NewMediaSegment()
		ms.AddFragment(frag)
		b.Reset()
		if err := ms.Encode(&b); err != nil {
			t.Fatal(err)
		}
		out = append(out, append([]byte(nil), b.Bytes()...))
	}
	return init, out
}
