package download

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/internal/ffmpegtest"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/text"
)

// A download that keeps the English subtitles of ffmpeg-made HLS plays
// offline with the origin gone and delivers every cue at its time.
func TestOfflinePlaybackDeliversSubtitles(t *testing.T) {
	vtt := "WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nHello\n\n00:00:05.000 --> 00:00:06.500\nLater <i>on</i>\n"
	dir := ffmpegtest.SubtitledHLS(t, 8, vtt)
	srv := httptest.NewUnstartedServer(http.FileServer(http.Dir(dir)))
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = 10*time.Second, 10*time.Second
	srv.Start()
	defer srv.Close()

	m := startManager(t, testConfig(t))
	id, err := m.Add(Request{URL: srv.URL + "/master.m3u8", Selection: Selection{Subtitles: true, SubtitleLangs: []string{"en"}}})
	if err != nil {
		t.Fatal(err)
	}
	if d := await(t, m, id); d.State != StateCompleted {
		t.Fatalf("state %s %q", d.State, d.Err)
	}
	srv.Close()
	off, err := m.Offline(id)
	if err != nil {
		t.Fatal(err)
	}
	defer off.Close()

	var mu sync.Mutex
	shown := map[string]time.Duration{}
	out := player.TextOutputFunc(func(pos time.Duration, cues []text.Cue) {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range cues {
			if _, ok := shown[c.Text]; !ok {
				shown[c.Text] = pos
			}
		}
	})
	p, err := player.New(player.WithFetcher(off.Fetcher), player.WithClock(clock.NewScaled(8)),
		player.WithTextLanguage("en"), player.WithTextOutput(out))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.Load(ctx, off.ManifestURL); err != nil {
		t.Fatalf("Load(%s) = %v", off.ManifestURL, err)
	}
	if err := p.Wait(ctx); err != nil {
		t.Fatalf("offline playback: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := map[string]time.Duration{"Hello": 500 * time.Millisecond, "Later on": 5 * time.Second}
	for txt, at := range want {
		got, ok := shown[txt]
		if !ok || got < at || got > at+400*time.Millisecond {
			t.Errorf("cue %q shown at %v (%v); want at %v", txt, got, ok, at)
		}
	}
	if len(shown) != len(want) {
		t.Errorf("shown %v; want %v", shown, want)
	}
}
