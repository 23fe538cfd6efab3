package player_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/text"
)

// Subtitles in English, printed as the playhead reaches them.
func ExampleWithTextOutput() {
	files := map[string]string{
		"/master.m3u8": "#EXTM3U\n" +
			`#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",LANGUAGE="en",NAME="English",URI="subs.m3u8"` + "\n" +
			`#EXT-X-STREAM-INF:BANDWIDTH=400000,CODECS="avc1.42c00d,mp4a.40.2",SUBTITLES="subs"` + "\nv.m3u8\n",
		"/v.m3u8":    "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nv0.ts\n#EXT-X-ENDLIST\n",
		"/subs.m3u8": "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\ns0.vtt\n#EXT-X-ENDLIST\n",
		"/s0.vtt":    "WEBVTT\n\n00:00.200 --> 00:00.800\nHello\n\n00:01.000 --> 00:01.400\n<i>world</i>\n",
		"/v0.ts":     "a few bytes: the headless player does not decode",
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if b, ok := files[r.URL.Path]; ok {
			_, _ = w.Write([]byte(b))
			return
		}
		http.NotFound(w, r)
	}))
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = 10*time.Second, 10*time.Second
	srv.Start()
	defer srv.Close()

	show := player.TextOutputFunc(func(pos time.Duration, cues []text.Cue) {
		var lines []string
		for _, c := range cues {
			lines = append(lines, c.Text)
		}
		fmt.Printf("[%s]\n", strings.Join(lines, " / "))
	})
	p, err := player.New(player.WithClock(clock.NewScaled(4)), // 4x real time
		player.WithTextLanguage("en"), player.WithTextOutput(show))
	if err != nil {
		panic(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Load(ctx, srv.URL+"/master.m3u8"); err != nil {
		panic(err)
	}
	if err := p.Wait(ctx); err != nil {
		panic(err)
	}
	// Output:
	// [Hello]
	// []
	// [world]
	// []
}
