package player_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/internal/ffmpegtest"
	"github.com/abrkit/abrkit/internal/lltest"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/text"
)

// segStarts records the timeline start of each video segment number the
// player downloads (a part's start when the segment comes in parts).
type segStarts struct {
	mu sync.Mutex
	at map[uint64]time.Duration
}

func (s *segStarts) Decode(m player.Media) error {
	if m.Track != player.TrackVideo || m.Init {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if at, ok := s.at[m.Number]; !ok || m.Start < at {
		s.at[m.Number] = m.Start
	}
	return nil
}

// cueSignal is a TextOutput that reports each new cue text on a channel.
type cueSignal struct {
	shown
	ch chan string
}

func (c *cueSignal) ShowCues(pos time.Duration, cues []text.Cue) {
	c.shown.ShowCues(pos, cues)
	for _, q := range cues {
		select {
		case c.ch <- q.Text:
		default:
		}
	}
}

// playLive serves h on loopback and loads its /master.m3u8 in a player
// on clk with English subtitles to out, recording the video segments'
// starts; the player and the context (30 s) end with the test.
func playLive(t *testing.T, h http.Handler, clk clock.Clock, out player.TextOutput) (*player.Player, *segStarts, context.Context) {
	t.Helper()
	ts := httptest.NewUnstartedServer(h)
	ts.Config.ReadTimeout, ts.Config.WriteTimeout = 10*time.Second, 30*time.Second
	ts.Start()
	t.Cleanup(ts.Close)
	starts := &segStarts{at: map[uint64]time.Duration{}}
	p, err := player.New(player.WithClock(clk), player.WithTextOutput(out), player.WithDecoder(starts),
		player.WithTextLanguage("en"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	if err := p.Load(ctx, ts.URL+"/master.m3u8"); err != nil {
		t.Fatal(err)
	}
	return p, starts, ctx
}

// TestLiveSubtitles plays a clock-driven live HLS channel (2 s segments,
// 4x speed) with a live WebVTT track: the subtitle playlist is reloaded
// and each new segment fetched once, and the cue of segment n is shown
// half a second into video segment n.
func TestLiveSubtitles(t *testing.T) {
	clk := clock.NewScaled(4)
	ch := &lltest.Channel{Clock: clk, Start: clk.Now().Add(-time.Minute), Seg: 2 * time.Second, Part: 500 * time.Millisecond,
		Window: 6, Bitrates: []int{500_000}, Subtitles: true}
	out := &cueSignal{ch: make(chan string, 64)}
	p, starts, ctx := playLive(t, ch, clk, out)
	// wait for 5 cues shown (about 10 s of the channel, 2.5 s of real time)
	seen := map[string]bool{}
	for len(seen) < 5 {
		select {
		case txt := <-out.ch:
			seen[txt] = true
		case <-ctx.Done():
			t.Fatalf("shown %v before the timeout", seen)
		}
	}
	p.Close()
	checkLiveCues(t, out.appeared(), starts, 4)
	if v, pl := ch.Count("vtt"), ch.Count("subtitles"); v > len(seen)+2 || pl < 3 {
		t.Errorf("%d WebVTT segments and %d subtitle playlists fetched for %d cues; want each segment once and reloads", v, pl, len(seen))
	}
}

// slidingHLS serves an ffmpeg-made VOD HLS directory as a live stream:
// at clock time since start, the media playlists list the last three
// segments complete by then (2 s each), from segment lag on, and end
// when all are out.
type slidingHLS struct {
	dir   string
	clk   clock.Clock
	start time.Time
	files http.Handler
}

func (s *slidingHLS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/")
	if name == "master.m3u8" || !strings.HasSuffix(name, ".m3u8") {
		s.files.ServeHTTP(w, r)
		return
	}
	b, err := os.ReadFile(filepath.Join(s.dir, filepath.Base(name)))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	var segs []string // EXTINF and URI lines
	lines := strings.Split(string(b), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "#EXTINF") && i+1 < len(lines) {
			segs = append(segs, l+"\n"+lines[i+1]+"\n")
		}
	}
	out := min(int(s.clk.Now().Sub(s.start)/(2*time.Second)), len(segs))
	first := max(0, out-3)
	var pl strings.Builder
	fmt.Fprintf(&pl, "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:%d\n", first)
	for _, sg := range segs[first:out] {
		pl.WriteString(sg)
	}
	if out == len(segs) {
		pl.WriteString("#EXT-X-ENDLIST\n")
	}
	_, _ = w.Write([]byte(pl.String()))
}

// TestLiveSubtitlesFromFFmpeg plays ffmpeg-made HLS with a WebVTT track
// (cue times are media times, no X-TIMESTAMP-MAP, as ffmpeg writes them
// live too) served as a live stream joined at segment 5 (8x speed): each
// cue is shown 0.5 s into the video segment of its number.
func TestLiveSubtitlesFromFFmpeg(t *testing.T) {
	dir := t.TempDir()
	var vtt strings.Builder
	vtt.WriteString("WEBVTT\n\n")
	for i := range 10 {
		fmt.Fprintf(&vtt, "00:00:%02d.500 --> 00:00:%02d.500\ncue %d\n\n", 2*i, 2*i+1, i)
	}
	if err := os.WriteFile(filepath.Join(dir, "in.vtt"), []byte(vtt.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	ffmpegtest.Run(t, dir, "-f", "lavfi", "-i", "testsrc=size=160x90:rate=10", "-i", "in.vtt", "-t", "20",
		"-map", "0:v", "-map", "1:s", "-c:v", "libx264", "-preset", "ultrafast", "-g", "20", "-c:s", "webvtt",
		"-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod", "-var_stream_map", "v:0,s:0,sgroup:subs,language:en",
		"out_%v.m3u8")
	master := "#EXTM3U\n#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English\",LANGUAGE=\"en\",URI=\"out_0_vtt.m3u8\"\n" +
		"#EXT-X-STREAM-INF:BANDWIDTH=200000,CODECS=\"avc1.42c00c\",SUBTITLES=\"subs\"\nout_0.m3u8\n"
	if err := os.WriteFile(filepath.Join(dir, "master.m3u8"), []byte(master), 0o644); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewScaled(4)
	srv := &slidingHLS{dir: dir, clk: clk, start: clk.Now().Add(-16 * time.Second), files: http.FileServer(http.Dir(dir))}
	out := &shown{}
	p, starts, ctx := playLive(t, srv, clk, out)
	if err := p.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	checkLiveCues(t, out.appeared(), starts, 3)
}

// checkLiveCues asserts that each cue "cue n" shown appeared 0.5 s into
// video segment n (of those downloaded), for at least min cues.
func checkLiveCues(t *testing.T, appeared map[string]time.Duration, starts *segStarts, min int) {
	t.Helper()
	starts.mu.Lock()
	defer starts.mu.Unlock()
	checked := 0
	for txt, at := range appeared {
		var n uint64
		if _, err := fmt.Sscanf(txt, "cue %d", &n); err != nil {
			t.Errorf("shown %q", txt)
			continue
		}
		seg, ok := starts.at[n]
		if !ok {
			continue // its video segment was not downloaded
		}
		checked++
		// late by up to a second (a busy machine delays the text
		// goroutine), never near the next segment's cue (2 s on)
		if want := seg + 500*time.Millisecond; at < want || at > want+time.Second {
			t.Errorf("%q shown at %v; video segment %d starts at %v, so want %v (+1s)", txt, at, n, seg, want)
		}
	}
	if checked < min {
		t.Errorf("%d cues checked against their video segment; want >= %d (shown %v, segments %v)", checked, min, appeared, starts.at)
	}
}
