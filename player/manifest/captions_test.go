package manifest

import (
	"reflect"
	"testing"
)

func TestCaptionsSignalled(t *testing.T) {
	const master = `#EXTM3U
#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID="cc",NAME="English",LANGUAGE="en",DEFAULT=YES,INSTREAM-ID="CC1"
#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID="cc",NAME="Español",LANGUAGE="es",INSTREAM-ID="CC3"
#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID="cc",NAME="708",LANGUAGE="en",INSTREAM-ID="SERVICE1"
#EXT-X-STREAM-INF:BANDWIDTH=1000000,CLOSED-CAPTIONS="cc"
v.m3u8
`
	const mpd = `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT10S" minBufferTime="PT2S" profiles="urn:mpeg:dash:profile:isoff-live:2011">
 <Period>
  <AdaptationSet contentType="video" mimeType="video/mp4">
   <Accessibility schemeIdUri="urn:scte:dash:cc:cea-608:2015" value="CC1=eng;CC3=deu"/>
   <SegmentTemplate media="v_$Number$.m4s" initialization="v_init.mp4" duration="2" startNumber="1"/>
   <Representation id="v" bandwidth="1000000" codecs="avc1.64001e" width="160" height="90"/>
  </AdaptationSet>
 </Period>
</MPD>`
	tests := []struct {
		name string
		doc  string
		want []Captions
	}{
		{"hls", master, []Captions{
			{Channel: 1, Lang: "en", Name: "English", GroupID: "cc", Default: true},
			{Channel: 3, Lang: "es", Name: "Español", GroupID: "cc"},
		}},
		{"dash", mpd, []Captions{{Channel: 1, Lang: "eng"}, {Channel: 3, Lang: "deu"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.doc), "http://h/x")
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Periods[0].Captions; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("captions %+v; want %+v", got, tt.want)
			}
		})
	}
}

func TestParseCEA608Accessibility(t *testing.T) {
	tests := []struct {
		value string
		want  []Captions
	}{
		{"CC1=eng;CC3=swe", []Captions{{Channel: 1, Lang: "eng"}, {Channel: 3, Lang: "swe"}}},
		{"eng;fra", []Captions{{Channel: 1, Lang: "eng"}, {Channel: 2, Lang: "fra"}}},
		{"", []Captions{{Channel: 1}}},
		{"CC9=eng;XX1=fra;CC2=deu", []Captions{{Channel: 2, Lang: "deu"}}},
		{"a;b;c;d;e", []Captions{{Channel: 1, Lang: "a"}, {Channel: 2, Lang: "b"}, {Channel: 3, Lang: "c"}, {Channel: 4, Lang: "d"}}},
	}
	for _, tt := range tests {
		if got := parseCEA608Accessibility(tt.value); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: %+v; want %+v", tt.value, got, tt.want)
		}
	}
}
