package player

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/player/transport"
)

// twoAudio is content with a second audio set in French.
func twoAudio(n int) *manifest.Presentation {
	p := content(n, 2*time.Second, 500_000, 1_500_000)
	sets := &p.Periods[0].Sets
	(*sets)[1].Lang, (*sets)[1].Default = "en", true
	fr := manifest.AdaptationSet{ID: "afr", Type: manifest.Audio, Lang: "fr", Channels: 6,
		Renditions: []manifest.Rendition{rendition("afr0", manifest.Audio, 192_000, n, 2*time.Second)}}
	*sets = append(*sets, fr)
	return p
}

// audioFetches counts audio media fetches per rendition URL prefix and
// checks that they tile the timeline: each starts where the last ended.
func audioFetches(t *testing.T, s *sim) map[string]int {
	t.Helper()
	got := map[string]int{}
	next := time.Duration(0)
	for _, f := range s.fetch {
		if f.Kind != transport.KindMedia || f.Track != TrackAudio {
			continue
		}
		id := strings.Split(strings.TrimPrefix(f.URL, "http://a.test/"), "/")[0]
		got[id]++
		if f.Start != next {
			t.Errorf("audio segment %s starts at %v; want %v (contiguous with the one before)", f.URL, f.Start, next)
		}
		next = f.Start + f.Duration
	}
	return got
}

// TestPreferredAudioLanguage: the preferred language picks the audio set
// at start-up, in any of its code forms; no other audio is fetched.
func TestPreferredAudioLanguage(t *testing.T) {
	cases := []struct{ lang, want string }{
		{"", "a0"}, {"fr", "afr0"}, {"fra", "afr0"}, {"fre", "afr0"}, {"FR-ca", "afr0"}, {"eng", "a0"}, {"de", "a0"},
	}
	for _, tc := range cases {
		s := newSim(t, CoreConfig{}, 20e6)
		s.c.SetPreferredAudioLanguage(tc.lang)
		s.c.LoadPresentation(0, twoAudio(10))
		s.run(time.Hour)
		got := audioFetches(t, s)
		if len(got) != 1 || got[tc.want] != 10 {
			t.Errorf("SetPreferredAudioLanguage(%q): audio fetches %v; want all 10 from %s", tc.lang, got, tc.want)
		}
	}
}

// TestSelectAudioMidPlay: switching audio while playing loads the new
// track from the end of the buffer (no segment twice, no gap), with no
// stall, and Tracks marks the new track selected.
func TestSelectAudioMidPlay(t *testing.T) {
	s := newSim(t, CoreConfig{}, 20e6)
	s.c.LoadPresentation(0, twoAudio(30))
	s.run(20 * time.Second)
	if err := s.c.SelectAudio("nope"); err != ErrNoTrack {
		t.Fatalf("SelectAudio(nope) = %v; want ErrNoTrack", err)
	}
	if err := s.c.SelectAudio("afr"); err != nil {
		t.Fatalf("SelectAudio(afr) = %v", err)
	}
	s.run(time.Hour)
	if st := s.c.State(); st != StateEnded {
		t.Fatalf("state %v; want ended", st)
	}
	got := audioFetches(t, s)
	if got["a0"] == 0 || got["afr0"] == 0 || got["a0"]+got["afr0"] != 30 {
		t.Errorf("audio fetches %v; want the 30 segments split between a0 then afr0", got)
	}
	if n := s.count(EventStallStart); n != 0 {
		t.Errorf("%d stalls; want 0 across the audio switch", n)
	}
	e, ok := s.first(EventTrackSwitch)
	if !ok || e.FromTrackID != "a" || e.TrackID != "afr" || e.Track != TrackAudio {
		t.Errorf("track switch event %+v, %v; want a -> afr", e, ok)
	}
	for _, tr := range s.c.Tracks() {
		if tr.Type == "audio" && tr.Selected != (tr.ID == "afr") {
			t.Errorf("Tracks(): %s selected=%v after switching to afr", tr.ID, tr.Selected)
		}
	}
}

