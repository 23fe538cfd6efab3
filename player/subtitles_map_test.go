package player_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/text"
)

// serveFiles serves the given paths on 127.0.0.1; .ts paths not listed
// get a few bytes (the headless player does not decode them).
func serveFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if b, ok := files[r.URL.Path]; ok {
			_, _ = w.Write([]byte(b))
			return
		}
		if strings.HasSuffix(r.URL.Path, ".ts") {
			_, _ = w.Write([]byte("segment"))
			return
		}
		http.NotFound(w, r)
	}))
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = 10*time.Second, 10*time.Second
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}

// mappedHLS is 4 s of HLS with two subtitle tracks whose WebVTT segments
// carry X-TIMESTAMP-MAPs. The English segments write cue times as media
// times with one map to PTS 10 s (900000); the French ones write each
// segment's cues from 0 with a map to the segment's own PTS (as some
// packagers do), the second one wrapped past 2^33.
func mappedHLS(t *testing.T) string {
	media := "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nv0.ts\n#EXTINF:2.0,\nv1.ts\n#EXT-X-ENDLIST\n"
	subs := func(lang string) string {
		return "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n" + lang + "0.vtt\n#EXTINF:2.0,\n" + lang + "1.vtt\n#EXT-X-ENDLIST\n"
	}
	return serveFiles(t, map[string]string{
		"/master.m3u8": `#EXTM3U
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",LANGUAGE="en",NAME="English",URI="en.m3u8"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",LANGUAGE="fr",NAME="Français",URI="fr.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=400000,CODECS="avc1.42c00d,mp4a.40.2",SUBTITLES="subs"
v.m3u8
`,
		"/v.m3u8":  media,
		"/en.m3u8": subs("en"),
		"/fr.m3u8": subs("fr"),
		"/en0.vtt": "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000\n\n00:00:00.500 --> 00:00:01.500\nOne\n",
		"/en1.vtt": "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000\n\n00:00:02.500 --> 00:00:03.500\nTwo\n",
		// The French track starts 1 s before the 33-bit wrap (2^33 - 90000);
		// its second segment's PTS, 2 s later, wrapped to 90000.
		"/fr0.vtt": "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:8589844592,LOCAL:00:00:00.000\n\n00:00:00.250 --> 00:00:01.000\nUn\n",
		"/fr1.vtt": "WEBVTT\nX-TIMESTAMP-MAP=LOCAL:00:00:00.000,MPEGTS:90000\n\n00:00:00.750 --> 00:00:01.250\nDeux\n",
	}) + "/master.m3u8"
}

// TestSubtitlesTimestampMap: cues of segments with X-TIMESTAMP-MAPs are
// delivered at media time: both packager styles give the same timeline.
func TestSubtitlesTimestampMap(t *testing.T) {
	url := mappedHLS(t)
	for _, tc := range []struct {
		lang string
		want map[string]time.Duration
	}{
		{"en", map[string]time.Duration{"One": 500 * time.Millisecond, "Two": 2500 * time.Millisecond}},
		{"fr", map[string]time.Duration{"Un": 250 * time.Millisecond, "Deux": 2750 * time.Millisecond}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			out, p := playSubtitled(t, url, player.WithTextLanguage(tc.lang))
			checkAppeared(t, out.appeared(), tc.want)
			for txt, at := range tc.want {
				if c := p.Cues(at); len(c) != 1 || c[0].Text != txt {
					t.Errorf("Cues(%v) = %+v; want %q", at, c, txt)
				}
			}
		})
	}
}

