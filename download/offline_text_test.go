package download

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/text"
)

// A download that keeps the English subtitles of ffmpeg-made HLS plays
// offline with the origin gone and delivers every cue at its time.
func TestOfflinePlaybackDeliversSubtitles(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg not found; install it with apt-get install -y --no-install-recommends ffmpeg")
	}
	dir := t.TempDir()
	vtt := "WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nHello\n\n00:00:05.000 --> 00:00:06.500\nLater <i>on</i>\n"
	if err := os.WriteFile(filepath.Join(dir, "in.vtt"), []byte(vtt), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", "testsrc=size=160x90:rate=10", "-f", "lavfi", "-i", "sine", "-i", "in.vtt", "-t", "8",
		"-map", "0:v", "-map", "1:a", "-map", "2:s",
		"-c:v", "libx264", "-preset", "ultrafast", "-g", "20", "-c:a", "aac", "-c:s", "webvtt",
		"-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod", "-master_pl_name", "master.m3u8",
		"-var_stream_map", "v:0,a:0,s:0,sgroup:subs,language:en", "out_%v.m3u8")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
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
