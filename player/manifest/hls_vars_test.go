package manifest

import (
	"errors"
	"testing"
)

func TestHLSVariables(t *testing.T) {
	master := "#EXTM3U\n#EXT-X-DEFINE:NAME=\"cdn\",VALUE=\"https://cdn.example/t1\"\n#EXT-X-DEFINE:QUERYPARAM=\"token\"\n" +
		"#EXT-X-STREAM-INF:BANDWIDTH=1\n{$cdn}/v/index.m3u8?token={$token}\n"
	p, err := ParseHLS([]byte(master), "https://o.example/m.m3u8?token=abc")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Periods[0].Sets[0].Renditions[0].PlaylistURI; got != "https://cdn.example/t1/v/index.m3u8?token=abc" {
		t.Errorf("variant URI = %q", got)
	}
	media := "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-DEFINE:IMPORT=\"cdn\"\n#EXT-X-DEFINE:NAME=\"seg\",VALUE=\"s\"\n" +
		"#EXT-X-MAP:URI=\"{$cdn}/init.mp4\"\n#EXTINF:4,\n{$seg}1.m4s\n"
	m, err := ParseHLSMediaWithVars([]byte(media), "https://cdn.example/t1/v/index.m3u8", p.Variables)
	if err != nil {
		t.Fatal(err)
	}
	if m.Init.URI != "https://cdn.example/t1/init.mp4" || m.Segments[0].URI != "https://cdn.example/t1/v/s1.m4s" {
		t.Errorf("init %q segment %q", m.Init.URI, m.Segments[0].URI)
	}

	bad := []struct {
		name, in string
		master   map[string]string
		line     int
		field    string
	}{
		{"undefined", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\n{$x}.ts\n", nil, 4, "URI"},
		{"import without master", "#EXTM3U\n#EXT-X-DEFINE:IMPORT=\"x\"\n#EXT-X-MAP:URI=\"{$x}\"\n", nil, 3, "EXT-X-MAP"},
		{"import missing in master", "#EXTM3U\n#EXT-X-DEFINE:IMPORT=\"x\"\n", map[string]string{"y": "1"}, 2, "EXT-X-DEFINE IMPORT"},
		{"defined twice", "#EXTM3U\n#EXT-X-DEFINE:NAME=\"a\",VALUE=\"1\"\n#EXT-X-DEFINE:NAME=\"a\",VALUE=\"2\"\n", nil, 3, "EXT-X-DEFINE NAME"},
		{"missing query param", "#EXTM3U\n#EXT-X-DEFINE:QUERYPARAM=\"k\"\n", nil, 2, "EXT-X-DEFINE QUERYPARAM"},
		{"neither form", "#EXTM3U\n#EXT-X-DEFINE:VALUE=\"1\"\n", nil, 2, "EXT-X-DEFINE"},
		{"unterminated", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\n{$x.ts\n", nil, 4, "URI"},
	}
	for _, tt := range bad {
		_, err := ParseHLSMediaWithVars([]byte(tt.in), "https://o.example/v.m3u8", tt.master)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: error %v; want *ParseError", tt.name, err)
			continue
		}
		if pe.Line != tt.line || pe.Field != tt.field {
			t.Errorf("%s: error at line %d field %q (%v); want line %d field %q", tt.name, pe.Line, pe.Field, err, tt.line, tt.field)
		}
	}
}
