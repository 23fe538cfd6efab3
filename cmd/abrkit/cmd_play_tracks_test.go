package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/internal/ffmpegtest"
	"github.com/abrkit/abrkit/player"
)

// countingServer serves dir on 127.0.0.1 and counts requests per
// rendition: "stream_1" for stream_1_000.ts, stream_1_001.ts, ...
type countingServer struct {
	*httptest.Server
	mu   sync.Mutex
	segs map[string]int
}

func serveCounting(t *testing.T, dir string) *countingServer {
	t.Helper()
	cs := &countingServer{segs: map[string]int{}}
	fs := http.FileServer(http.Dir(dir))
	cs.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if name := path.Base(r.URL.Path); strings.HasSuffix(name, ".ts") {
			cs.mu.Lock()
			cs.segs[name[:strings.LastIndex(name, "_")]]++
			cs.mu.Unlock()
		}
		fs.ServeHTTP(w, r)
	}))
	cs.Config.ReadTimeout, cs.Config.WriteTimeout = 10*time.Second, 10*time.Second
	cs.Start()
	t.Cleanup(cs.Close)
	return cs
}

func (cs *countingServer) counts() map[string]int {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	out := map[string]int{}
	for k, v := range cs.segs {
		out[k] = v
	}
	return out
}

// TestPlayAudioLang: `abrkit play --audio-lang fra` on ffmpeg-made HLS
// plays the French track, fetches none of the English audio segments and
// reports the chosen track in JSON.
func TestPlayAudioLang(t *testing.T) {
	dir := ffmpegtest.TwoLanguageHLS(t, 16, "")
	for _, tc := range []struct{ lang, want, other string }{{"fra", "stream_2", "stream_1"}, {"en", "stream_1", "stream_2"}} {
		t.Run(tc.lang, func(t *testing.T) {
			cs := serveCounting(t, dir)
			rep := playJSON(t, "play", cs.URL+"/master.m3u8", "--audio-lang", tc.lang, "--speed", "20", "--quiet", "--format", "json")
			if rep.Stopped != "ended" || rep.QoE.Stalls != 0 {
				t.Errorf("stopped %q with %d stalls; want ended with none", rep.Stopped, rep.QoE.Stalls)
			}
			if a := rep.AudioTrack; a == nil || !strings.HasPrefix(a.Lang, tc.lang[:2]) || !a.Selected {
				t.Fatalf("audio_track = %+v; want the %s track", a, tc.lang)
			}
			if n := len(rep.Tracks); n != 3 {
				t.Errorf("%d tracks listed; want video + 2 audio", n)
			}
			got := cs.counts()
			if got[tc.other] != 0 || got[tc.want] < 8 || got["stream_0"] < 8 {
				t.Errorf("segment requests %v; want every %s and stream_0 segment and no %s one", got, tc.want, tc.other)
			}
		})
	}
}

// TestSelectAudioMidPlayFFmpeg: SelectAudio from a listener halfway
// through switches from English to French at a segment boundary: every
// audio segment is fetched once, from one track or the other, and
// playback never stalls.
func TestSelectAudioMidPlayFFmpeg(t *testing.T) {
	dir := ffmpegtest.TwoLanguageHLS(t, 16, "")
	cs := serveCounting(t, dir)
	var p *player.Player
	var switched []player.Event
	audio := 0
	l := player.ListenerFunc(func(e player.Event) {
		switch {
		case e.Kind == player.EventSegmentLoaded && e.Track == player.TrackAudio:
			if audio++; audio == 3 {
				if err := p.SelectAudio("audio1"); err != nil {
					t.Errorf("SelectAudio(audio1) = %v", err)
				}
			}
		case e.Kind == player.EventTrackSwitch:
			switched = append(switched, e)
		}
	})
	var err error
	p, err = player.New(player.WithClock(clock.NewScaled(10)), player.WithListener(l))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.Load(ctx, cs.URL+"/master.m3u8"); err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(ctx); err != nil {
		t.Fatalf("Wait = %v; want played to the end", err)
	}
	got := cs.counts()
	if got["stream_1"] < 3 || got["stream_2"] < 1 || got["stream_1"]+got["stream_2"] != 9 {
		t.Errorf("audio segment requests eng %d + fra %d; want 3 or more English then French, 9 in all", got["stream_1"], got["stream_2"])
	}
	if q := p.QoE(); q.Stalls != 0 || !q.Ended {
		t.Errorf("QoE stalls %d ended %v; want no stall across the switch", q.Stalls, q.Ended)
	}
	if len(switched) != 1 || switched[0].FromTrackID != "audio0" || switched[0].TrackID != "audio1" {
		t.Errorf("track switch events %+v; want one audio0 -> audio1", switched)
	}
}

// playJSON runs abrkit with args, which must succeed, and decodes its
// JSON report.
func playJSON(t *testing.T, args ...string) (rep playReport) {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := run(args, &out, &errOut); code != 0 {
		t.Fatalf("run(%v) = %d\n%s%s", args, code, out.String(), errOut.String())
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("json: %v\n%s", err, out.String())
	}
	return rep
}

// TestPlayQualityFlags: --level holds one level for the whole session;
// --min-bitrate, --max-bitrate and --max-height keep every segment inside
// the bounds.
func TestPlayQualityFlags(t *testing.T) {
	master, _ := downloadOrigin(t) // a two-level ladder (about 350k at 234p and 1M), three 2 s segments
	cases := []struct {
		name  string
		flags []string
		ok    func(l player.Level) bool
	}{
		{"fixed level", []string{"--level", "1", "--max-bitrate", "300k"}, func(l player.Level) bool { return l.Index == 1 }},
		{"fixed lowest", []string{"--level", "0"}, func(l player.Level) bool { return l.Index == 0 }},
		{"min bitrate", []string{"--min-bitrate", "400k"}, func(l player.Level) bool { return l.Bitrate >= 400_000 }},
		{"max bitrate", []string{"--max-bitrate", "500k"}, func(l player.Level) bool { return l.Bitrate <= 500_000 }},
		{"max height", []string{"--min-bitrate", "400k", "--max-height", "300"}, func(l player.Level) bool { return l.Height > 0 && l.Height <= 300 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var levels []int
			playTestOptions = []player.Option{player.WithListener(player.ListenerFunc(func(e player.Event) {
				if e.Kind == player.EventSegmentLoaded && e.Track == player.TrackVideo {
					mu.Lock()
					levels = append(levels, e.Level)
					mu.Unlock()
				}
			}))}
			defer func() { playTestOptions = nil }()
			rep := playJSON(t, append([]string{"play", master, "--speed", "20", "--quiet", "--format", "json"}, tc.flags...)...)
			mu.Lock()
			defer mu.Unlock()
			if len(levels) != 3 || len(rep.Levels) != 2 {
				t.Fatalf("%d video segments, %d levels; want 3 and 2", len(levels), len(rep.Levels))
			}
			for i, lv := range levels {
				if !tc.ok(rep.Levels[lv]) {
					t.Errorf("segment %d at level %+v; outside %v", i, rep.Levels[lv], tc.flags)
				}
			}
		})
	}
	for _, bad := range [][]string{{"--level", "x"}, {"--level", "-1"}, {"--min-bitrate", "fast"}, {"--max-height", "-5"}} {
		var out, errOut bytes.Buffer
		if code := run(append([]string{"play", master, "--quiet"}, bad...), &out, &errOut); code != 2 {
			t.Errorf("play %v = exit %d; want 2 (bad usage)", bad, code)
		}
	}
}
