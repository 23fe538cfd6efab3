package manifest

import (
	"errors"
	"strings"
	"testing"
)

// badManifests feeds TestParseErrors and the fuzz seed corpora.
var badManifests = []struct {
	name  string
	input string
	line  int    // want ParseError.Line (0: do not check)
	path  string // want ParseError.Path (DASH)
	field string // want ParseError.Field
}{
	{"hls no header", "#EXT-X-TARGETDURATION:4\n#EXTINF:4,\na.ts\n", 1, "", "EXT-X-TARGETDURATION"},
	{"hls bad extinf", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:four,\na.ts\n", 3, "", "EXTINF"},
	{"hls negative extinf", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:-1,\na.ts\n", 3, "", "EXTINF"},
	{"hls extinf without uri", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\n", 3, "", "EXTINF"},
	{"hls uri without extinf", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-KEY:METHOD=NONE\na.ts\n", 4, "", "EXTINF"},
	{"hls two extinf", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\n#EXTINF:4,\na.ts\n", 4, "", "EXTINF"},
	{"hls bad byterange", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\n#EXT-X-BYTERANGE:12x@0\na.ts\n", 4, "", "EXT-X-BYTERANGE"},
	{"hls byterange no offset first", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\n#EXT-X-BYTERANGE:100\na.ts\n", 4, "", "EXT-X-BYTERANGE"},
	{"hls map without uri", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MAP:BYTERANGE=\"1@0\"\n", 3, "", "EXT-X-MAP URI"},
	{"hls unterminated quote", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-KEY:METHOD=AES-128,URI=\"k\n", 3, "", "EXT-X-KEY"},
	{"hls key without method", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-KEY:URI=\"k\"\n", 3, "", "EXT-X-KEY METHOD"},
	{"hls bad media sequence", "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:x\n", 2, "", "EXT-X-MEDIA-SEQUENCE"},
	{"hls bad playlist type", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-PLAYLIST-TYPE:LIVE\n", 3, "", "EXT-X-PLAYLIST-TYPE"},
	{"hls bad part", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-PART:URI=\"p.mp4\"\n", 3, "", "EXT-X-PART DURATION"},
	{"hls bad preload", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-PRELOAD-HINT:TYPE=SEGMENT,URI=\"p\"\n", 3, "", "EXT-X-PRELOAD-HINT TYPE"},
	{"hls bad server control", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=MAYBE\n", 3, "", "EXT-X-SERVER-CONTROL CAN-BLOCK-RELOAD"},
	{"hls bad pdt", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-PROGRAM-DATE-TIME:yesterday\n", 3, "", "EXT-X-PROGRAM-DATE-TIME"},
	{"hls bad uri escape", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\na%zz.ts\n", 4, "", "URI"},
	{"hls master no bandwidth", "#EXTM3U\n#EXT-X-STREAM-INF:CODECS=\"avc1\"\nv.m3u8\n", 2, "", "EXT-X-STREAM-INF BANDWIDTH"},
	{"hls master bad resolution", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=wide\nv.m3u8\n", 2, "", "EXT-X-STREAM-INF RESOLUTION"},
	{"hls master no uri", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n", 2, "", "EXT-X-STREAM-INF"},
	{"hls master stray uri", "#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"x\",URI=\"a.m3u8\"\nv.m3u8\n", 3, "", "EXT-X-STREAM-INF"},
	{"hls master media tag", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n#EXTINF:4,\n", 4, "", "EXTINF"},
	{"hls master bad media type", "#EXTM3U\n#EXT-X-MEDIA:TYPE=HOLOGRAM,GROUP-ID=\"a\",NAME=\"x\"\n", 2, "", "EXT-X-MEDIA TYPE"},
	{"hls master media without group", "#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,NAME=\"x\"\n", 2, "", "EXT-X-MEDIA GROUP-ID"},
	{"hls master steering without uri", "#EXTM3U\n#EXT-X-CONTENT-STEERING:PATHWAY-ID=\"a\"\n", 2, "", "EXT-X-CONTENT-STEERING SERVER-URI"},
	{"dash not xml", "<MPD", 1, "", ""},
	{"dash wrong root", "<?xml version=\"1.0\"?>\n<Playlist/>", 1, "MPD", ""},
	{"dash bad duration", "<MPD type=\"static\"\n mediaPresentationDuration=\"10 seconds\"><Period/></MPD>", 1, "MPD", "mediaPresentationDuration"},
	{"dash bad bandwidth", "<MPD type=\"static\" mediaPresentationDuration=\"PT10S\">\n<Period>\n<AdaptationSet>\n<Representation id=\"a\" bandwidth=\"lots\"/>\n</AdaptationSet></Period></MPD>", 4, "MPD/Period[0]/AdaptationSet[0]/Representation[0]", "bandwidth"},
	{"dash bad type", "<MPD type=\"live\"><Period/></MPD>", 1, "MPD", "type"},
	{"dash dynamic without ast", "<MPD type=\"dynamic\"><Period/></MPD>", 1, "MPD", "availabilityStartTime"},
	{"dash no periods", "<MPD type=\"static\" mediaPresentationDuration=\"PT1S\"></MPD>", 1, "MPD", "Period"},
	{"dash unknown identifier", "<MPD type=\"static\" mediaPresentationDuration=\"PT10S\">\n<Period>\n<AdaptationSet>\n<SegmentTemplate duration=\"2\" media=\"$Frame$.m4s\"/>\n<Representation id=\"a\" bandwidth=\"1\"/>\n</AdaptationSet></Period></MPD>", 4, "MPD/Period[0]/AdaptationSet[0]/SegmentTemplate", "media"},
	{"dash template without number", "<MPD type=\"static\" mediaPresentationDuration=\"PT10S\">\n<Period>\n<AdaptationSet>\n<Representation id=\"a\" bandwidth=\"1\">\n<SegmentTemplate duration=\"2\" media=\"seg.m4s\"/>\n</Representation>\n</AdaptationSet></Period></MPD>", 5, "MPD/Period[0]/AdaptationSet[0]/Representation[0]/SegmentTemplate", "media"},
	{"dash timeline zero d", "<MPD type=\"static\" mediaPresentationDuration=\"PT10S\">\n<Period>\n<AdaptationSet>\n<SegmentTemplate media=\"$Number$.m4s\">\n<SegmentTimeline>\n<S t=\"0\" d=\"2\"/>\n<S d=\"0\"/>\n</SegmentTimeline></SegmentTemplate>\n<Representation id=\"a\" bandwidth=\"1\"/>\n</AdaptationSet></Period></MPD>", 7, "MPD/Period[0]/AdaptationSet[0]/SegmentTemplate/SegmentTimeline/S[1]", "d"},
	{"dash timeline huge r", "<MPD type=\"static\" mediaPresentationDuration=\"PT10S\">\n<Period>\n<AdaptationSet>\n<SegmentTemplate media=\"$Number$.m4s\">\n<SegmentTimeline>\n<S t=\"0\" d=\"2\" r=\"2000000000\"/>\n</SegmentTimeline></SegmentTemplate>\n<Representation id=\"a\" bandwidth=\"1\"/>\n</AdaptationSet></Period></MPD>", 6, "MPD/Period[0]/AdaptationSet[0]/SegmentTemplate/SegmentTimeline/S[0]", "r"},
	{"dash timeline backwards", "<MPD type=\"static\" mediaPresentationDuration=\"PT10S\">\n<Period>\n<AdaptationSet>\n<SegmentTemplate media=\"$Time$.m4s\">\n<SegmentTimeline>\n<S t=\"10\" d=\"2\"/>\n<S t=\"5\" d=\"2\"/>\n</SegmentTimeline></SegmentTemplate>\n<Representation id=\"a\" bandwidth=\"1\"/>\n</AdaptationSet></Period></MPD>", 7, "MPD/Period[0]/AdaptationSet[0]/SegmentTemplate/SegmentTimeline/S[1]", "t"},
	{"dash bad index range", "<MPD type=\"static\" mediaPresentationDuration=\"PT10S\">\n<Period>\n<AdaptationSet>\n<Representation id=\"a\" bandwidth=\"1\">\n<SegmentBase indexRange=\"900-800\"/>\n</Representation>\n</AdaptationSet></Period></MPD>", 5, "MPD/Period[0]/AdaptationSet[0]/Representation[0]/SegmentBase", "indexRange"},
	{"dash bad media range", "<MPD type=\"static\" mediaPresentationDuration=\"PT10S\">\n<Period>\n<AdaptationSet>\n<Representation id=\"a\" bandwidth=\"1\">\n<SegmentList duration=\"10\">\n<SegmentURL media=\"a.m4s\" mediaRange=\"x\"/>\n</SegmentList>\n</Representation>\n</AdaptationSet></Period></MPD>", 6, "MPD/Period[0]/AdaptationSet[0]/Representation[0]/SegmentList/SegmentURL[0]", "mediaRange"},
	{"dash static template no duration", "<MPD type=\"static\">\n<Period>\n<AdaptationSet>\n<SegmentTemplate duration=\"2\" media=\"$Number$.m4s\"/>\n<Representation id=\"a\" bandwidth=\"1\"/>\n</AdaptationSet></Period></MPD>", 4, "MPD/Period[0]/AdaptationSet[0]/SegmentTemplate", "duration"},
	{"dash doctype", "<?xml version=\"1.0\"?>\n<!-- <!DOCTYPE in a comment> -->\n<!DOCTYPE MPD [<!ENTITY x \"y\">]>\n<MPD/>", 3, "MPD", ""},
	{"dash broken declaration", "<!n[>dPeriod>", 1, "MPD", ""},
	{"neither", "hello", 1, "", ""},
}

func TestParseErrors(t *testing.T) {
	for _, tt := range badManifests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.input), "https://origin.example/t1/x")
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, nil; want an error", tt.input, p)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse error %T %v; want *ParseError", err, err)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("errors.Is(%v, ErrMalformed) = false", err)
			}
			if pe.URI != "https://origin.example/t1/x" {
				t.Errorf("error URI = %q", pe.URI)
			}
			if tt.line != 0 && pe.Line != tt.line {
				t.Errorf("Parse error line = %d; want %d (%v)", pe.Line, tt.line, err)
			}
			if pe.Path != tt.path {
				t.Errorf("Parse error path = %q; want %q (%v)", pe.Path, tt.path, err)
			}
			if pe.Field != tt.field {
				t.Errorf("Parse error field = %q; want %q (%v)", pe.Field, tt.field, err)
			}
			if !strings.HasPrefix(err.Error(), pe.URI) {
				t.Errorf("message %q does not start with the URI", err)
			}
		})
	}
}
