package player_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/abrkit/abrkit/clock"
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
			if a.Op == player.OpBeacon {
				fmt.Println("beacon", a.Beacon) // a driver would post c.QoE(now)
				continue
			}
			if a.Kind == transport.KindMedia {
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
	// beacon start
	// fetch http://cdn.test/v/3.m4s
	// ended at 6.1s
	// beacon end
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

	p, err := player.New(player.WithClock(clock.NewScaled(20)))
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

// newOrigin serves a two-segment HLS VOD stream (master.m3u8).
func newOrigin() *httptest.Server {
	files := map[string]string{
		"/master.m3u8": "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=500000\nlow.m3u8\n",
		"/low.m3u8": "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n" +
			"#EXTINF:2.0,\n1.ts\n#EXTINF:2.0,\n2.ts\n#EXT-X-ENDLIST\n",
		"/1.ts": "segment one", "/2.ts": "segment two",
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, body)
	}))
}

// A listener sees every event in order, called on the player's own
// goroutine: keep it quick (hand events to a channel for a UI thread).
// Which fields are set depends on Event.Kind; segment_loaded comes once
// per media segment with Event.Track telling video from audio.
func ExampleWithListener() {
	srv := newOrigin()
	defer srv.Close()

	segments := 0 // written by the player's goroutine; read after Wait
	l := player.ListenerFunc(func(e player.Event) {
		switch e.Kind {
		case player.EventSegmentLoaded:
			segments++
		case player.EventLoading, player.EventManifestLoaded, player.EventFirstFrame, player.EventEnded:
			fmt.Println(e.Kind)
		}
	})
	p, err := player.New(player.WithListener(l), player.WithClock(clock.NewScaled(20)))
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
	fmt.Println(segments, "segments loaded")
	// Output:
	// loading
	// manifest_loaded
	// first_frame
	// ended
	// 2 segments loaded
}

// counting is a transport.Fetcher that counts requests by kind and
// passes them on to another fetcher. Fetch is called from several
// goroutines at once.
type counting struct {
	next transport.Fetcher
	mu   sync.Mutex
	n    map[transport.Kind]int
}

func (c *counting) Fetch(ctx context.Context, req *transport.Request, progress transport.ProgressFunc) (*transport.Result, error) {
	c.mu.Lock()
	c.n[req.Kind]++
	c.mu.Unlock()
	return c.next.Fetch(ctx, req, progress)
}

// Wrapping the HTTP transport: here to count requests; the same shape
// adds delays, logging or a cache. Keep MaxAttempts at 1 as the default
// does: the player retries and fails over to other servers itself.
func ExampleWithFetcher() {
	srv := newOrigin()
	defer srv.Close()

	c := &counting{n: map[transport.Kind]int{}, next: transport.NewHTTP(transport.HTTPConfig{
		MaxAttempts: 1,
		Filters:     []transport.Filter{transport.HeaderFilter("Authorization", "Bearer example")},
	})}
	p, err := player.New(player.WithFetcher(c), player.WithClock(clock.NewScaled(20)))
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
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range []transport.Kind{transport.KindManifest, transport.KindMedia} {
		fmt.Println(k, c.n[k])
	}
	// Output:
	// manifest 2
	// media 2
}

// A Decoder receives the bytes of every segment, per track in download
// order (init before the media that need it), on a fetch goroutine; the
// data is valid during the call only. Returning an error fails that
// segment like a network error.
func ExampleWithDecoder() {
	srv := newOrigin()
	defer srv.Close()

	var mu sync.Mutex
	var got []string
	dec := player.DecoderFunc(func(m player.Media) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, fmt.Sprintf("%v #%d %q", m.Track, m.Number, m.Data)) // Number: HLS media sequence
		return nil
	})
	p, err := player.New(player.WithDecoder(dec), player.WithClock(clock.NewScaled(20)))
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
	mu.Lock()
	defer mu.Unlock()
	for _, s := range got {
		fmt.Println(s)
	}
	// Output:
	// video #0 "segment one"
	// video #1 "segment two"
}
