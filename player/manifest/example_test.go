package manifest_test

import (
	"fmt"
	"time"

	"github.com/abrkit/abrkit/player/manifest"
)

func ExampleParseHLS() {
	master := []byte(`#EXTM3U
#EXT-X-CONTENT-STEERING:SERVER-URI="/steer",PATHWAY-ID="A"
#EXT-X-STREAM-INF:BANDWIDTH=2000000,RESOLUTION=1280x720,PATHWAY-ID="A"
720/index.m3u8
`)
	p, err := manifest.ParseHLS(master, "https://cdn.example/t1/master.m3u8")
	if err != nil {
		fmt.Println(err)
		return
	}
	v := p.Periods[0].Sets[0].Renditions[0]
	fmt.Println(v.Bandwidth, v.Height, v.PlaylistURI, v.Loaded)

	media := []byte("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\nseg1.ts\n#EXTINF:3.5,\nseg2.ts\n#EXT-X-ENDLIST\n")
	m, err := manifest.ParseHLSMedia(media, v.PlaylistURI)
	if err != nil {
		fmt.Println(err)
		return
	}
	v.ApplyMedia(m) // v is this player's copy; p stays shareable
	fmt.Println(len(v.Segments), v.Segments[1].URI, m.Duration, p.Steering.ServerURI)
	// Output:
	// 2000000 720 https://cdn.example/t1/720/index.m3u8 false
	// 2 https://cdn.example/t1/720/seg2.ts 7.5s https://cdn.example/steer
}

func ExampleParseDASH() {
	mpd := []byte(`<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="dynamic" availabilityStartTime="2026-01-01T00:00:00Z" timeShiftBufferDepth="PT6S">
 <Period start="PT0S"><AdaptationSet contentType="video">
  <SegmentTemplate timescale="1" duration="2" startNumber="1" media="$RepresentationID$/$Number%04d$.m4s"/>
  <Representation id="v1" bandwidth="1000000"/>
 </AdaptationSet></Period></MPD>`)
	now := time.Date(2026, 1, 1, 0, 1, 0, 0, time.UTC)
	p, err := manifest.ParseDASH(mpd, "https://cdn.example/live/manifest.mpd")
	if err != nil {
		fmt.Println(err)
		return
	}
	r := p.Periods[0].Sets[0].Renditions[0]
	// The presentation is shared; each viewer asks for its own window.
	for _, s := range r.SegmentsAt(now) {
		fmt.Println(s.Number, s.URI)
	}
	// Output:
	// 27 https://cdn.example/live/v1/0027.m4s
	// 28 https://cdn.example/live/v1/0028.m4s
	// 29 https://cdn.example/live/v1/0029.m4s
	// 30 https://cdn.example/live/v1/0030.m4s
}

func ExampleParseError() {
	_, err := manifest.Parse([]byte("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:four,\na.ts\n"), "https://cdn.example/v.m3u8")
	fmt.Println(err)
	// Output:
	// https://cdn.example/v.m3u8:3: EXTINF: bad duration: bad number "four"
}
