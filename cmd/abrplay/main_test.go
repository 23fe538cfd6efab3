package main

import (
	"bytes"
	"context"
	"errors"
	"image"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/cmd/abrplay/ffdec"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/transport"
)

func TestParseArgs(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr string
		check   func(config) bool
	}{
		{[]string{"http://x/master.m3u8"}, "", func(c config) bool { return c.source == "http://x/master.m3u8" && c.width == 1280 }},
		{[]string{"--serve", "--title", "t2", "--abr", "bola"}, "", func(c config) bool { return c.serve && c.title == "t2" && c.abr == "bola" }},
		{[]string{"--size", "640x360", "a.m3u8"}, "", func(c config) bool { return c.width == 640 && c.height == 360 }},
		{[]string{"--gateway", "http://127.0.0.1:1", "--title", "t1"}, "", func(c config) bool { return c.gateway != "" && c.user == "demo" }},
		{[]string{"--gateway", "http://g", "--serve"}, "exclude", nil},
		{[]string{"--offline", "d1", "--out", "dl"}, "", func(c config) bool { return c.offline == "d1" && c.out == "dl" }},
		{[]string{"--offline", "d1", "x.m3u8"}, "give one URL", nil},
		{[]string{}, "give one URL", nil},
		{[]string{"--serve", "a.m3u8"}, "give one URL", nil},
		{[]string{"--size", "10x10", "a"}, "--size", nil},
		{[]string{"--abr", "nope", "a"}, "--abr", nil},
		{[]string{"--throttle", "9 Mbps", "a"}, "--throttle", nil},
		{[]string{"--bogus", "a"}, "bogus", nil},
	}
	for _, tt := range tests {
		c, err := parseArgs(tt.args, &bytes.Buffer{})
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.As(err, new(*inputError)) {
				t.Errorf("parseArgs(%q) = %v; want an input error mentioning %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !tt.check(c) {
			t.Errorf("parseArgs(%q) = %+v, %v; want it accepted", tt.args, c, err)
		}
	}
}

type fakeFetcher struct{ data []byte }

func (f fakeFetcher) Fetch(_ context.Context, req *transport.Request, _ transport.ProgressFunc) (*transport.Result, error) {
	// Write in 10 chunks like a socket would.
	n := len(f.data) / 10
	w := req.Body
	if w == nil {
		w = io.Discard
	}
	for i := 0; i < 10; i++ {
		if _, err := w.Write(f.data[i*n : (i+1)*n]); err != nil {
			return nil, err
		}
	}
	return &transport.Result{Status: 200, Bytes: int64(len(f.data))}, nil
}

func TestThrottlePacesBodies(t *testing.T) {
	now := time.Unix(0, 0)
	var slept time.Duration
	th := newThrottle(fakeFetcher{data: make([]byte, 250_000)}) // 2 Mbit
	th.now = func() time.Time { return now.Add(slept) }
	th.sleep = func(_ context.Context, d time.Duration) error { slept += d; return nil }

	if _, err := th.Fetch(context.Background(), &transport.Request{URL: "x"}, nil); err != nil {
		t.Fatal(err)
	}
	if slept != 0 {
		t.Errorf("unlimited: slept %v; want 0", slept)
	}
	th.set(1_000_000)
	var body bytes.Buffer
	if _, err := th.Fetch(context.Background(), &transport.Request{URL: "x", Body: &body}, nil); err != nil {
		t.Fatal(err)
	}
	if slept != 2*time.Second {
		t.Errorf("2 Mbit at 1 Mbps: slept %v; want 2s", slept)
	}
	if body.Len() != 250_000 {
		t.Errorf("body has %d bytes; want 250000 passed through", body.Len())
	}
}

func TestVideoFrameAtDropsUnshownFrames(t *testing.T) {
	v := newVideo(ffdec.New("ffmpeg", 4, 4))
	img := func() *image.RGBA { return image.NewRGBA(image.Rect(0, 0, 4, 4)) }
	for i := 0; i < 5; i++ {
		v.frames <- vframe{pts: time.Duration(i) * 40 * time.Millisecond, img: img()}
	}
	if f := v.frameAt(0); f == nil {
		t.Fatal("frameAt(0) = nil; want the first frame")
	}
	// Jumping to 130 ms passes frames at 40 and 80 ms that were never drawn.
	f := v.frameAt(130 * time.Millisecond)
	if f == nil {
		t.Fatal("frameAt(130ms) = nil")
	}
	if _, dropped, _ := v.stats(); dropped != 2 {
		t.Errorf("dropped = %d; want 2 (40 and 80 ms never shown)", dropped)
	}
	if n := v.shownFrames(); n != 2 {
		t.Errorf("shown = %d; want 2 (0 and 120 ms drawn)", n)
	}
	if v.frameAt(130 * time.Millisecond); v.shownFrames() != 2 {
		t.Errorf("drawing the same frame again counted it: shown = %d; want 2", v.shownFrames())
	}
	// After a seek the queued frames of the old generation are discarded.
	v.flush()
	if got := v.frameAt(time.Second); got != f {
		t.Errorf("after flush frameAt kept showing %p; want the current frame %p until new frames arrive", got, f)
	}
}

