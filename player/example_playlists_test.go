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
)

// Many players in one process share their parsed VOD playlists: here
// three viewers reach the same title through differently signed URLs,
// and the media playlist is parsed once.
func ExampleWithPlaylistCache() {
	files := map[string]string{
		"master.m3u8": "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=500000\nlow/media.m3u8\n",
		"low/media.m3u8": "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n" +
			"#EXTINF:2.0,\n1.ts\n#EXTINF:2.0,\n2.ts\n#EXT-X-ENDLIST\n",
		"low/1.ts": "segment one", "low/2.ts": "segment two",
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// /token-N/FILE: each viewer's URLs carry its own token
		_, file, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		fmt.Fprint(w, files[file])
	}))
	defer srv.Close()

	cache := player.NewPlaylistCache(0)
	for i := range 3 {
		p, err := player.New(player.WithClock(clock.NewScaled(20)), player.WithPlaylistCache(cache))
		if err != nil {
			fmt.Println(err)
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := p.Load(ctx, fmt.Sprintf("%s/token-%d/master.m3u8", srv.URL, i)); err == nil {
			err = p.Wait(ctx)
		}
		cancel()
		fmt.Println(p.State(), p.QoE().MediaBytes, "media bytes")
		p.Close()
	}
	hits, parses := cache.Stats()
	fmt.Println(parses, "parse,", hits, "shared")
	// Output:
	// ended 22 media bytes
	// ended 22 media bytes
	// ended 22 media bytes
	// 1 parse, 2 shared
}
