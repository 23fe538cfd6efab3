package download

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/internal/ffmpegtest"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/text"
)

// dashWithText makes 6 s of DASH video with ffmpeg plus two text sets:
// an English IMSC1 sidecar and French TTML in fMP4 ('stpp', 3 s segments
// made with mp4ff).
func dashWithText(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ffmpegtest.DASHVideo(t, dir, "160x90", 6, 20)
	write := func(name string, b []byte) { ffmpegtest.WriteFile(t, dir, name, b) }
	write("subs.ttml", []byte(`<tt xmlns="http://www.w3.org/ns/ttml" xml:lang="en"><body><div>
<p begin="1s" end="2s">English one</p><p begin="4s" end="5s">English two</p></div></body></tt>`))
	in := mp4.CreateEmptyInit()
	trak := in.AddEmptyTrack(1000, "subtitle", "fra")
	if err := trak.SetStppDescriptor("http://www.w3.org/ns/ttml", "", ""); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := in.Encode(&b); err != nil {
		t.Fatal(err)
	}
	write("ttml-init.mp4", b.Bytes())
	for i, d := range []string{
		`<tt xmlns="http://www.w3.org/ns/ttml"><body><div><p begin="00:00:00.500" end="00:00:01.500">Un</p></div></body></tt>`,
		`<tt xmlns="http://www.w3.org/ns/ttml"><body><div><p begin="00:00:03.500" end="00:00:04.500">Deux</p></div></body></tt>`,
	} {
		frag, err := mp4.CreateFragment(uint32(i+1), trak.Tkhd.TrackID)
		if err != nil {
			t.Fatal(err)
		}
		frag.AddFullSample(mp4.FullSample{Sample: mp4.Sample{Flags: mp4.SyncSampleFlags, Dur: 3000, Size: uint32(len(d))},
			DecodeTime: uint64(i) * 3000, Data: []byte(d)})
		ms := mp4.NewMediaSegment()
		ms.AddFragment(frag)
		b.Reset()
		if err := ms.Encode(&b); err != nil {
			t.Fatal(err)
		}
		write("ttml-"+strconv.Itoa(i+1)+".m4s", b.Bytes())
	}
	mpd, err := os.ReadFile(filepath.Join(dir, "manifest.mpd"))
	if err != nil {
		t.Fatal(err)
	}
	sets := `<AdaptationSet id="10" contentType="text" mimeType="application/ttml+xml" lang="en">
  <Representation id="sidecar" bandwidth="1000"><BaseURL>subs.ttml</BaseURL></Representation>
</AdaptationSet>
<AdaptationSet id="11" contentType="text" mimeType="application/mp4" codecs="stpp" lang="fr">
  <Representation id="stpp" bandwidth="1000">
    <SegmentTemplate timescale="1000" duration="3000" initialization="ttml-init.mp4" media="ttml-$Number$.m4s" startNumber="1"/>
  </Representation>
</AdaptationSet>
</Period>`
	write("manifest.mpd", []byte(strings.Replace(string(mpd), "</Period>", sets, 1)))
	return dir
}

// A download of DASH keeping both text tracks (an IMSC1 sidecar and an
// stpp track) plays offline with the origin gone, each track delivering
// its cues at their times.
func TestOfflineDASHSubtitles(t *testing.T) {
	dir := dashWithText(t)
	srv := httptest.NewUnstartedServer(http.FileServer(http.Dir(dir)))
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = 10*time.Second, 10*time.Second
	srv.Start()
	defer srv.Close()
	m := startManager(t, testConfig(t))
	id, err := m.Add(Request{URL: srv.URL + "/manifest.mpd", Selection: Selection{Subtitles: true}})
	if err != nil {
		t.Fatal(err)
	}
	if d := await(t, m, id); d.State != StateCompleted {
		t.Fatalf("state %s %q", d.State, d.Err)
	}
	srv.Close()
	off, err := m.Offline(id)
	if err != nil {
		t.Fatal(err)
	}
	defer off.Close()
	for _, tc := range []struct {
		lang string
		want map[string]time.Duration
	}{
		{"en", map[string]time.Duration{"English one": time.Second, "English two": 4 * time.Second}},
		{"fr", map[string]time.Duration{"Un": 500 * time.Millisecond, "Deux": 3500 * time.Millisecond}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			var mu sync.Mutex
			shown := map[string]time.Duration{}
			out := player.TextOutputFunc(func(pos time.Duration, cues []text.Cue) {
				mu.Lock()
				defer mu.Unlock()
				for _, c := range cues {
					if _, ok := shown[c.Text]; !ok {
						shown[c.Text] = pos
					}
				}
			})
			p, err := player.New(player.WithFetcher(off.Fetcher), player.WithClock(clock.NewScaled(8)),
				player.WithTextLanguage(tc.lang), player.WithTextOutput(out))
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if err := p.Load(ctx, off.ManifestURL); err != nil {
				t.Fatalf("Load(%s) = %v", off.ManifestURL, err)
			}
			if err := p.Wait(ctx); err != nil {
				t.Fatalf("offline playback: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			for txt, at := range tc.want {
				if got, ok := shown[txt]; !ok || got < at || got > at+400*time.Millisecond {
					t.Errorf("cue %q shown at %v (%v); want at %v", txt, got, ok, at)
				}
			}
			if len(shown) != len(tc.want) {
				t.Errorf("shown %v; want %v", shown, tc.want)
			}
		})
	}
}
