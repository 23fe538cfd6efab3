package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// serveSubtitled serves a 2 s HLS title with an English WebVTT track of
// two 1 s segments; media segments are a few bytes (nothing decodes them).
func serveSubtitled(t *testing.T) string {
	t.Helper()
	files := map[string]string{
		"/master.m3u8": `#EXTM3U
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",LANGUAGE="en",NAME="English",URI="subs.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=400000,CODECS="avc1.42c00d,mp4a.40.2",SUBTITLES="subs"
v.m3u8
`,
		"/v.m3u8":    "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\nv0.ts\n#EXTINF:1.0,\nv1.ts\n#EXT-X-ENDLIST\n",
		"/subs.m3u8": "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\ns0.vtt\n#EXTINF:1.0,\ns1.vtt\n#EXT-X-ENDLIST\n",
		"/s0.vtt":    "WEBVTT\n\n00:00:00.200 --> 00:00:00.800\nFirst\n",
		"/s1.vtt":    "WEBVTT\n\n00:00:01.250 --> 00:00:01.900 line:90%\nSecond &amp; <i>last</i>\n",
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if b, ok := files[r.URL.Path]; ok {
			_, _ = w.Write([]byte(b))
			return
		}
		if strings.HasSuffix(r.URL.Path, ".ts") {
			_, _ = w.Write([]byte("segment"))
			return
		}
		http.NotFound(w, r)
	}))
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = 10*time.Second, 10*time.Second
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL + "/master.m3u8"
}

// TestSessionCues: text_lang shows the English track; cues_json answers
// for a time after the session played; select_text checks the id.
func TestSessionCues(t *testing.T) {
	url := serveSubtitled(t)
	s, err := newSession(Config{TextLang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	if b, err := s.cuesJSON(0); err != nil || string(b) != "[]" {
		t.Errorf("cues before load = %s, %v; want []", b, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.load(ctx, url); err != nil {
		t.Fatal(err)
	}
	if err := s.wait(ctx); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		at   time.Duration
		want string
	}{
		{500 * time.Millisecond, `[{"start_seconds":0.2,"end_seconds":0.8,"text":"First"}]`},
		{time.Second, `[]`},
		{1500 * time.Millisecond, `[{"start_seconds":1.25,"end_seconds":1.9,"text":"Second \u0026 last","settings":"line:90%"}]`},
	}
	for _, tc := range tests {
		if b, err := s.cuesJSON(tc.at); err != nil || string(b) != tc.want {
			t.Errorf("cues at %v = %s, %v; want %s", tc.at, b, err, tc.want)
		}
	}
	if err := s.selectText("nope"); codeOf(err) != CodeNotFound {
		t.Errorf("select_text unknown = %v; want ABRKIT_E_NOT_FOUND", err)
	}
	if err := s.selectText(""); err != nil {
		t.Errorf("select_text off = %v", err)
	}
}

// TestSessionThumbnail: the session returns the DASH tile and crop
// rectangle of a time, and ABRKIT_E_NOT_FOUND without trick play.
func TestSessionThumbnail(t *testing.T) {
	mpd := `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT4S" minBufferTime="PT1S"
     profiles="urn:mpeg:dash:profile:isoff-live:2011"><Period id="0">
  <AdaptationSet id="1" contentType="video" mimeType="video/mp4" codecs="avc1.42c00d">
    <SegmentTemplate media="v$Number$.ts" duration="1" startNumber="1"/>
    <Representation id="v" bandwidth="100000" width="160" height="90"/>
  </AdaptationSet>
  <AdaptationSet id="2" contentType="image" mimeType="image/jpeg">
    <SegmentTemplate media="tile$Number$.jpg" duration="2" startNumber="1"/>
    <Representation id="thumbs" bandwidth="1000" width="128" height="72">
      <EssentialProperty schemeIdUri="http://dashif.org/thumbnail_tile" value="2x2"/>
    </Representation>
  </AdaptationSet>
</Period></MPD>`
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/m.mpd":
			_, _ = w.Write([]byte(mpd))
		case strings.HasSuffix(r.URL.Path, ".ts"), strings.HasSuffix(r.URL.Path, ".jpg"):
			_, _ = w.Write([]byte("bytes of " + r.URL.Path))
		default:
			http.NotFound(w, r)
		}
	}))
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = 10*time.Second, 10*time.Second
	srv.Start()
	defer srv.Close()
	s, err := newSession(Config{NoAutoPlay: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	if _, err := s.thumbnail(0); codeOf(err) != CodeNotLoaded {
		t.Errorf("thumbnail before load = %v; want ABRKIT_E_NOT_LOADED", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.load(ctx, srv.URL+"/m.mpd"); err != nil {
		t.Fatal(err)
	}
	th, err := s.thumbnail(3500 * time.Millisecond) // tile 2, the 4th of 2x2 (0.5 s each)
	if err != nil {
		t.Fatal(err)
	}
	if !th.Tile || string(th.Data) != "bytes of /tile2.jpg" || th.Crop.Min.X != 64 || th.Crop.Min.Y != 36 ||
		th.Crop.Dx() != 64 || th.Time != 3500*time.Millisecond || th.Duration != 500*time.Millisecond {
		t.Errorf("thumbnail = %+v (%q)", th, th.Data)
	}

	s2, err := newSession(Config{NoAutoPlay: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.close()
	if err := s2.load(ctx, serveSubtitled(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := s2.thumbnail(0); codeOf(err) != CodeNotFound {
		t.Errorf("thumbnail without trick play = %v; want ABRKIT_E_NOT_FOUND", err)
	}
}
