package player_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
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

// TestLiveSubtitles plays a clock-driven live HLS channel (2 s segments,
// 8x speed) with a live WebVTT track: the subtitle playlist is reloaded
// and each new segment fetched once, and the cue of segment n is shown
// half a second into video segment n.
func TestLiveSubtitles(t *testing.T) {
	clk := clock.NewScaled(8)
	ch := &lltest.Channel{Clock: clk, Start: clk.Now().Add(-time.Minute), Seg: 2 * time.Second, Part: 500 * time.Millisecond,
		Window: 6, Bitrates: []int{500_000}, Subtitles: true}
	ts := httptest.NewUnstartedServer(ch)
	ts.Config.ReadTimeout, ts.Config.WriteTimeout = 10*time.Second, 30*time.Second
	ts.Start()
	defer ts.Close()
	starts := &segStarts{at: map[uint64]time.Duration{}}
	out := &cueSignal{ch: make(chan string, 64)}
	p, err := player.New(player.WithClock(clk), player.WithTextOutput(out), player.WithDecoder(starts),
		player.WithTextLanguage("en"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.Load(ctx, ts.URL+"/master.m3u8"); err != nil {
		t.Fatal(err)
	}
	// wait for 5 cues shown (about 10 s of the channel, 1.3 s of real time)
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
	starts.mu.Lock()
	defer starts.mu.Unlock()
	checked := 0
	for txt, at := range out.appeared() {
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
		if want := seg + 500*time.Millisecond; at < want || at > want+400*time.Millisecond {
			t.Errorf("%q shown at %v; video segment %d starts at %v, so want %v (+400ms)", txt, at, n, seg, want)
		}
	}
	if checked < 4 {
		t.Errorf("%d cues checked against their video segment; want >= 4 (shown %v)", checked, out.appeared())
	}
	if v, pl := ch.Count("vtt"), ch.Count("subtitles"); v > len(seen)+2 || pl < 3 {
		t.Errorf("%d WebVTT segments and %d subtitle playlists fetched for %d cues; want each segment once and reloads", v, pl, len(seen))
	}
}
