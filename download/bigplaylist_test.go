package download

import (
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
)

// hugePlaylist is a VOD media playlist of n segments (22.9 MB for a million).
func hugePlaylist(n int) []byte {
	var b strings.Builder
	b.WriteString("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n")
	for i := range n {
		fmt.Fprintf(&b, "#EXTINF:2.0,\nseg_%07d.ts\n", i)
	}
	b.WriteString("#EXT-X-ENDLIST\n")
	return []byte(b.String())
}

// A 1,000,000-segment playlist is refused with ErrTooLarge before its
// segments are modelled: little memory, nothing stored, a clear reason.
func TestMillionSegmentPlaylistRefused(t *testing.T) {
	body := hugePlaylist(1000000)
	srv := httptestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/big.m3u8" {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	})
	tests := []struct {
		name     string
		maxFiles int
		want     string
	}{
		{"default limit", 0, "more than 200000 segments"},
		{"configured limit", 1000, "more than 1000 segments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			cfg.MaxFiles = tt.maxFiles
			m := startManager(t, cfg)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			id, err := m.Add(Request{URL: srv + "/big.m3u8"})
			if err != nil {
				t.Fatal(err)
			}
			d := await(t, m, id)
			runtime.ReadMemStats(&after)
			if d.State != StateFailed || d.StopReason != StopManifest || !strings.Contains(d.Err, tt.want) || !strings.Contains(d.Err, ErrTooLarge.Error()) {
				t.Fatalf("download = %s/%s %q; want failed/manifest with %q", d.State, d.StopReason, d.Err, tt.want)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 256<<20 {
				t.Errorf("refusing it allocated %d MB; want under 256 MB", alloc>>20)
			}
		})
	}
}

// A download at the file limit lists fast: the listing process reads
// the index read-only in well under a second per 100,000 files.
func TestListAtTheFileLimitIsFast(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("a timing test: builds a 200,000-file index")
	}
	cfg := testConfig(t)
	m := startManager(t, cfg)
	pl := &plan{Tracks: []planTrack{{Bandwidth: 1000000}}}
	var done []segDone
	for i := range DefaultMaxFiles {
		k := fmt.Sprintf("media/seg_%07d.ts", i)
		pl.Items = append(pl.Items, item{Key: k, URL: "http://x/" + k, Kind: kindTS, Dur: 2 * time.Second})
		done = append(done, segDone{key: k, rec: segRec{Size: 250000}})
	}
	if err := m.idx.put(&record{ID: "big", SourceURL: "http://x/big.m3u8", State: StatePaused.String(), Seq: 1}); err != nil {
		t.Fatal(err)
	}
	if err := m.idx.putPlan("big", pl); err != nil {
		t.Fatal(err)
	}
	if err := m.idx.markDone("big", done); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	ro := cfg
	ro.ReadOnly = true
	r, err := New(ro) // while m holds the folder
	if err != nil {
		t.Fatal(err)
	}
	r.Start()
	defer r.Close()
	ds, err := r.List()
	took := time.Since(start)
	if err != nil || len(ds) != 1 || ds[0].Progress.SegmentsDone != DefaultMaxFiles {
		t.Fatalf("List = %+v, %v", ds, err)
	}
	t.Logf("listed a %d-file download in %v", DefaultMaxFiles, took)
	if took > 10*time.Second {
		t.Errorf("List took %v; want well under 10 s", took)
	}
}