// TestTracksFromHLS: Tracks lists the EXT-X-MEDIA audio alternates of
// the group in use with language, name, roles, channels and the audio
// codec from the variants, plus subtitles.
func TestTracksFromHLS(t *testing.T) {
	master := `#EXTM3U
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",LANGUAGE="eng",NAME="English",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="a_en.m3u8"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",LANGUAGE="fra",NAME="Français",CHANNELS="6/JOC",CHARACTERISTICS="public.accessibility.describes-video",URI="a_fr.m3u8"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="other",LANGUAGE="deu",NAME="Deutsch",URI="a_de.m3u8"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",LANGUAGE="en",NAME="English CC",URI="s_en.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2",AUDIO="aud",SUBTITLES="subs"
v0.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=2000000,RESOLUTION=1280x720,CODECS="avc1.4d401f,mp4a.40.2",AUDIO="aud",SUBTITLES="subs"
v1.m3u8
`
	c, got := tracksOf(t, master, "http://h.test/master.m3u8", "fr")
	want := []string{
		"video|variants|||avc1.4d401e||0|false|true",
		"audio|audio0|eng|English|mp4a.40.2||2|true|false",
		"audio|audio1|fra|Français|mp4a.40.2|public.accessibility.describes-video|6|false|true",
		"text|text0|en|English CC|||0|false|false",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Tracks() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	levels := c.Levels()
	if len(levels) != 2 || levels[1].Height != 720 || levels[1].Bitrate != 2_000_000 || !levels[1].Allowed {
		t.Errorf("Levels() = %+v; want two levels, the second 720p at 2 Mbit/s", levels)
	}
}

// tracksOf loads the manifest text into a core preferring audio in lang
// and returns the core and its Tracks as type|id|lang|name|codecs|roles|
// channels|default|selected rows.
func tracksOf(t *testing.T, text, uri, lang string) (*Core, []string) {
	t.Helper()
	p, err := manifest.Parse([]byte(text), uri)
	if err != nil {
		t.Fatal(err)
	}
	c := NewCore(CoreConfig{})
	c.SetPreferredAudioLanguage(lang)
	c.LoadPresentation(0, p)
	var rows []string
	for _, tr := range c.Tracks() {
		rows = append(rows, strings.Join([]string{tr.Type, tr.ID, tr.Lang, tr.Name, tr.Codecs, strings.Join(tr.Roles, "+"),
			strconv.Itoa(tr.Channels), boolStr(tr.Default), boolStr(tr.Selected)}, "|"))
	}
	return c, rows
}

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// TestTracksFromDASH: DASH audio adaptation sets become audio tracks with
// their language, label, roles and channel configuration, and the
// preferred language picks one of them.
func TestTracksFromDASH(t *testing.T) {
	mpd := `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT8S" minBufferTime="PT2S" profiles="urn:mpeg:dash:profile:isoff-live:2011">
 <Period id="p0">
  <AdaptationSet id="1" contentType="video" mimeType="video/mp4" codecs="avc1.64001f">
   <SegmentTemplate timescale="1000" duration="2000" startNumber="1" media="v$RepresentationID$_$Number$.m4s" initialization="v$RepresentationID$_init.mp4"/>
   <Representation id="360" bandwidth="800000" width="640" height="360"/>
   <Representation id="720" bandwidth="3000000" width="1280" height="720"/>
  </AdaptationSet>
  <AdaptationSet id="2" contentType="audio" mimeType="audio/mp4" codecs="mp4a.40.2" lang="en">
   <Label>English</Label>
   <Role schemeIdUri="urn:mpeg:dash:role:2011" value="main"/>
   <AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="2"/>
   <SegmentTemplate timescale="1000" duration="2000" startNumber="1" media="aen_$Number$.m4s" initialization="aen_init.mp4"/>
   <Representation id="aen" bandwidth="128000"/>
  </AdaptationSet>
  <AdaptationSet id="3" contentType="audio" mimeType="audio/mp4" codecs="ec-3" lang="fr">
   <Label>Français 5.1</Label>
   <Role schemeIdUri="urn:mpeg:dash:role:2011" value="dub"/>
   <SegmentTemplate timescale="1000" duration="2000" startNumber="1" media="afr_$Number$.m4s" initialization="afr_init.mp4"/>
   <Representation id="afr" bandwidth="384000">
    <AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="6"/>
   </Representation>
  </AdaptationSet>
 </Period>
</MPD>`
	_, got := tracksOf(t, mpd, "http://d.test/m.mpd", "fra")
	want := []string{
		"video|1|||avc1.64001f||0|false|true",
		"audio|2|en|English|mp4a.40.2|main|2|true|false",
		"audio|3|fr|Français 5.1|ec-3|dub|6|false|true",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Tracks() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestSelectedAudioCarriesAcrossPeriods: at a DASH period boundary the
// audio track of the same language follows the chosen one, though the
// sets' IDs differ.
func TestSelectedAudioCarriesAcrossPeriods(t *testing.T) {
	p := twoAudio(5)
	second := twoAudio(5).Periods[0]
	second.ID, second.Start = "p1", p.Duration
	for i := range second.Sets {
		s := &second.Sets[i]
		s.ID = "next-" + s.ID
		for j := range s.Renditions {
			r := &s.Renditions[j]
			r.ID = "next-" + r.ID
			for k := range r.Segments {
				r.Segments[k].URI = strings.Replace(r.Segments[k].URI, "a.test/", "a.test/next-", 1)
			}
		}
	}
	p.Periods = append(p.Periods, second)
	p.Duration *= 2
	s := newSim(t, CoreConfig{}, 20e6)
	s.c.SetPreferredAudioLanguage("fr")
	s.c.LoadPresentation(0, p)
	s.run(time.Hour)
	got := audioFetches(t, s)
	if got["afr0"] != 5 || got["next-afr0"] != 5 || len(got) != 2 {
		t.Errorf("audio fetches %v; want 5 afr0 then 5 next-afr0", got)
	}
}
