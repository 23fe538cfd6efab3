package player

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/abrkit/abrkit/player/text"
	"github.com/abrkit/abrkit/player/transport"
)

// TestWaitFinishedBeatsExpiredContext: a session that has already finished
// reports its result even when Wait's context is done too (select would
// pick at random between the two).
func TestWaitFinishedBeatsExpiredContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for i := 0; i < 100; i++ {
		p, err := New()
		if err != nil {
			t.Fatal(err)
		}
		p.Close()
		if err := p.Wait(ctx); !errors.Is(err, ErrClosed) {
			t.Fatalf("Wait(expired ctx) after Close = %v; want %v", err, ErrClosed)
		}
	}
}

// TestWaitExpiredContext: an unfinished session returns ctx's error.
func TestWaitExpiredContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait(expired ctx) before Load = %v; want %v", err, context.Canceled)
	}
}

// memFetcher serves bodies from a map, keyed by URL; other URLs get 404.
type memFetcher map[string]string

func (m memFetcher) Fetch(_ context.Context, req *transport.Request, _ transport.ProgressFunc) (*transport.Result, error) {
	b, ok := m[req.URL]
	if !ok {
		return nil, &transport.HTTPError{URL: req.URL, Status: 404}
	}
	if req.Body != nil {
		io.WriteString(req.Body, b)
	}
	return &transport.Result{Status: 200, Bytes: int64(len(b)), Attempts: 1, Size: int64(len(b))}, nil
}

var _ transport.Fetcher = memFetcher(nil)

// memHLS is a two-segment VOD stream for memFetcher.
var memHLS = memFetcher{
	"http://mem.test/master.m3u8": "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=500000\nlow.m3u8\n",
	"http://mem.test/low.m3u8": "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n" +
		"#EXTINF:2.0,\n1.ts\n#EXTINF:2.0,\n2.ts\n#EXT-X-ENDLIST\n",
	"http://mem.test/1.ts": "one", "http://mem.test/2.ts": "two",
}

func TestLoadTwice(t *testing.T) {
	p, err := New(WithFetcher(memHLS), WithoutAutoPlay())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx := context.Background()
	if err := p.Load(ctx, "http://mem.test/master.m3u8"); err != nil {
		t.Fatalf("first Load = %v; want nil", err)
	}
	for _, src := range []string{"http://mem.test/master.m3u8", "http://other.test/x.m3u8"} {
		if err := p.Load(ctx, src); !errors.Is(err, ErrLoaded) {
			t.Errorf("second Load(%q) = %v; want %v", src, err, ErrLoaded)
		}
	}
	p.Close()
	if err := p.Load(ctx, "http://mem.test/master.m3u8"); !errors.Is(err, ErrClosed) {
		t.Errorf("Load after Close = %v; want %v", err, ErrClosed)
	}
}

// TestTextGoroutineOnlyWhenNeeded: a player with no text output and no
// track selected keeps no text goroutine after Load (thousands of
// players in one process would each keep an idle one).
func TestTextGoroutineOnlyWhenNeeded(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		want bool
	}{
		{"no subtitles", nil, false},
		{"a language the stream lacks", []Option{WithTextLanguage("fr")}, false},
		{"an output", []Option{WithTextOutput(TextOutputFunc(func(time.Duration, []text.Cue) {}))}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(append([]Option{WithFetcher(memHLS), WithoutAutoPlay()}, tt.opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			if err := p.Load(context.Background(), "http://mem.test/master.m3u8"); err != nil {
				t.Fatal(err)
			}
			p.text.mu.Lock()
			got := p.text.done != nil
			p.text.mu.Unlock()
			if got != tt.want {
				t.Errorf("text goroutine started = %v; want %v", got, tt.want)
			}
		})
	}
}

func TestNewValidatesOptions(t *testing.T) {
	tests := []struct {
		name   string
		opt    Option
		option string // "" when New must accept it
	}{
		{"max bitrate negative", WithMaxBitrate(-1), "WithMaxBitrate"},
		{"max bitrate zero", WithMaxBitrate(0), ""},
		{"max bitrate", WithMaxBitrate(2_000_000), ""},
		{"start bitrate negative", WithStartBitrate(-500), "WithStartBitrate"},
		{"start bitrate zero", WithStartBitrate(0), ""},
		{"retries negative", WithMaxRetries(-1), "WithMaxRetries"},
		{"retries zero", WithMaxRetries(0), ""},
		{"live delay negative", WithLiveDelay(-time.Second), "WithLiveDelay"},
		{"live delay", WithLiveDelay(6 * time.Second), ""},
		{"start position negative", WithStartPosition(-time.Millisecond), "WithStartPosition"},
		{"start position", WithStartPosition(30 * time.Second), ""},
		{"nil option", nil, ""},
		{"nil ABR", WithABR(nil), ""},
		{"nil fetcher", WithFetcher(nil), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.opt)
			if tt.option == "" {
				if err != nil {
					t.Fatalf("New(%s) = %v; want nil", tt.name, err)
				}
				p.Close()
				return
			}
			var oe *OptionError
			if !errors.As(err, &oe) || oe.Option != tt.option {
				t.Fatalf("New(%s) = %v; want *OptionError for %s", tt.name, err, tt.option)
			}
			if !errors.Is(err, ErrBadOption) {
				t.Errorf("New(%s) = %v; want it to wrap ErrBadOption", tt.name, err)
			}
			if p != nil {
				t.Errorf("New(%s) returned a player with its error", tt.name)
			}
		})
	}
}

func TestStatusJSON(t *testing.T) {
	s := Status{State: StatePlaying, Position: 1500 * time.Millisecond, Buffered: 12 * time.Second,
		Duration: 60 * time.Second, Bitrate: 800_000, Throughput: 2e6, ABR: "throughput"}
	got, err := json.Marshal(s)
	want := `{"state":"playing","bitrate":800000,"throughput":2000000,"abr":"throughput",` +
		`"position_seconds":1.5,"buffered_seconds":12,"duration_seconds":60}`
	if err != nil || string(got) != want {
		t.Errorf("json.Marshal(Status) = %s, %v;\nwant %s", got, err, want)
	}
}

func TestEventJSON(t *testing.T) {
	tests := []struct {
		e    Event
		want string
	}{
		{Event{Kind: EventSegmentLoaded, At: time.Second, Position: 0, Track: TrackAudio, Bitrate: 128000, Bytes: 32000},
			`{"kind":"segment_loaded","at_ns":1000000000,"position_ns":0,"bitrate":128000,"bytes":32000,"track":"audio"}`},
		{Event{Kind: EventRenditionSwitch, Track: TrackVideo, FromLevel: 0, Level: 2, Reason: "abr"},
			`{"kind":"rendition_switch","at_ns":0,"position_ns":0,"level":2,"reason":"abr","track":"video"}`},
		{Event{Kind: EventPlaying},
			`{"kind":"playing","at_ns":0,"position_ns":0}`},
	}
	for _, tt := range tests {
		got, err := json.Marshal(tt.e)
		if err != nil || string(got) != tt.want {
			t.Errorf("json.Marshal(%v event) = %s, %v;\nwant %s", tt.e.Kind, got, err, tt.want)
		}
		// a pointer marshals the same
		if got, _ := json.Marshal(&tt.e); string(got) != tt.want {
			t.Errorf("json.Marshal(&%v event) = %s; want %s", tt.e.Kind, got, tt.want)
		}
	}
}
