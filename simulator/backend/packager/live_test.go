package packager

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/abrkit/abrkit/clock"
)

var liveEpoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func newTestChannel(t *testing.T, cfg ChannelConfig) (*Channel, *clock.Fake) {
	t.Helper()
	clk := clock.NewFake(liveEpoch)
	if cfg.ID == "" {
		cfg.ID = "live1"
	}
	if cfg.LadderKbps == nil {
		cfg.LadderKbps = []int{400, 1200}
	}
	c, err := NewChannel(cfg, clk)
	if err != nil {
		t.Fatal(err)
	}
	return c, clk
}

func open(t *testing.T, c *Channel, file, query string) string {
	t.Helper()
	q, _ := url.ParseQuery(query)
	b, err := c.Open(context.Background(), file, q)
	if err != nil {
		t.Fatalf("Open(%s?%s): %v", file, query, err)
	}
	return string(b)
}

func TestChannelPlaylistAdvancesWithClock(t *testing.T) {
	c, clk := newTestChannel(t, ChannelConfig{})
	if got, want := c.Start(), liveEpoch.Add(-DefaultLiveWindow); !got.Equal(want) {
		t.Fatalf("Start() = %v; want %v", got, want)
	}
	pl := open(t, c, "v400/media.m3u8", "")
	for _, want := range []string{
		"#EXT-X-MEDIA-SEQUENCE:1\n",
		"#EXT-X-PART-INF:PART-TARGET=0.5\n",
		"PART-HOLD-BACK=1.5",
		"#EXT-X-PROGRAM-DATE-TIME:2026-01-02T03:03:35.000Z\n", // segment 1 at Start
		"#EXT-X-PROGRAM-DATE-TIME:2026-01-02T03:04:03.000Z\n", // segment 15
		"seg_15.m4s\n",
		"#EXT-X-PART:DURATION=0.5,URI=\"part_15_3.m4s\"\n",
		"#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part_16_0.m4s\",INDEPENDENT=YES\n",
		"#EXT-X-RENDITION-REPORT:URI=\"../v1200/media.m3u8\",LAST-MSN=15,LAST-PART=3\n",
	} {
		if !strings.Contains(pl, want) {
			t.Errorf("playlist at start lacks %q:\n%s", want, pl)
		}
	}
	if strings.Contains(pl, "seg_16.m4s") || strings.Contains(pl, "part_12_0") {
		t.Errorf("playlist at start lists seg_16 or old parts:\n%s", pl)
	}
	clk.Advance(1100 * time.Millisecond)
	pl = open(t, c, "v400/media.m3u8", "")
	for _, want := range []string{
		"#EXT-X-PART:DURATION=0.5,URI=\"part_16_0.m4s\",INDEPENDENT=YES\n#EXT-X-PART:DURATION=0.5,URI=\"part_16_1.m4s\"\n",
		"#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part_16_2.m4s\"\n",
		"LAST-MSN=16,LAST-PART=1\n",
	} {
		if !strings.Contains(pl, want) {
			t.Errorf("playlist after 1.1s lacks %q:\n%s", want, pl)
		}
	}
	clk.Advance(30 * time.Second)
	pl = open(t, c, "a128/media.m3u8", "")
	if !strings.Contains(pl, "#EXT-X-MEDIA-SEQUENCE:16\n") || !strings.Contains(pl, "seg_30.m4s\n") || strings.Contains(pl, "seg_31.m4s") {
		t.Errorf("playlist after 31.1s does not slide to 16..30:\n%s", pl)
	}
}

func TestChannelBlockingReload(t *testing.T) {
	c, clk := newTestChannel(t, ChannelConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan string, 1)
	go func() {
		q := url.Values{"_HLS_msn": {"16"}, "_HLS_part": {"2"}}
		b, err := c.Open(ctx, "v1200/media.m3u8", q)
		if err != nil {
			done <- "error: " + err.Error()
			return
		}
		done <- string(b)
	}()
	if err := clk.BlockUntil(ctx, 1); err != nil {
		t.Fatal(err)
	}
	clk.Advance(1499 * time.Millisecond) // part 16.2 completes at 1.5 s
	if clk.Pending() != 1 {
		t.Fatalf("blocking reload returned before its part existed")
	}
	clk.Advance(time.Millisecond)
	pl := <-done
	if !strings.Contains(pl, "URI=\"part_16_2.m4s\"\n") || !strings.Contains(pl, "PRELOAD-HINT:TYPE=PART,URI=\"part_16_3.m4s\"") {
		t.Fatalf("blocking reload for 16.2 answered:\n%s", pl)
	}
}

func TestChannelBlockingErrors(t *testing.T) {
	c, _ := newTestChannel(t, ChannelConfig{MaxHold: time.Second})
	for _, tc := range []struct {
		query string
		want  error
	}{
		{"_HLS_msn=20", ErrBadRequest},
		{"_HLS_msn=x", ErrBadRequest},
		{"_HLS_part=1", ErrBadRequest},
		{"_HLS_msn=17&_HLS_part=0", ErrTooEarly}, // 2.5 s away, hold limit 1 s
	} {
		q, _ := url.ParseQuery(tc.query)
		_, err := c.Open(context.Background(), "v400/media.m3u8", q)
		if !errors.Is(err, tc.want) {
			t.Errorf("Open(?%s) error = %v; want %v", tc.query, err, tc.want)
		}
	}
}