func TestVideoTakeSkipsPlayedSegments(t *testing.T) {
	v := newVideo(ffdec.New("ffmpeg", 4, 4))
	for _, s := range []time.Duration{8, 0, 4} {
		_ = v.Decode(player.Media{Track: player.TrackVideo, Start: s * time.Second, Duration: 4 * time.Second, Data: []byte{1}})
	}
	_ = v.Decode(player.Media{Track: player.TrackAudio, Start: 0, Data: []byte{1}})
	s, _, _, ok := v.take(5 * time.Second)
	if !ok || s.start != 4*time.Second {
		t.Errorf("take(5s) = %v, %v; want the segment at 4s (0-4s is played)", s.start, ok)
	}
	s, _, _, ok = v.take(5 * time.Second)
	if !ok || s.start != 8*time.Second {
		t.Errorf("second take(5s) = %v, %v; want the segment at 8s", s.start, ok)
	}
	if _, _, _, ok := v.take(5 * time.Second); ok {
		t.Error("third take found a segment; audio must not be queued as video")
	}
}

func TestAudioReadFollowsPlayhead(t *testing.T) {
	pos := 1 * time.Second
	playing := true
	a := newAudio(nil, func() time.Duration { return pos }, func() bool { return playing })
	pcm := make([]byte, bytesPerSecond*2) // 0-2 s
	for i := range pcm {
		pcm[i] = byte(i/frameBytes%250 + 1)
	}
	a.segs = []pcmSeg{{start: 0, pcm: pcm}}
	buf := make([]byte, 4800) // 25 ms
	if _, err := a.Read(buf); err != nil {
		t.Fatal(err)
	}
	off := bytesPerSecond * 1
	if !bytes.Equal(buf, pcm[off:off+len(buf)]) {
		t.Error("Read at 1 s did not return the samples at 1 s")
	}
	playing = false
	if _, err := a.Read(buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf, make([]byte, len(buf))) {
		t.Error("Read while paused returned sound; want silence")
	}
	playing = true
	pos = 3 * time.Second // past the PCM: silence
	if _, _ = a.Read(buf); !bytes.Equal(buf, make([]byte, len(buf))) {
		t.Error("Read past the decoded audio returned sound; want silence")
	}
}

func TestShotPlan(t *testing.T) {
	lines := []struct {
		line string
		want bool
	}{
		{"status state=playing position=1.0 buffer=4 bitrate=1 server=e shown=20 dropped=0", false}, // too early
		{"status state=playing position=3.5 buffer=4 bitrate=1 server=e shown=0 dropped=0", false},  // no picture yet
		{"status state=playing position=3.5 buffer=4 bitrate=1 server=e shown=1 dropped=0", false},
		{"status state=playing position=3.6 buffer=4 bitrate=1 server=e shown=5 dropped=0", true},   // first shot
		{"status state=playing position=9.0 buffer=4 bitrate=1 server=e shown=8 dropped=0", false},  // picture barely moved
		{"status state=playing position=5.0 buffer=4 bitrate=1 server=e shown=30 dropped=0", false}, // playback barely moved
		{"status state=playing position=5.6 buffer=4 bitrate=1 server=e shown=9 dropped=0", true},
	}
	var p shotPlan
	for _, l := range lines {
		got := p.due(l.line)
		if got != l.want {
			t.Errorf("shotPlan.due(%q) = %v; want %v", l.line, got, l.want)
		}
		if got {
			p.taken++
		}
	}
}

func TestStatusField(t *testing.T) {
	line := "status state=playing position=3.1 buffer=8.9 bitrate=574037 server=eu-2 dropped=2"
	if v, ok := field(line, "position"); !ok || v != 3.1 {
		t.Errorf("field(position) = %v, %v; want 3.1", v, ok)
	}
	if _, ok := field("note x", "position"); ok {
		t.Error("field on a non-status line succeeded")
	}
}

// A decoder that has fallen behind still hands over a late frame every
// lateFrameEvery of media time, so a slow machine shows a changing picture.
func TestVideoLateSegmentStillShowsFrames(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("skipping: ffmpeg not found")
	}
	init, err1 := os.ReadFile(filepath.Join(contentDir, "hls", "init_0.mp4"))
	seg, err2 := os.ReadFile(filepath.Join(contentDir, "hls", "seg_0_001.m4s"))
	if err1 != nil || err2 != nil {
		t.Skipf("skipping: no content in %s (run 'make content')", contentDir)
	}
	v := newVideo(ffdec.New("ffmpeg", 64, 36))
	s := vseg{start: 0, dur: 4 * time.Second, data: seg}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	done := make(chan error, 1)
	// The playhead is already a minute past the segment: every frame is late.
	go func() { done <- v.decodeSegment(ctx, s, init, 0, func() time.Duration { return time.Minute }) }()
	var got []time.Duration
	for {
		select {
		case f := <-v.frames:
			got = append(got, f.pts)
			continue
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		}
		break
	}
	for len(v.frames) > 0 {
		got = append(got, (<-v.frames).pts)
	}
	if want := int(s.dur / lateFrameEvery); len(got) != want {
		t.Errorf("late segment handed over frames at %v; want %d, one per %v", got, want, lateFrameEvery)
	}
}
