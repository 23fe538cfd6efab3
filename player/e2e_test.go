package player_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/steering"
	"github.com/abrkit/abrkit/simulator/backend/packager"
)

// shaped serves a packaged title at bps (bits per second of the given
// clock's time) and counts what it served.
type shaped struct {
	pkg   *packager.Package
	clock *clock.Scaled
	bps   float64
	fail  func(path string) bool

	mu       sync.Mutex
	bytes    int64 // all bytes served
	media    int64 // init and media segment bytes
	segments int   // media segments served
}

func (s *shaped) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/"+s.pkg.Title().ID+"/")
	if s.fail != nil && s.fail(path) {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	data, err := s.pkg.Open(path)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Length", itoa(len(data)))
	const chunk = 16 << 10
	for off := 0; off < len(data); off += chunk {
		end := min(off+chunk, len(data))
		// pace by the player's clock: chunk bits at s.bps
		time.Sleep(s.clock.Real(time.Duration(float64(end-off) * 8 / s.bps * float64(time.Second))))
		if _, err := w.Write(data[off:end]); err != nil {
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bytes += int64(len(data))
	if strings.HasSuffix(path, ".m4s") || strings.HasSuffix(path, ".mp4") {
		s.media += int64(len(data))
	}
	if strings.HasSuffix(path, ".m4s") {
		s.segments++
	}
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

func title(t *testing.T) *packager.Package {
	t.Helper()
	pkg, err := packager.Build(packager.Title{ID: "t1", Duration: 8 * time.Second, SegmentDuration: 2 * time.Second,
		LadderKbps: []int{300, 800, 1600}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return pkg
}

func TestPlayerEndToEnd(t *testing.T) {
	pkg := title(t)
	for _, manifest := range []string{packager.MasterPlaylist, packager.DASHManifest} {
		t.Run(manifest, func(t *testing.T) {
			clock := clock.NewScaled(16)
			srv := &shaped{pkg: pkg, clock: clock, bps: 6e6}
			ts := httptest.NewServer(srv)
			defer ts.Close()
			var mu sync.Mutex
			kinds := map[player.EventKind]int{}
			p, err := player.New(player.WithClock(clock), player.WithListener(player.ListenerFunc(func(e player.Event) {
				mu.Lock()
				kinds[e.Kind]++
				mu.Unlock()
			})))
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := p.Load(ctx, ts.URL+"/t1/"+manifest); err != nil {
				t.Fatalf("Load: %v", err)
			}
			if err := p.Wait(ctx); err != nil {
				t.Fatalf("Wait: %v", err)
			}
			q := p.QoE()
			srv.mu.Lock()
			defer srv.mu.Unlock()
			if !q.Ended || q.FatalError != "" {
				t.Errorf("ended %v fatal %q; want ended without error", q.Ended, q.FatalError)
			}
			if q.Bytes != srv.bytes || q.MediaBytes != srv.media || q.Segments != srv.segments {
				t.Errorf("QoE bytes/media/segments = %d/%d/%d; served %d/%d/%d",
					q.Bytes, q.MediaBytes, q.Segments, srv.bytes, srv.media, srv.segments)
			}
			if want := 2 * pkg.SegmentCount(); q.Segments != want {
				t.Errorf("segments = %d; want %d (video + audio)", q.Segments, want)
			}
			if d := pkg.Duration(); q.PlayTime < d-100*time.Millisecond || q.PlayTime > d+100*time.Millisecond {
				t.Errorf("play time = %v; want the title's %v", q.PlayTime, d)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, k := range []player.EventKind{player.EventLoading, player.EventManifestLoaded, player.EventFirstFrame, player.EventEnded} {
				if kinds[k] != 1 {
					t.Errorf("%v events = %d; want 1", k, kinds[k])
				}
			}
		})
	}
}

func TestPlayerCloseWhilePlaying(t *testing.T) {
	pkg := title(t)
	clock := clock.NewScaled(1)
	ts := httptest.NewServer(&shaped{pkg: pkg, clock: clock, bps: 2e6})
	defer ts.Close()
	p, err := player.New(player.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Load(ctx, ts.URL+"/t1/"+packager.MasterPlaylist); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(ctx); err != player.ErrClosed {
		t.Errorf("Wait after Close = %v; want ErrClosed", err)
	}
}

func TestPlayerLoadFailure(t *testing.T) {
	ts := httptest.NewServer(http.NotFoundHandler())
	defer ts.Close()
	p, err := player.New(player.WithClock(clock.NewScaled(100)))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = p.Load(ctx, ts.URL+"/missing.m3u8")
	var pe *player.PlaybackError
	if err == nil || !errors.As(err, &pe) || pe.Status != 404 || !pe.Fatal {
		t.Fatalf("Load = %v; want a fatal PlaybackError with status 404", err)
	}
}

// liveHandler serves an HLS live stream whose window moves with clock:
// 1s segments, a 6-segment window, two variants.
func liveHandler(clock *clock.Scaled, t0 time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		newest := 10 + int(clock.Now().Sub(t0)/time.Second)
		switch {
		case r.URL.Path == "/live/master.m3u8":
			io.WriteString(w, "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=400000\nlow.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=1200000\nhigh.m3u8\n")
		case strings.HasSuffix(r.URL.Path, ".m3u8"):
			name := strings.TrimSuffix(path.Base(r.URL.Path), ".m3u8")
			first := newest - 5
			fmt.Fprintf(w, "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:%d\n", first)
			for n := first; n <= newest; n++ {
				fmt.Fprintf(w, "#EXTINF:1.0,\n%s/%d.ts\n", name, n)
			}
		default:
			size := 400_000 / 8
			if strings.Contains(r.URL.Path, "high") {
				size = 1_200_000 / 8
			}
			w.Write(make([]byte, size))
		}
	})
}

func TestPlayerLiveEndToEnd(t *testing.T) {
	clock := clock.NewScaled(20)
	ts := httptest.NewServer(liveHandler(clock, clock.Now()))
	defer ts.Close()
	p, err := player.New(player.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.Load(ctx, ts.URL+"/live/master.m3u8"); err != nil {
		t.Fatal(err)
	}
	// 20s of player time: 2s of wall time
	wctx, wcancel := context.WithTimeout(ctx, clock.Real(20*time.Second))
	defer wcancel()
	if err := p.Wait(wctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait = %v; want the live stream to go on until the deadline", err)
	}
	q := p.QoE()
	if !q.Started || q.FatalError != "" || q.Segments < 8 {
		t.Errorf("started %v fatal %q segments %d; want started, no error, >= 8 segments", q.Started, q.FatalError, q.Segments)
	}
	// The timeline starts at the first window (segments 5-10, edge 6s); the
	// player starts 3 target durations behind the edge, at 3s, and the
	// edge is at 26s after 20s.
	if pos := p.Position(); pos < 15*time.Second || pos > 26*time.Second {
		t.Errorf("position = %v; want near the live edge minus 3s (about 22s)", pos)
	}
}

func TestPlayerFailoverBetweenEdges(t *testing.T) {
	pkg := title(t)
	clock := clock.NewScaled(16)
	var mu sync.Mutex
	down := false
	a := &shaped{pkg: pkg, clock: clock, bps: 8e6, fail: func(path string) bool {
		mu.Lock()
		defer mu.Unlock()
		return down && strings.HasSuffix(path, ".m4s")
	}}
	b := &shaped{pkg: pkg, clock: clock, bps: 8e6}
	tsA, tsB := httptest.NewServer(a), httptest.NewServer(b)
	defer tsA.Close()
	defer tsB.Close()
	var changes []player.Event
	p, err := player.New(player.WithClock(clock),
		player.WithEdges([]steering.Edge{{ID: "a", URL: tsA.URL + "/t1/"}, {ID: "b", URL: tsB.URL + "/t1/"}}),
		player.WithListener(player.ListenerFunc(func(e player.Event) {
			switch e.Kind {
			case player.EventServerChange:
				changes = append(changes, e)
			case player.EventSegmentLoaded:
				mu.Lock()
				down = true // edge a fails after the first segment
				mu.Unlock()
			}
		})))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.Load(ctx, tsA.URL+"/t1/"+packager.MasterPlaylist); err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(ctx); err != nil {
		t.Fatalf("Wait = %v; want the title to end on edge b", err)
	}
	q := p.QoE()
	if q.ServerChanges < 1 || q.Errors < 1 {
		t.Errorf("server changes %d errors %d; want >= 1 each", q.ServerChanges, q.Errors)
	}
	if len(changes) == 0 || changes[0].FromServer != "a" || changes[0].Server != "b" {
		t.Errorf("server change events = %+v; want a -> b first", changes)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.segments == 0 {
		t.Errorf("edge b served no segments")
	}
}

func TestPlayerDecoderGetsInitThenMedia(t *testing.T) {
	pkg := title(t)
	clock := clock.NewScaled(16)
	ts := httptest.NewServer(&shaped{pkg: pkg, clock: clock, bps: 20e6})
	defer ts.Close()
	var mu sync.Mutex
	got := map[player.Track][]player.Media{}
	dec := player.DecoderFunc(func(m player.Media) error {
		mu.Lock()
		defer mu.Unlock()
		m.Data = append([]byte(nil), m.Data[:min(len(m.Data), 8)]...)
		got[m.Track] = append(got[m.Track], m)
		return nil
	})
	playToEnd(t, ts.URL+"/t1/"+packager.MasterPlaylist, player.WithClock(clock), player.WithDecoder(dec))
	mu.Lock()
	defer mu.Unlock()
	for _, tr := range []player.Track{player.TrackVideo, player.TrackAudio} {
		ms := got[tr]
		if len(ms) == 0 || !ms[0].Init {
			t.Fatalf("%v: first item is not an init segment (%d items)", tr, len(ms))
		}
		media := 0
		for _, m := range ms {
			if len(m.Data) == 0 {
				t.Errorf("%v: empty data", tr)
			}
			if !m.Init {
				media++
			}
		}
		if media != pkg.SegmentCount() {
			t.Errorf("%v: %d media segments decoded; want %d", tr, media, pkg.SegmentCount())
		}
		if string(ms[0].Data[4:8]) != "ftyp" {
			t.Errorf("%v: init data starts %q; want an ftyp box", tr, ms[0].Data)
		}
	}
}

func TestPlayerCloseFromListener(t *testing.T) {
	pkg := title(t)
	clock := clock.NewScaled(16)
	ts := httptest.NewServer(&shaped{pkg: pkg, clock: clock, bps: 8e6})
	defer ts.Close()
	var p *player.Player
	p, err := player.New(player.WithClock(clock), player.WithListener(player.ListenerFunc(func(e player.Event) {
		if e.Kind == player.EventFirstFrame {
			p.Close() // must not deadlock
		}
	})))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Load(ctx, ts.URL+"/t1/"+packager.MasterPlaylist); err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(ctx); !errors.Is(err, player.ErrClosed) {
		t.Errorf("Wait = %v; want ErrClosed", err)
	}
	if !p.QoE().Started {
		t.Errorf("QoE not started after the first frame")
	}
}
