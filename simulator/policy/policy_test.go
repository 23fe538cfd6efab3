package policy

import (
	"errors"
	"testing"
	"time"

	"github.com/abrkit/abrkit/abr"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/simulator/scenario"
)

func TestMaxBitrate(t *testing.T) {
	p := &manifest.Presentation{Periods: []manifest.Period{{Sets: []manifest.AdaptationSet{
		{Type: manifest.Audio, Renditions: []manifest.Rendition{{Bandwidth: 128_000}}},
		{Type: manifest.Video, Renditions: []manifest.Rendition{{Bandwidth: 700_000, Height: 234}, {Bandwidth: 2_500_000, Height: 540}, {Bandwidth: 4_600_000, Height: 720}}},
	}}}}
	for _, c := range []struct {
		p      *manifest.Presentation
		height int
		want   int
	}{
		{p, 540, 2_500_000},
		{p, 719, 2_500_000},
		{p, 2160, 4_600_000},
		{p, 100, 700_000}, // nothing fits: the lowest
		{p, 0, 0},
		{nil, 540, 0},
		{&manifest.Presentation{}, 540, 0},
	} {
		if got := MaxBitrate(c.p, c.height); got != c.want {
			t.Errorf("MaxBitrate(height %d) = %d; want %d", c.height, got, c.want)
		}
	}
}

func TestNewABR(t *testing.T) {
	for _, c := range []struct {
		name, want string
		err        error
	}{
		{"", DefaultABR, nil},
		{"bola", "bola", nil},
		{"nope", "", abr.ErrUnknown},
	} {
		a, err := NewABR(c.name)
		if !errors.Is(err, c.err) {
			t.Fatalf("NewABR(%q) error = %v; want %v", c.name, err, c.err)
		}
		if err == nil && a.Name() != c.want {
			t.Errorf("NewABR(%q) = %s; want %s", c.name, a.Name(), c.want)
		}
	}
}

func TestBufferPolicy(t *testing.T) {
	for _, c := range []struct {
		y       string
		forward time.Duration
		bad     bool
	}{
		{"", 0, false},
		{"session: {max_buffer: 12s}", 12 * time.Second, false},
	} {
		s, err := scenario.Parse([]byte("viewers: {count: 1}\n"+c.y+"\n"), "t.yaml")
		if err != nil {
			t.Fatal(err)
		}
		bp, err := BufferPolicy(s)
		if (err != nil) != c.bad {
			t.Fatalf("BufferPolicy(%q) error = %v", c.y, err)
		}
		want := player.NewBufferPolicy().Forward
		if c.forward > 0 {
			want = c.forward
		}
		if got := bp.(player.DefaultBufferPolicy).Forward; got != want {
			t.Errorf("BufferPolicy(%q).Forward = %v; want %v", c.y, got, want)
		}
	}
}

func TestCheckContent(t *testing.T) {
	for _, c := range []struct {
		y    string
		want error
		n    int // channels played
	}{
		{"content: {live_channels: 1, live_share: 0.5}", nil, 1},
		{"content: {titles: 5}", nil, 0},
		{"content: {live_channels: 2, live_share: 0.5}", ErrLiveContent, 1}, // the default topology has one
	} {
		s, err := scenario.Parse([]byte("viewers: {count: 1}\n"+c.y+"\n"), "t.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckContent(s); !errors.Is(err, c.want) {
			t.Errorf("CheckContent(%s) = %v; want %v", c.y, err, c.want)
		}
		if got := len(Channels(s)); got != c.n {
			t.Errorf("Channels(%s) = %d channels; want %d", c.y, got, c.n)
		}
	}
	s, err := scenario.Parse([]byte("viewers: {count: 1}\nmode: live\ncontent: {live_channels: 1, live_share: 0.5}\nbackend: {urls: [\"http://127.0.0.1:1/m.m3u8\"]}\n"), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckContent(s); !errors.Is(err, ErrLiveContent) {
		t.Errorf("CheckContent(live share, no embedded backend) = %v; want ErrLiveContent", err)
	}
}

func TestLiveChannel(t *testing.T) {
	for _, c := range []struct {
		x, share float64
		n, k     int
		ok       bool
	}{
		{0.1, 0.5, 1, 0, true},
		{0.6, 0.5, 1, 0, false},
		{0.49, 0.5, 2, 1, true},
		{0.2, 0.5, 2, 0, true},
		{0.2, 0.5, 0, 0, false},
		{0.999, 1, 3, 2, true},
	} {
		k, ok := LiveChannel(c.x, c.share, c.n)
		if k != c.k || ok != c.ok {
			t.Errorf("LiveChannel(%v, %v, %d) = %d, %v; want %d, %v", c.x, c.share, c.n, k, ok, c.k, c.ok)
		}
	}
}

func TestProgressFraction(t *testing.T) {
	for _, c := range []struct {
		p    Progress
		want float64
	}{
		{Progress{}, 0},
		{Progress{Now: 30 * time.Second, Horizon: time.Minute, Total: 10}, 0.5},
		{Progress{Now: 10 * time.Second, Horizon: time.Minute, Finished: 8, Total: 10}, 0.8},
		{Progress{Now: 2 * time.Minute, Horizon: time.Minute, Finished: 9, Total: 10}, 0.99},
		{Progress{Now: 2 * time.Minute, Horizon: time.Minute, Finished: 10, Total: 10}, 1},
	} {
		if got := c.p.Fraction(); got < c.want-1e-9 || got > c.want+1e-9 {
			t.Errorf("%+v.Fraction() = %g; want %g", c.p, got, c.want)
		}
	}
	if got := Horizon(time.Minute, 90*time.Second, 0); got != 150*time.Second {
		t.Errorf("Horizon(1m, 90s, 0) = %v; want 2m30s", got)
	}
	if got := Horizon(time.Minute, 90*time.Second, 2*time.Minute); got != 2*time.Minute {
		t.Errorf("Horizon(1m, 90s, 2m) = %v; want 2m", got)
	}
}
