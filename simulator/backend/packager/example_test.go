package packager_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/abrkit/abrkit/simulator/backend/packager"
)

func Example() {
	cat, err := packager.ParseCatalog([]byte(`
titles:
  - id: t1
    duration: 60s
    segment_duration: 4s
    ladder_kbps: [400, 1200, 3000]
`), "catalog.yaml")
	if err != nil {
		log.Fatal(err)
	}
	p, err := packager.Build(cat.Titles[0])
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range p.Renditions() {
		fmt.Println(r.ID, r.Codecs, len(r.SegmentSizes), "segments")
	}
	seg, err := p.Open("v1200/seg_1.m4s") // rendered on demand
	if err != nil {
		log.Fatal(err)
	}
	size, _ := p.Size("v1200/seg_1.m4s")
	fmt.Println(len(seg) == int(size))
	// Output:
	// v400 avc1.4d401e 15 segments
	// v1200 avc1.4d401f 15 segments
	// v3000 avc1.4d401f 15 segments
	// a128 mp4a.40.2 15 segments
	// true
}

func ExampleParseCatalog_error() {
	_, err := packager.ParseCatalog([]byte("titles:\n  - id: t1\n    duration: 60s\n    segments: 4s\n"), "catalog.yaml")
	fmt.Println(err)
	// Output:
	// catalog.yaml:4: titles[0].segments: unknown field: "segments" (known: id, duration, segment_duration, ladder_kbps, seed, frame_rate, audio_kbps, no_audio, resolutions, variability, sidx, encryption)
}

func ExamplePackage_SegmentSizes() {
	p, err := packager.Build(packager.DefaultCatalog(1).Titles[0])
	if err != nil {
		log.Fatal(err)
	}
	sizes := p.SegmentSizes()
	fmt.Println(len(sizes), "renditions,", len(sizes["v6000"]), "segments each")
	// Output:
	// 7 renditions, 150 segments each
}

func ExampleWrite() {
	dir, err := os.MkdirTemp("", "packager")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	cat := &packager.Catalog{Titles: []packager.Title{{
		ID: "demo", Duration: 8 * time.Second, SegmentDuration: 4 * time.Second, LadderKbps: []int{500, 1500},
	}}}
	if err := packager.Write(cat, dir); err != nil {
		log.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "demo", "v500"))
	for _, e := range entries {
		fmt.Println(e.Name())
	}
	// Output:
	// init.mp4
	// media.m3u8
	// seg_1.m4s
	// seg_2.m4s
}

// An encrypted title: a ClearKey CENC DASH title with a random key; the
// MPD names the license server, the init segments carry tenc and pssh.
func ExampleNewProtection() {
	t := packager.Title{ID: "secret", Duration: 8 * time.Second, SegmentDuration: 4 * time.Second, LadderKbps: []int{400},
		Encryption: packager.CENC, Protection: packager.NewProtection("", "https://keys.example/v1/license/secret")}
	p, err := packager.Build(t)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.HasHLS(), p.HasDASH())
	for _, f := range p.Files()[:3] {
		fmt.Println(f)
	}
	// Output:
	// false true
	// manifest.mpd
	// v400/init.mp4
	// v400/seg_1.m4s
}
