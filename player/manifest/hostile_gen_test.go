package manifest

import (
	"fmt"
	"strings"
)

// Hostile inputs from the security review, built at any size.

// manyRepsMPD is one AdaptationSet with n Representations.
func manyRepsMPD(n int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT60S" minBufferTime="PT2S">
<Period><AdaptationSet contentType="video" mimeType="video/mp4">
<SegmentTemplate timescale="1000" duration="2000" initialization="$RepresentationID$/init.mp4" media="$RepresentationID$/$Number$.m4s"/>
`)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "<Representation id=\"r%d\" bandwidth=\"%d\" width=\"640\" height=\"360\" codecs=\"avc1.64001f\"/>\n", i, 100000+i)
	}
	b.WriteString("</AdaptationSet></Period></MPD>\n")
	return []byte(b.String())
}

// manyPeriodsMPD is n Periods of one Representation each.
func manyPeriodsMPD(n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT%dS" minBufferTime="PT2S">
`, 2*n)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `<Period id="p%d" duration="PT2S"><AdaptationSet contentType="video" mimeType="video/mp4"><SegmentTemplate timescale="1000" duration="2000" media="p%d/$Number$.m4s"/><Representation id="v" bandwidth="100000"/></AdaptationSet></Period>
`, i, i)
	}
	b.WriteString("</MPD>\n")
	return []byte(b.String())
}

// manyVariantsMaster is an HLS master playlist with n variants.
func manyVariantsMaster(n int) []byte {
	var b strings.Builder
	b.WriteString("#EXTM3U\n#EXT-X-VERSION:7\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "#EXT-X-STREAM-INF:BANDWIDTH=%d,RESOLUTION=640x360,CODECS=\"avc1.64001f,mp4a.40.2\"\nv%d/index.m3u8\n", 100000+i, i)
	}
	return []byte(b.String())
}

// manySetsMPD is one Period with n AdaptationSets.
func manySetsMPD(n int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT60S" minBufferTime="PT2S">
<Period>
`)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `<AdaptationSet contentType="audio" mimeType="audio/mp4" lang="l%d"><SegmentTemplate timescale="1000" duration="2000" media="a%d/$Number$.m4s"/><Representation id="a%d" bandwidth="64000"/></AdaptationSet>
`, i, i, i)
	}
	b.WriteString("</Period></MPD>\n")
	return []byte(b.String())
}
