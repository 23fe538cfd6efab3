package manifest

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseAttrs(t *testing.T) {
	tests := []struct {
		in   string
		want []attr
		ok   bool
	}{
		{`BANDWIDTH=1,CODECS="a,b"`, []attr{{"BANDWIDTH", "1", false}, {"CODECS", "a,b", true}}, true},
		{` URI = "x" , DEFAULT=YES `, []attr{{"URI", "x", true}, {"DEFAULT", "YES", false}}, true},
		{`NAME=""`, []attr{{"NAME", "", true}}, true},
		{`A=1,,B=2,`, []attr{{"A", "1", false}, {"B", "2", false}}, true},
		{``, nil, true},
		{`URI="x`, nil, false},
		{`URI="x"y`, nil, false},
		{`NOVALUE`, nil, false},
		{`=1`, nil, false},
	}
	for _, tt := range tests {
		got, err := parseAttrs(tt.in, nil)
		if (err == nil) != tt.ok {
			t.Errorf("parseAttrs(%q) error = %v; want ok %v", tt.in, err, tt.ok)
			continue
		}
		if err == nil && len(got)+len(tt.want) > 0 && !reflect.DeepEqual([]attr(got), tt.want) {
			t.Errorf("parseAttrs(%q) = %+v; want %+v", tt.in, got, tt.want)
		}
	}
}

func TestParseByteRange(t *testing.T) {
	tests := []struct {
		in         string
		n, o       int64
		hasOff, ok bool
	}{
		{"100@20", 100, 20, true, true},
		{"100", 100, 0, false, true},
		{" 7 @ 3 ", 7, 3, true, true},
		{"x@1", 0, 0, false, false},
		{"1@-1", 0, 0, false, false},
		{"9223372036854775807@9223372036854775807", 0, 0, false, false},
	}
	for _, tt := range tests {
		n, o, has, err := parseByteRange(tt.in)
		if (err == nil) != tt.ok || err == nil && (n != tt.n || o != tt.o || has != tt.hasOff) {
			t.Errorf("parseByteRange(%q) = %d, %d, %v, %v; want %d, %d, %v, ok %v", tt.in, n, o, has, err, tt.n, tt.o, tt.hasOff, tt.ok)
		}
	}
}

