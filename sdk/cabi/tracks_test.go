package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/player"
)

// serveTwoAudio serves an HLS title with one video variant and two audio
// alternates (eng, fra) of six 1 s segments; the segments are a few bytes,
// as the headless player does not decode them.
func serveTwoAudio(t *testing.T) string {
	t.Helper()
	media := func(name string) string {
		var b strings.Builder
		b.WriteString("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXT-X-PLAYLIST-TYPE:VOD\n")
		for i := 0; i < 6; i++ {
			fmt.Fprintf(&b, "#EXTINF:1.0,\n%s_%d.ts\n", name, i)
		}
		return b.String() + "#EXT-X-ENDLIST\n"
	}
	files := map[string]string{
		"/master.m3u8": `#EXTM3U
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",LANGUAGE="eng",NAME="English",DEFAULT=YES,CHANNELS="2",URI="en.m3u8"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",LANGUAGE="fra",NAME="Français",CHANNELS="2",URI="fr.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=320x180,CODECS="avc1.42c00d,mp4a.40.2",AUDIO="aud"
v.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=640x360,CODECS="avc1.42c01e,mp4a.40.2",AUDIO="aud"
v2.m3u8
`,
		"/v.m3u8": media("v"), "/v2.m3u8": media("v2"), "/en.m3u8": media("en"), "/fr.m3u8": media("fr"),
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

// TestSessionTracks: the C ABI's session lists tracks and levels as JSON,
// starts with the preferred language, switches audio (announced by a
// track_switch event), fixes a level and sets constraints, with the
// documented result codes.
func TestSessionTracks(t *testing.T) {
	url := serveTwoAudio(t)
	s, err := newSession(Config{NoAutoPlay: true, AudioLang: "fr", MaxHeight: 360, MinBitrate: 100_000})
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	if b, err := s.tracksJSON(); err != nil || string(b) != "[]" {
		t.Errorf("tracks before load = %s, %v; want []", b, err)
	}
	if err := s.selectAudio("audio0"); codeOf(err) != CodeNotLoaded {
		t.Errorf("select before load = %v (%v); want ABRKIT_E_NOT_LOADED", err, codeOf(err))
	}
	switched := make(chan player.Event, 4)
	s.ev.setSink(SinkFunc[player.Event](func(e *player.Event, _ int64) {
		if e.Kind == player.EventTrackSwitch {
			switched <- *e
		}
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.load(ctx, url); err != nil {
		t.Fatal(err)
	}
	b, err := s.tracksJSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"id":"audio1","type":"audio","lang":"fra","name":"Français","codecs":"mp4a.40.2","channels":2,"selected":true`,
		`"id":"audio0","type":"audio","lang":"eng"`, `"type":"video"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("tracks JSON %s lacks %s", b, want)
		}
	}
	cases := []struct {
		name string
		err  error
		want Code
	}{
		{"select unknown", s.selectAudio("nope"), CodeNotFound},
		{"level past the ladder", s.setLevel(2), CodeInvalidArgument},
		{"level 1", s.setLevel(1), CodeOK},
		{"auto", s.setLevel(-1), CodeOK},
		{"negative constraint", s.setConstraints(player.Constraints{MaxHeight: -1}), CodeInvalidArgument},
		{"constraints", s.setConstraints(player.Constraints{MaxHeight: 180}), CodeOK},
		{"select eng", s.selectAudio("audio0"), CodeOK},
	}
	for _, tc := range cases {
		if got := codeOf(tc.err); got != tc.want {
			t.Errorf("%s = %v (%v); want %v", tc.name, tc.err, got, tc.want)
		}
	}
	levels, err := s.levelsJSON()
	if err != nil || !strings.Contains(string(levels), `"index":1,"bitrate":900000,"width":640,"height":360,"codecs":"avc1.42c01e,mp4a.40.2","allowed":false`) {
		t.Errorf("levels JSON = %s, %v; want level 1 (360p) not allowed under max height 180", levels, err)
	}
	select {
	case e := <-switched:
		if e.FromTrackID != "audio1" || e.TrackID != "audio0" {
			t.Errorf("track switch %s -> %s; want audio1 -> audio0", e.FromTrackID, e.TrackID)
		}
	case <-ctx.Done():
		t.Fatal("no track_switch event after select_audio")
	}
	if _, err := newSession(Config{Fixed: true, Level: -1}); !errors.Is(err, errInvalidArg) {
		t.Errorf("negative fixed level = %v; want errInvalidArg", err)
	}
}
