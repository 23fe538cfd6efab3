package player_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/player/transport"
)

// A virtual-time driver: the core is stepped with the time and the
// outcome of each fetch; here every transfer takes 100ms.
func ExampleCore() {
	p := &manifest.Presentation{Format: manifest.FormatDASH, URI: "http://cdn.test/m.mpd", Duration: 6 * time.Second}
	r := manifest.Rendition{ID: "v", Type: manifest.Video, Bandwidth: 1_000_000, Loaded: true, EndList: true}
	for i := 0; i < 3; i++ {
		r.Segments = append(r.Segments, manifest.Segment{Number: uint64(i + 1), Start: time.Duration(i) * 2 * time.Second,
			Duration: 2 * time.Second, URI: fmt.Sprintf("http://cdn.test/v/%d.m4s", i+1)})
	}
	p.Periods = []manifest.Period{{Sets: []manifest.AdaptationSet{{Type: manifest.Video, Renditions: []manifest.Rendition{r}}}}}

	c := player.NewCore(player.CoreConfig{Listener: player.ListenerFunc(func(e player.Event) {
		switch e.Kind {
		case player.EventFirstFrame, player.EventEnded:
			fmt.Printf("%v at %v\n", e.Kind, e.At)
		}
	})})
	c.LoadPresentation(0, p)
	now := time.Duration(0)
	var acts []player.Action
	for c.State() != player.StateEnded {
		var wake time.Duration
		acts, wake = c.Poll(now, acts[:0])
		if len(acts) == 0 {
			now = wake
			continue
		}
		now += 100 * time.Millisecond
		for _, a := range acts {
			if a.Op == player.OpFetch && a.Kind == transport.KindMedia {
				fmt.Println("fetch", a.URL)
			}
			c.Complete(now, a.ID, player.Outcome{Status: 200, Bytes: a.Size, Duration: 100 * time.Millisecond})
		}
	}
	fmt.Printf("played %v\n", c.QoE(now).PlayTime)
	// Output:
	// fetch http://cdn.test/v/1.m4s
	// first_frame at 100ms
	// fetch http://cdn.test/v/2.m4s
	// fetch http://cdn.test/v/3.m4s
	// ended at 6.1s
	// played 6s
}

// Playing an HLS stream in real time over HTTP; the clock runs 20 times
// faster to keep the example short.
func ExampleNew() {
	files := map[string]string{
		"/master.m3u8": "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=500000\nlow.m3u8\n",
		"/low.m3u8": "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n" +
			"#EXTINF:2.0,\n1.ts\n#EXTINF:2.0,\n2.ts\n#EXT-X-ENDLIST\n",
		"/1.ts": "segment one", "/2.ts": "segment two",
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, files[r.URL.Path])
	}))
	defer srv.Close()

	p, err := player.New(player.WithClock(player.NewScaledClock(20)))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Load(ctx, srv.URL+"/master.m3u8"); err != nil {
		fmt.Println(err)
		return
	}
	if err := p.Wait(ctx); err != nil {
		fmt.Println(err)
		return
	}
	q := p.QoE()
	fmt.Println(p.State(), q.Segments, "segments,", q.MediaBytes, "media bytes")
	// Output: ended 2 segments, 22 media bytes
}

func ExampleParseBitrate() {
	for _, s := range []string{"800k", "2.5M", "3000000"} {
		bps, _ := player.ParseBitrate(s)
		fmt.Println(bps, player.FormatBitrate(float64(bps)))
	}
	// Output:
	// 800000 800 kbit/s
	// 2500000 2.50 Mbit/s
	// 3000000 3.00 Mbit/s
}
