package player_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/simulator/backend/packager"
)

// Players given one PlaylistCache parse each media playlist once between
// them and play as they do alone.
func TestPlaylistCacheSharedBetweenPlayers(t *testing.T) {
	pkg := title(t)
	clk := clock.NewScaled(16)
	srv := &shaped{pkg: pkg, clock: clk, bps: 6e6}
	var mu sync.Mutex
	playlists := map[string]int{}        // by path
	bodies := map[string]bool{}          // playlist bodies served
	dirs := map[string]map[string]bool{} // files fetched, by directory
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		dir, file := path.Split(r.URL.Path)
		if file == "media.m3u8" {
			playlists[r.URL.Path]++
			if b, err := pkg.Open(strings.TrimPrefix(r.URL.Path, "/t1/")); err == nil {
				bodies[string(b)] = true
			}
		}
		if dirs[dir] == nil {
			dirs[dir] = map[string]bool{}
		}
		dirs[dir][file] = true
		mu.Unlock()
		srv.ServeHTTP(w, r)
	}))
	defer ts.Close()
	cache := player.NewPlaylistCache(0)
	const players = 4
	var wg sync.WaitGroup
	qoe := make([]player.QoE, players)
	for i := range players {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := player.New(player.WithClock(clk), player.WithPlaylistCache(cache))
			if err != nil {
				t.Error(err)
				return
			}
			defer p.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := p.Load(ctx, ts.URL+"/t1/"+packager.MasterPlaylist); err != nil {
				t.Errorf("Load: %v", err)
				return
			}
			if err := p.Wait(ctx); err != nil {
				t.Errorf("Wait: %v", err)
			}
			qoe[i] = p.QoE()
		}()
	}
	wg.Wait()
	for i, q := range qoe {
		if !q.Ended || q.FatalError != "" || q.Segments != 2*pkg.SegmentCount() {
			t.Errorf("player %d: ended %v fatal %q segments %d; want ended, no error, %d segments", i, q.Ended, q.FatalError, q.Segments, 2*pkg.SegmentCount())
		}
	}
	mu.Lock()
	defer mu.Unlock()
	fetched := 0
	for _, n := range playlists {
		fetched += n
	}
	hits, parses := cache.Stats()
	// one parse per distinct body (the packager's video playlists
	// differ only in their directory), however many players asked at once
	if parses != int64(len(bodies)) || hits+parses != int64(fetched) || hits == 0 {
		t.Errorf("cache: %d hits, %d parses for %d fetches of %d playlists with %d distinct bodies; want one parse per body and the rest hits",
			hits, parses, fetched, len(playlists), len(bodies))
	}
	// each level's media comes from the directory of its own playlist
	for dir, files := range dirs {
		if files["media.m3u8"] && !files["init.mp4"] {
			t.Errorf("%s: playlist fetched but no init segment from it (fetched %v)", dir, files)
		}
		if files["init.mp4"] && !files["media.m3u8"] {
			t.Errorf("%s: media fetched without its playlist (fetched %v)", dir, files)
		}
	}
}

// A playlist that does not parse is still the player's error to report,
// with or without a cache.
func TestPlaylistCacheBadPlaylist(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/master.m3u8":
			w.Write([]byte("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=500000\nv.m3u8\n"))
		default:
			w.Write([]byte("not a playlist"))
		}
	}))
	defer ts.Close()
	cache := player.NewPlaylistCache(1)
	p, err := player.New(player.WithClock(clock.NewScaled(16)), player.WithPlaylistCache(cache))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.Load(ctx, ts.URL+"/master.m3u8"); err != nil {
		t.Fatalf("Load: %v", err)
	}
	err = p.Wait(ctx)
	if q := p.QoE(); err == nil || !strings.Contains(q.FatalError, "manifest") {
		t.Errorf("Wait = %v, fatal %q; want a manifest error", err, q.FatalError)
	}
}
