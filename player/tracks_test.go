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
	p, err := manifest.ParseHLS([]byte(master), "http://h.test/master.m3u8")
	if err != nil {
		t.Fatal(err)
	}
	c := NewCore(CoreConfig{})
	c.SetPreferredAudioLanguage("fr")
	c.LoadPresentation(0, p)
	var b strings.Builder
	for _, tr := range c.Tracks() {
		b.WriteString(tr.Type + " " + tr.ID + " " + tr.Lang + " " + tr.Name + " " + tr.Codecs + " " +
			strings.Join(tr.Roles, "+") + " ch=" + strconv.Itoa(tr.Channels) + " def=" + boolStr(tr.Default) + " sel=" + boolStr(tr.Selected) + "\n")
	}
	want := `video variants   avc1.4d401e  ch=0 def=false sel=true
audio audio0 eng English mp4a.40.2  ch=2 def=true sel=false
audio audio1 fra Français mp4a.40.2 public.accessibility.describes-video ch=6 def=false sel=true
text text0 en English CC   ch=0 def=false sel=false
`
	if got := b.String(); got != want {
		t.Errorf("Tracks() =\n%s\nwant\n%s", got, want)
	}
	levels := c.Levels()
	if len(levels) != 2 || levels[1].Height != 720 || levels[1].Bitrate != 2_000_000 || !levels[1].Allowed {
		t.Errorf("Levels() = %+v; want two levels, the second 720p at 2 Mbit/s", levels)
	}
}

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