func TestSniff(t *testing.T) {
	tests := []struct {
		in   string
		want Format
	}{
		{"#EXTM3U\n", FormatHLS},
		{"\ufeff#EXTM3U\r\n", FormatHLS},
		{"# comment\n#EXTM3U\n", FormatHLS},
		{"\n\n<?xml version=\"1.0\"?><MPD/>", FormatDASH},
		{"\ufeff<MPD/>", FormatDASH},
		{"hello", 0},
		{"", 0},
	}
	for _, tt := range tests {
		if got := sniff([]byte(tt.in)); got != tt.want {
			t.Errorf("sniff(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

// TestHLSMediaFeatures checks one feature per case on small playlists.
func TestHLSMediaFeatures(t *testing.T) {
	const head = "#EXTM3U\n#EXT-X-TARGETDURATION:6\n"
	tests := []struct {
		name  string
		body  string
		check func(t *testing.T, m *MediaPlaylist)
	}{
		{"crlf and blanks", "#EXTINF:6,\r\n\r\na.ts\r\n#EXT-X-ENDLIST\r\n", func(t *testing.T, m *MediaPlaylist) {
			if len(m.Segments) != 1 || m.Segments[0].URI != "https://o.example/p/a.ts" || !m.EndList {
				t.Errorf("got %+v", m.Segments)
			}
		}},
		{"key carries over until changed", "#EXT-X-KEY:METHOD=AES-128,URI=\"k1\"\n#EXTINF:6,\na.ts\n#EXTINF:6,\nb.ts\n#EXT-X-KEY:METHOD=AES-128,URI=\"k2\",IV=0x1\n#EXTINF:6,\nc.ts\n", func(t *testing.T, m *MediaPlaylist) {
			k := []string{m.Segments[0].Key.URI, m.Segments[1].Key.URI, m.Segments[2].Key.URI}
			if k[0] != "https://o.example/p/k1" || k[1] != k[0] || k[2] != "https://o.example/p/k2" || m.Segments[2].Key.IV != "0x1" {
				t.Errorf("keys = %v", k)
			}
		}},
		{"byte ranges continue", "#EXTINF:6,\n#EXT-X-BYTERANGE:100@50\nf.ts\n#EXTINF:6,\n#EXT-X-BYTERANGE:200\nf.ts\n", func(t *testing.T, m *MediaPlaylist) {
			if r := m.Segments[1].Range; r == nil || r.Offset != 150 || r.Length != 200 {
				t.Errorf("second range = %+v; want 150+200", r)
			}
		}},
		{"program date time extrapolated, not across discontinuity", "#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00Z\n#EXTINF:6,\na.ts\n#EXTINF:6,\nb.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:6,\nc.ts\n", func(t *testing.T, m *MediaPlaylist) {
			want := time.Date(2026, 1, 1, 0, 0, 6, 0, time.UTC)
			if !m.Segments[1].ProgramDateTime.Equal(want) || !m.Segments[2].ProgramDateTime.IsZero() || !m.Segments[2].Discontinuity {
				t.Errorf("PDTs = %v %v", m.Segments[1].ProgramDateTime, m.Segments[2].ProgramDateTime)
			}
		}},
		{"media sequence numbers and skip", "#EXT-X-MEDIA-SEQUENCE:100\n#EXT-X-SKIP:SKIPPED-SEGMENTS=3\n#EXTINF:6,\na.ts\n", func(t *testing.T, m *MediaPlaylist) {
			var r Rendition
			r.ApplyMedia(m)
			if m.Segments[0].Number != 103 || r.MediaSequence != 103 {
				t.Errorf("number %d, rendition sequence %d; want 103", m.Segments[0].Number, r.MediaSequence)
			}
		}},
		{"iframes only marks independent", "#EXT-X-I-FRAMES-ONLY\n#EXTINF:6,\n#EXT-X-BYTERANGE:10@0\na.ts\n", func(t *testing.T, m *MediaPlaylist) {
			if !m.IFrameOnly || !m.Segments[0].Independent {
				t.Errorf("iframe %v independent %v", m.IFrameOnly, m.Segments[0].Independent)
			}
		}},
		{"start offset", "#EXT-X-START:TIME-OFFSET=-12.5,PRECISE=YES\n#EXTINF:6,\na.ts\n", func(t *testing.T, m *MediaPlaylist) {
			if m.StartOffset == nil || *m.StartOffset != -12500*time.Millisecond {
				t.Errorf("start offset = %v", m.StartOffset)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseHLSMedia([]byte(head+tt.body), "https://o.example/p/media.m3u8")
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, m)
		})
	}
	m, err := ParseHLSMedia([]byte("#EXTM3U\n#EXTINF:6.2,\na.ts\n"), "x.m3u8")
	if err != nil {
		t.Fatal(err)
	}
	if m.TargetDuration != 7*time.Second || len(m.Warnings) != 1 {
		t.Errorf("derived target duration = %v, warnings %q; want 7s and one warning", m.TargetDuration, m.Warnings)
	}
}

func TestParseRenditionReports(t *testing.T) {
	const pl = `#EXTM3U
#EXT-X-VERSION:9
#EXT-X-TARGETDURATION:2
#EXT-X-PART-INF:PART-TARGET=0.5
#EXT-X-MEDIA-SEQUENCE:10
#EXTINF:2,
10.m4s
#EXT-X-RENDITION-REPORT:URI="../v1200/media.m3u8",LAST-MSN=11,LAST-PART=2
#EXT-X-RENDITION-REPORT:URI="../v3000/media.m3u8",LAST-MSN=10
#EXT-X-RENDITION-REPORT:URI="../bad/media.m3u8",LAST-MSN=11,LAST-PART=-1
#EXT-X-RENDITION-REPORT:LAST-MSN=11
`
	m, err := ParseHLSMedia([]byte(pl), "https://e.example/live/v400/media.m3u8")
	if err != nil {
		t.Fatal(err)
	}
	want := []RenditionReport{
		{URI: "https://e.example/live/v1200/media.m3u8", LastMSN: 11, LastPart: 2},
		{URI: "https://e.example/live/v3000/media.m3u8", LastMSN: 10, LastPart: -1},
	}
	if !reflect.DeepEqual(m.RenditionReports, want) {
		t.Errorf("reports = %+v; want %+v", m.RenditionReports, want)
	}
	if len(m.Warnings) != 2 || !strings.Contains(m.Warnings[0], ":10:") || !strings.Contains(m.Warnings[1], "URI") {
		t.Errorf("warnings = %q; want the two bad reports, located", m.Warnings)
	}
}
