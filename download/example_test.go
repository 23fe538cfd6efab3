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

	"github.com/abrkit/abrkit/download"
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