// TestSelectTextMidPlay: switching tracks from the output mid-play shows
// the new track's cues from then on (and never the old track's "Two"); turning subtitles off takes the
// cue down; Close from the output returns.
func TestSelectTextMidPlay(t *testing.T) {
	url := mappedHLS(t)
	var mu sync.Mutex
	var p *player.Player
	var got []string
	closed := make(chan error, 1)
	out := player.TextOutputFunc(func(pos time.Duration, cues []text.Cue) {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range cues {
			got = append(got, c.Text)
		}
		switch {
		case len(cues) == 1 && cues[0].Text == "One":
			if err := p.SelectText("fr"); err == nil {
				t.Error("SelectText(fr) accepted a language for an ID")
			}
			var fr string
			for _, tr := range p.Tracks() {
				if tr.Type == "text" && tr.Lang == "fr" {
					fr = tr.ID
				}
			}
			if err := p.SelectText(fr); err != nil {
				t.Errorf("SelectText(%q) = %v", fr, err)
			}
		case len(cues) == 1 && cues[0].Text == "Deux":
			if err := p.SelectText(""); err != nil {
				t.Errorf("SelectText(off) = %v", err)
			}
		case len(cues) == 0 && len(got) > 0 && got[len(got)-1] == "Deux" && p.TextTrack() == "":
			closed <- p.Close() // from the text goroutine: must not wait for itself
		}
	})
	var err error
	p, err = player.New(player.WithClock(clock.NewScaled(4)), player.WithTextLanguage("en"), player.WithTextOutput(out))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.Load(ctx, url); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close from the output = %v", err)
		}
	case <-ctx.Done():
		t.Fatal("subtitles never switched and went off")
	}
	mu.Lock()
	defer mu.Unlock()
	// "Un" (0.25-1 s) shows too when the French track loads before 1 s.
	if s := strings.Join(got, ","); s != "One,Deux" && s != "One,Un,Deux" {
		t.Errorf("cues shown %v; want One (en) then the French ones from the switch on", got)
	}
}

// TestSubtitlesAcrossPeriods: a two-period DASH presentation whose
// periods each have an English IMSC1 sidecar (with other set IDs): the
// track follows its language into the second period and the cues are
// placed at the period's start.
func TestSubtitlesAcrossPeriods(t *testing.T) {
	period := func(id, start, textSet, ttml string) string {
		return `<Period id="` + id + `" start="` + start + `" duration="PT2S">
  <AdaptationSet id="1" contentType="video" mimeType="video/mp4" codecs="avc1.42c00d">
    <SegmentTemplate media="` + id + `_$Number$.ts" duration="1" startNumber="1"/>
    <Representation id="v" bandwidth="100000" width="160" height="90"/>
  </AdaptationSet>
  <AdaptationSet id="` + textSet + `" contentType="text" mimeType="application/ttml+xml" lang="en">
    <Representation id="t` + textSet + `" bandwidth="1000"><BaseURL>` + ttml + `</BaseURL></Representation>
  </AdaptationSet>
</Period>`
	}
	ttml := func(txt string) string {
		return `<tt xmlns="http://www.w3.org/ns/ttml"><body><div><p begin="0.5s" end="1.5s">` + txt + `</p></div></body></tt>`
	}
	url := serveFiles(t, map[string]string{
		"/m.mpd": `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT4S" minBufferTime="PT1S"
     profiles="urn:mpeg:dash:profile:isoff-live:2011">` +
			period("p0", "PT0S", "10", "p0.ttml") + period("p1", "PT2S", "20", "p1.ttml") + `</MPD>`,
		"/p0.ttml": ttml("Zero"),
		"/p1.ttml": ttml("One"),
	}) + "/m.mpd"
	out, _ := playSubtitled(t, url, player.WithTextLanguage("en"))
	checkAppeared(t, out.appeared(), map[string]time.Duration{"Zero": 500 * time.Millisecond, "One": 2500 * time.Millisecond})
}

