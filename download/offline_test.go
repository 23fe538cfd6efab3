package download

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/abrkit/abrkit/player/manifest"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// TestOfflineManifestGolden pins the offline playlists written for a plan
// with video, two audio languages, subtitles, a discontinuity and a file
// name that needs escaping.
func TestOfflineManifestGolden(t *testing.T) {
	pl := &plan{
		Tracks: []planTrack{
			{ID: "v1", Type: manifest.Video, Bandwidth: 2000000, Width: 1280, Height: 720, FrameRate: 25, Codecs: "avc1.64001f", Target: 4 * time.Second, Items: []int{0, 1, 2}, Disc: []int{2}},
			{ID: "a-en", Type: manifest.Audio, Bandwidth: 128000, Codecs: "mp4a.40.2", Lang: "en", Items: []int{3, 4}},
			{ID: "a-fr", Type: manifest.Audio, Bandwidth: 96000, Codecs: "mp4a.40.2", Lang: "fr", Items: []int{5}},
			{ID: "s-en", Type: manifest.Text, Lang: "en", Items: []int{6}},
		},
		Items: []item{
			{Key: "media/v1/init.mp4", Kind: kindInit, Track: 0},
			{Key: "media/v1/seg 1.m4s", Kind: kindMedia, Dur: 4 * time.Second, Init: "media/v1/init.mp4", Track: 0},
			{Key: "media/v1/seg_2.m4s", Kind: kindMedia, Dur: 3500 * time.Millisecond, Init: "media/v1/init.mp4", Track: 0},
			{Key: "media/a/en/init.mp4", Kind: kindInit, Track: 1},
			{Key: "media/a/en/1.m4s", Kind: kindMedia, Dur: 7500 * time.Millisecond, Init: "media/a/en/init.mp4", Track: 1},
			{Key: "media/a/fr/all.ts", Kind: kindTS, Dur: 7500 * time.Millisecond, Track: 2},
			{Key: "media/subs/en.vtt", Kind: kindOther, Dur: 7500 * time.Millisecond, Track: 3},
		},
	}
	dir := t.TempDir()
	fsys, err := OpenRootFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	if err := writeOffline(fsys, pl); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{OfflineManifest, "offline-0.m3u8", "offline-1.m3u8", "offline-2.m3u8", "offline-3.m3u8"} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", "TestOfflineManifestGolden", name)
		if *update {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run with -update)", err)
		}
		if string(got) != string(want) {
			t.Errorf("%s =\n%s\nwant\n%s", name, got, want)
		}
		// Every playlist parses with the player's parser.
		if _, err := manifest.Parse(got, "file:///x/"+name); err != nil {
			t.Errorf("%s does not parse: %v", name, err)
		}
	}
}
