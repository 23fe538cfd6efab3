package origin

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/simulator/backend/packager"
)

func newLiveServer(t *testing.T) (*httptest.Server, *clock.Fake) {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	ch, err := packager.NewChannel(packager.ChannelConfig{ID: "live", LadderKbps: []int{400}}, clk)
	if err != nil {
		t.Fatal(err)
	}
	base, err := NewPackagerSource(&packager.Catalog{Titles: []packager.Title{{ID: "vod", Duration: 8 * time.Second, SegmentDuration: 2 * time.Second, LadderKbps: []int{400}}}})
	if err != nil {
		t.Fatal(err)
	}
	src, err := WithChannels(base, ch)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := WithChannels(base, ch, ch); err == nil {
		t.Errorf("WithChannels with a duplicate channel = nil error")
	}
	ts := httptest.NewServer(NewServer(src, nil))
	t.Cleanup(ts.Close)
	return ts, clk
}

func get(t *testing.T, url string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(b), resp.Header
}

func TestLiveSourceTitles(t *testing.T) {
	ts, _ := newLiveServer(t)
	_, body, _ := get(t, ts.URL+"/v1/titles")
	if !strings.Contains(body, `{"id":"vod","hls":"master.m3u8","dash":"manifest.mpd","live":false}`) ||
		!strings.Contains(body, `{"id":"live","hls":"master.m3u8","dash":"manifest.mpd","live":true}`) {
		t.Errorf("GET /v1/titles = %s; want vod and live (live: true)", body)
	}
}

func TestLiveServerStatuses(t *testing.T) {
	ts, _ := newLiveServer(t)
	for _, tc := range []struct {
		path string
		code int
	}{
		{"/o/live/v400/media.m3u8", 200},
		{"/o/live/v400/media.m3u8?_HLS_msn=40", 400},
		{"/o/live/v400/seg_15.m4s", 200},
		{"/o/live/v400/part_15_3.m4s", 200},
		{"/o/live/v400/part_15_4.m4s", 404},
		{"/o/live/v400/seg_99.m4s", 404},
		{"/o/vod/master.m3u8?_HLS_msn=3", 200}, // queries mean nothing to VOD titles
	} {
		code, body, h := get(t, ts.URL+tc.path)
		if code != tc.code {
			t.Errorf("GET %s = %d %q; want %d", tc.path, code, body, tc.code)
		}
		if tc.path == "/o/live/v400/media.m3u8" && h.Get("Cache-Control") != "no-cache" {
			t.Errorf("live playlist Cache-Control = %q; want no-cache", h.Get("Cache-Control"))
		}
	}
}

func TestLiveServerBlockingReload(t *testing.T) {
	ts, clk := newLiveServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan string, 1)
	go func() {
		_, body, _ := get(t, ts.URL+"/o/live/v400/media.m3u8?_HLS_msn=16&_HLS_part=1")
		done <- body
	}()
	if err := clk.BlockUntil(ctx, 1); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Second)
	if body := <-done; !strings.Contains(body, `URI="part_16_1.m4s"`+"\n") {
		t.Errorf("blocking reload through HTTP answered:\n%s", body)
	}
}

// TestLiveServerStreamsSegment: the origin sends a segment being made
// chunk by chunk, and Client.FetchStream hands each on as it arrives.
func TestLiveServerStreamsSegment(t *testing.T) {
	ts, clk := newLiveServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pieces := make(chan int, 64)
	done := make(chan error, 1)
	go func() {
		done <- (&Client{Base: ts.URL}).FetchStream(ctx, "live", "v400/seg_16.m4s", func(b []byte) error {
			pieces <- len(b)
			return nil
		})
	}()
	got := 0
	for part := range 4 { // segment 16 starts now; its parts are made 500 ms apart
		if err := clk.BlockUntil(ctx, 1); err != nil {
			t.Fatal(err)
		}
		clk.Advance(500 * time.Millisecond)
		if part < 3 {
			select {
			case n := <-pieces:
				got += n
			case <-ctx.Done():
				t.Fatalf("part %d of the segment did not arrive before the next was made", part)
			}
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for len(pieces) > 0 {
		got += <-pieces
	}
	code, whole, _ := get(t, ts.URL+"/o/live/v400/seg_16.m4s")
	if code != 200 || got != len(whole) {
		t.Errorf("streamed %d bytes; the complete segment has %d (status %d)", got, len(whole), code)
	}
}