// TestSubtitleErrorsAreNotFatal: a missing text segment (HTTP 404) and
// one that is not WebVTT are reported, after their retries, as non-fatal
// text errors while the player waits paused; the good segment's cue is
// loaded all the same.
func TestSubtitleErrorsAreNotFatal(t *testing.T) {
	media := "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\nv0.ts\n#EXTINF:1.0,\nv1.ts\n#EXTINF:1.0,\nv2.ts\n#EXT-X-ENDLIST\n"
	url := serveFiles(t, map[string]string{
		"/master.m3u8": `#EXTM3U
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",LANGUAGE="en",NAME="English",URI="en.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=400000,CODECS="avc1.42c00d,mp4a.40.2",SUBTITLES="subs"
v.m3u8
`,
		"/v.m3u8":   media,
		"/en.m3u8":  "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\ngone.vtt\n#EXTINF:1.0,\nbad.vtt\n#EXTINF:1.0,\ngood.vtt\n#EXT-X-ENDLIST\n",
		"/bad.vtt":  "not a subtitle file",
		"/good.vtt": "WEBVTT\n\n00:00:02.200 --> 00:00:02.800\nStill here\n",
	}) + "/master.m3u8"
	errs := make(chan player.Event, 8)
	l := player.ListenerFunc(func(e player.Event) {
		if e.Kind == player.EventError {
			errs <- e
		}
	})
	p, err := player.New(player.WithClock(clock.NewScaled(8)), player.WithoutAutoPlay(),
		player.WithTextLanguage("en"), player.WithListener(l))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.Load(ctx, url); err != nil {
		t.Fatal(err)
	}
	cats := map[player.ErrorCategory]int{}
	for len(cats) < 2 {
		select {
		case e := <-errs:
			if e.Fatal || e.Reason != "text" {
				t.Fatalf("error event %+v; want non-fatal with reason text", e)
			}
			cats[e.Category]++
		case <-ctx.Done():
			t.Fatalf("error events by category %v; want one http and one media", cats)
		}
	}
	if cats[player.ErrHTTP] != 1 || cats[player.ErrMedia] != 1 {
		t.Errorf("error events by category %v; want one http and one media", cats)
	}
	if st := p.State(); st == player.StateFailed {
		t.Errorf("state %v after text errors", st)
	}
}

// TestSubtitlesTimestampMapMidStream: starting at 2 s, the first text
// segment fetched is the second; both packager styles still place the
// cues at their media times.
func TestSubtitlesTimestampMapMidStream(t *testing.T) {
	url := mappedHLS(t)
	for _, tc := range []struct {
		lang string
		want map[string]time.Duration
	}{
		{"en", map[string]time.Duration{"Two": 2500 * time.Millisecond}},
		{"fr", map[string]time.Duration{"Deux": 2750 * time.Millisecond}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			out, _ := playSubtitled(t, url, player.WithTextLanguage(tc.lang), player.WithStartPosition(2*time.Second))
			checkAppeared(t, out.appeared(), tc.want)
		})
	}
}

// TestSubtitlesAfterSeek: a seek back (from the output) shows the cue at
// the new position.
func TestSubtitlesAfterSeek(t *testing.T) {
	url := mappedHLS(t)
	var p *player.Player
	seeked := make(chan struct{})
	var once sync.Once
	out := &shown{}
	tee := player.TextOutputFunc(func(pos time.Duration, cues []text.Cue) {
		out.ShowCues(pos, cues)
		if len(cues) == 1 && cues[0].Text == "Two" {
			once.Do(func() {
				p.Seek(time.Second)
				close(seeked)
			})
		}
	})
	var err error
	p, err = player.New(player.WithClock(clock.NewScaled(4)), player.WithTextLanguage("en"), player.WithTextOutput(tee))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.Load(ctx, url); err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	<-seeked
	out.mu.Lock()
	defer out.mu.Unlock()
	var seq []string
	for _, c := range out.calls {
		var ts []string
		for _, q := range c.cues {
			ts = append(ts, q.Text)
		}
		seq = append(seq, strings.Join(ts, "+"))
	}
	// One (0.5-1.5 s), off, Two (2.5-3.5 s); the seek to 1 s shows One
	// again at once, then off, Two, off.
	if got := strings.Join(seq, ","); got != "One,,Two,One,,Two," {
		t.Errorf("cue sequence %q; want One,,Two,One,,Two,", got)
	}
}
