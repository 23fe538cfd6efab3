package download_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/download"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/simulator/backend/packager"
)

// Download a title from an HLS origin and open it for offline playback.
func ExampleManager() {
	pkg, _ := packager.Build(packager.Title{ID: "t1", Duration: 8 * time.Second, SegmentDuration: 2 * time.Second, LadderKbps: []int{300, 800}})
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, err := pkg.Open(strings.TrimPrefix(r.URL.Path, "/t1/"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
	}))
	defer origin.Close()

	dir, _ := os.MkdirTemp("", "downloads")
	defer os.RemoveAll(dir)
	m, err := download.New(download.Config{Dir: dir, MinFree: -1})
	if err != nil {
		log.Fatal(err)
	}
	m.Start()
	defer m.Close()

	id, _ := m.Add(download.Request{
		URL:       origin.URL + "/t1/master.m3u8",
		Selection: download.Selection{MaxHeight: 480},
		Expires:   time.Now().Add(30 * 24 * time.Hour),
	})
	d, _ := m.Await(context.Background(), id)
	fmt.Println(d.State, d.Progress.SegmentsDone, "of", d.Progress.Segments, "files")

	off, err := m.Offline(id)
	if err != nil {
		log.Fatal(err)
	}
	defer off.Close()
	fmt.Println(strings.HasPrefix(off.ManifestURL, "file://"), strings.HasSuffix(off.ManifestURL, download.OfflineManifest))
	// Output:
	// completed 10 of 10 files
	// true true
}

// Offline playback: a completed download plays in the player with its
// fetcher replaced by the download's LocalFetcher, so no request leaves
// the machine. Here the title is downloaded first; then, as a separate
// player process would, the download is opened by folder and ID with the
// manager closed and the origin gone.
func ExampleOpenOffline() {
	pkg, _ := packager.Build(packager.Title{ID: "t1", Duration: 8 * time.Second, SegmentDuration: 2 * time.Second, LadderKbps: []int{300, 800}})
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, err := pkg.Open(strings.TrimPrefix(r.URL.Path, "/t1/"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
	}))
	dir, _ := os.MkdirTemp("", "downloads")
	defer os.RemoveAll(dir)
	m, err := download.New(download.Config{Dir: dir, MinFree: -1})
	if err != nil {
		log.Fatal(err)
	}
	m.Start()
	id, _ := m.Add(download.Request{URL: origin.URL + "/t1/master.m3u8", Selection: download.Selection{Lowest: true}})
	m.Await(context.Background(), id)
	m.Close()      // OpenOffline reads the index of a folder no manager holds
	origin.Close() // the network is gone

	off, err := download.OpenOffline(dir, id, time.Now())
	if err != nil {
		log.Fatal(err)
	}
	defer off.Close()
	p, err := player.New(player.WithFetcher(off.Fetcher), player.WithClock(clock.NewScaled(100)))
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.Load(ctx, off.ManifestURL); err != nil {
		log.Fatal(err)
	}
	if err := p.Wait(ctx); err != nil {
		log.Fatal(err)
	}
	q := p.QoE()
	fmt.Println(p.State(), q.Segments, "segments (video and audio),", q.Stalls, "stalls")
	// Output: ended 8 segments (video and audio), 0 stalls
}
