package download

import (
	"testing"

	"github.com/abrkit/abrkit/player/manifest"
)

// ffmpeg lists each audio alternate's playlist again as an audio-only
// variant (-var_stream_map with agroup): choose keeps each playlist once.
func TestChooseAudioOnlyVariantsOnce(t *testing.T) {
	master := `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="group_aud",NAME="audio_1",DEFAULT=YES,LANGUAGE="eng",URI="stream_1.m3u8"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="group_aud",NAME="audio_2",DEFAULT=YES,LANGUAGE="fra",URI="stream_2.m3u8"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="subtitle_0",DEFAULT=YES,LANGUAGE="en",URI="stream_0_vtt.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=400400,RESOLUTION=320x180,CODECS="avc1.f4000c,mp4a.40.2",AUDIO="group_aud",SUBTITLES="subs"
stream_0.m3u8

#EXT-X-STREAM-INF:BANDWIDTH=70400,CODECS="mp4a.40.2",AUDIO="group_aud",SUBTITLES="subs"
stream_1.m3u8

#EXT-X-STREAM-INF:BANDWIDTH=70400,CODECS="mp4a.40.2",AUDIO="group_aud",SUBTITLES="subs"
stream_2.m3u8
`
	p, err := manifest.ParseHLS([]byte(master), "http://o.example/master.m3u8")
	if err != nil {
		t.Fatal(err)
	}
	for _, sel := range []Selection{{}, {Subtitles: true, SubtitleLangs: []string{"en"}}} {
		video, audio, text, err := choose(p, sel)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{video.PlaylistURI: true}
		var uris []string
		for _, r := range append(append([]*manifest.Rendition{}, audio...), text...) {
			uris = append(uris, r.PlaylistURI)
			if seen[r.PlaylistURI] {
				t.Errorf("%+v: playlist %s chosen twice (video %s, others %v)", sel, r.PlaylistURI, video.PlaylistURI, uris)
			}
			seen[r.PlaylistURI] = true
		}
		if len(audio) != 2 {
			t.Errorf("%+v: %d audio tracks %v; want eng and fra", sel, len(audio), uris)
		}
	}
}