func TestChannelDeltaUpdate(t *testing.T) {
	c, _ := newTestChannel(t, ChannelConfig{})
	pl := open(t, c, "v400/media.m3u8", "_HLS_skip=YES")
	if !strings.Contains(pl, "#EXT-X-SKIP:SKIPPED-SEGMENTS=9\n") || strings.Contains(pl, "seg_9.m4s") || !strings.Contains(pl, "seg_10.m4s") {
		t.Fatalf("delta update of 15 segments with CAN-SKIP-UNTIL=12:\n%s", pl)
	}
}

// TestChannelChunks checks that parts are CMAF chunks whose decode times
// run on without gaps across parts, segments and the content loop, and
// that a segment is its parts back to back.
func TestChannelChunks(t *testing.T) {
	c, _ := newTestChannel(t, ChannelConfig{Window: 70 * time.Second})
	for _, rid := range []string{"v400", "a128"} {
		var next uint64
		for n := 29; n <= 32; n++ { // crosses the 30-segment loop
			var parts []byte
			for j := 0; j < 4; j++ {
				b := []byte(open(t, c, fmt.Sprintf("%s/%s", rid, PartName(n, j)), ""))
				parts = append(parts, b...)
				f, err := mp4.DecodeFile(bytes.NewReader(b))
				if err != nil {
					t.Fatalf("%s part %d.%d: %v", rid, n, j, err)
				}
				frag := f.Segments[0].Fragments[0]
				tfdt := frag.Moof.Traf.Tfdt.BaseMediaDecodeTime()
				if n > 29 || j > 0 {
					if tfdt != next {
						t.Errorf("%s part %d.%d tfdt = %d; want %d", rid, n, j, tfdt, next)
					}
				}
				var dur uint64
				for _, s := range frag.Moof.Traf.Trun.Samples {
					dur += uint64(s.Dur)
				}
				next = tfdt + dur
				if got, want := frag.Moof.Mfhd.SequenceNumber, uint32((n-1)*4+j+1); got != want {
					t.Errorf("%s part %d.%d sequence = %d; want %d", rid, n, j, got, want)
				}
			}
			seg := open(t, c, rid+"/"+SegmentName(n), "")
			if seg != string(parts) {
				t.Errorf("%s segment %d differs from its parts", rid, n)
			}
		}
		if rid == "v400" && next != 32*180000 {
			t.Errorf("video ends at %d; want %d", next, 32*180000)
		}
	}
}

func TestChannelHoldsMediaUntilComplete(t *testing.T) {
	c, clk := newTestChannel(t, ChannelConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := c.Open(ctx, "v400/"+PartName(16, 0), nil)
		done <- err
	}()
	if err := clk.BlockUntil(ctx, 1); err != nil {
		t.Fatal(err)
	}
	clk.Advance(500 * time.Millisecond)
	if err := <-done; err != nil {
		t.Fatalf("preload-hinted part: %v", err)
	}
	if _, err := c.Open(ctx, "v400/"+PartName(30, 0), nil); err == nil {
		t.Errorf("a part far in the future was served")
	}
}

func TestChannelMPD(t *testing.T) {
	c, _ := newTestChannel(t, ChannelConfig{})
	mpd := open(t, c, DASHManifest, "")
	ll := open(t, c, LLDASHManifest, "")
	for _, want := range []string{`type="dynamic"`, `availabilityStartTime="2026-01-02T03:03:35.000Z"`, `timeShiftBufferDepth="PT30S"`,
		`media="$RepresentationID$/seg_$Number$.m4s"`, `<UTCTiming schemeIdUri="urn:mpeg:dash:utc:direct:2014" value="2026-01-02T03:04:05.000Z"/>`} {
		if !strings.Contains(mpd, want) || !strings.Contains(ll, want) {
			t.Errorf("MPDs lack %q", want)
		}
	}
	if strings.Contains(mpd, "availabilityTimeOffset") || !strings.Contains(ll, `availabilityTimeOffset="1.5" availabilityTimeComplete="false"`) {
		t.Errorf("availabilityTimeOffset belongs in the LL-DASH MPD only:\n%s", ll)
	}
}

func TestChannelConfigErrors(t *testing.T) {
	for _, cfg := range []ChannelConfig{
		{ID: "x", LadderKbps: []int{400}, PartDuration: 3 * time.Second},
		{ID: "x", LadderKbps: []int{400}, PartDuration: 700 * time.Millisecond},
		{ID: "x", LadderKbps: []int{400}, Window: 4 * time.Second},
		{ID: "x"},
	} {
		if _, err := NewChannel(cfg, clock.NewFake(liveEpoch)); err == nil {
			t.Errorf("NewChannel(%+v) = nil error", cfg)
		}
	}
}
