package player

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/player/transport"
)

// wall is the wall-clock time of core time 0 in these tests.
var wall = time.Date(2026, 12, 4, 5, 0, 0, 0, time.UTC)

// liveMPD is a dynamic MPD, two video rungs and audio, 2s segments, that
// started 10 minutes before wall. timeline: a SegmentTimeline listing the
// last 10 segments at now; else a $Number$ template without a timeline.
// extra goes after the MPD element's opening tag (UTCTiming). Like
// ffmpeg's, the $Number$ form has a minimumUpdatePeriod of minutes: its
// window moves with the clock, not with MPD updates.
func liveMPD(now time.Duration, timeline bool, extra string) string {
	elapsed := 10*time.Minute + now
	newest := int(elapsed/(2*time.Second)) - 1 // complete segments only
	update := "PT2S"
	if !timeline {
		update = "PT500S"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="dynamic" availabilityStartTime="%s" minimumUpdatePeriod="%s" timeShiftBufferDepth="PT30S" suggestedPresentationDelay="PT6S" minBufferTime="PT2S" profiles="urn:mpeg:dash:profile:isoff-live:2011">%s
<Period id="p0" start="PT0S">`, wall.Add(-10*time.Minute).Format(time.RFC3339), update, extra)
	tmpl := func(kind string) string {
		if !timeline {
			return fmt.Sprintf(`<SegmentTemplate timescale="1000" duration="2000" startNumber="0" media="%s$RepresentationID$/$Number$.m4s" initialization="%s$RepresentationID$/init.mp4"/>`, kind, kind)
		}
		first := max(0, newest-9)
		return fmt.Sprintf(`<SegmentTemplate timescale="1000" startNumber="%d" media="%s$RepresentationID$/$Number$.m4s" initialization="%s$RepresentationID$/init.mp4"><SegmentTimeline><S t="%d" d="2000" r="%d"/></SegmentTimeline></SegmentTemplate>`,
			first, kind, kind, first*2000, newest-first)
	}
	fmt.Fprintf(&b, `<AdaptationSet contentType="video" mimeType="video/mp4">%s
<Representation id="0" bandwidth="400000" codecs="avc1.64001e" width="640" height="360"/>
<Representation id="1" bandwidth="1200000" codecs="avc1.64001f" width="1280" height="720"/>
</AdaptationSet>`, tmpl("v"))
	fmt.Fprintf(&b, `<AdaptationSet contentType="audio" mimeType="audio/mp4" lang="en">%s
<Representation id="a" bandwidth="64000" codecs="mp4a.40.2"/></AdaptationSet></Period></MPD>`, tmpl("a"))
	return b.String()
}

// dashSim plays the live MPD; time answers the UTCTiming source.
func dashSim(t *testing.T, cfg CoreConfig, timeline bool, extra string, timeSrc func(now time.Duration) string) *sim {
	s := newSim(t, cfg, 5e6)
	s.body = func(a Action) Outcome {
		if strings.HasSuffix(a.URL, "/time") {
			return Outcome{Status: 200, Body: []byte(timeSrc(s.now))}
		}
		if a.Kind != transport.KindManifest || a.Track != TrackNone {
			t.Fatalf("unexpected request %v", a)
		}
		return Outcome{Status: 200, Body: []byte(liveMPD(s.now, timeline, extra))}
	}
	s.c.Load(0, "http://a.test/live/stream.mpd")
	return s
}

// fetched counts the requests of kind whose URL contains part.
func (s *sim) fetched(kind transport.Kind, part string) int {
	n := 0
	for _, a := range s.fetch {
		if a.Kind == kind && strings.Contains(a.URL, part) {
			n++
		}
	}
	return n
}

func TestCoreDASHLiveTwoRungs(t *testing.T) {
	for _, timeline := range []bool{true, false} {
		t.Run(fmt.Sprintf("timeline=%v", timeline), func(t *testing.T) {
			// a start bitrate between the rungs: the ABR moves between them
			s := dashSim(t, CoreConfig{Epoch: wall, StartBitrate: 8_000_000}, timeline, "", nil)
			s.run(60 * time.Second)
			q := s.c.QoE(s.now)
			if !q.Started || q.FatalError != "" || q.Stalls > 1 {
				t.Fatalf("started %v stalls %d error %q; want a live session that plays\n%s", q.Started, q.Stalls, q.FatalError, s.log())
			}
			if q.PlayTime < 50*time.Second {
				t.Errorf("played %v of 60s", q.PlayTime)
			}
			// the edge of the newest complete segment is 10 min into the
			// stream; the suggested delay is 6s
			if lat := 10*time.Minute + s.now - s.c.Position(s.now); lat < 6*time.Second || lat > 12*time.Second {
				t.Errorf("latency = %v; want 6-12s", lat)
			}
			if !q.Live || q.LiveLatencySeconds < 6 || q.LiveLatencySeconds > 12 || q.LiveLatencyP95Seconds < q.LiveLatencySeconds-0.1 {
				t.Errorf("live %v latency mean %vs p95 %vs; want live, 6-12s, p95 >= mean", q.Live, q.LiveLatencySeconds, q.LiveLatencyP95Seconds)
			}
			if n := s.fetched(transport.KindMedia, "/v"); n < 25 {
				t.Errorf("video segments = %d; want one per 2s", n)
			}
			for _, init := range []string{"v0/init.mp4", "v1/init.mp4", "aa/init.mp4"} {
				if n := s.fetched(transport.KindInit, init); n > 1 {
					t.Errorf("%s fetched %d times; want once", init, n)
				}
			}
			if n := s.fetched(transport.KindManifest, "stream.mpd"); timeline && n < 20 {
				t.Errorf("MPD loads = %d; want one per minimumUpdatePeriod", n)
			}
		})
	}
}

func TestCoreDASHLiveNumberNeedsClock(t *testing.T) {
	// without a wall clock a $Number$ template has no window: nothing
	// starts, and the start-up time-out says so
	s := dashSim(t, CoreConfig{StartupTimeout: 20 * time.Second}, false, "", nil)
	s.run(time.Minute)
	if s.c.State() != StateFailed {
		t.Fatalf("state = %v; want failed by the start-up time-out\n%s", s.c.State(), s.log())
	}
	e, _ := s.first(EventError)
	if !e.Fatal || !errors.Is(e.Err, ErrStartupTimeout) || e.At != 20*time.Second {
		t.Errorf("error event %+v at %v; want fatal ErrStartupTimeout at 20s", e.Err, e.At)
	}
	if !strings.Contains(e.Err.Error(), "no segment available") {
		t.Errorf("error %q does not say why", e.Err)
	}
}

func TestCoreStartupTimeoutOnlyBeforeStart(t *testing.T) {
	s := dashSim(t, CoreConfig{Epoch: wall, StartupTimeout: 5 * time.Second}, false, "", nil)
	s.run(time.Minute)
	if q := s.c.QoE(s.now); !q.Started || q.FatalError != "" {
		t.Errorf("started %v error %q; a session that started in time must not time out", q.Started, q.FatalError)
	}
	paused := dashSim(t, CoreConfig{Epoch: wall, StartupTimeout: 5 * time.Second, NoAutoPlay: true}, false, "", nil)
	paused.run(time.Minute)
	if st := paused.c.State(); st != StatePaused {
		t.Errorf("state without autoplay = %v; want paused (no time-out while the viewer has not asked to play)", st)
	}
}

func TestCoreDASHUTCTiming(t *testing.T) {
	const skew = 90 * time.Second // the local clock is behind the stream's
	tests := []struct {
		name      string
		extra     string
		timeReqs  int
		wantDelta time.Duration // correction of the local clock
	}{
		{"http-xsdate", `<UTCTiming schemeIdUri="urn:mpeg:dash:utc:http-xsdate:2014" value="/time"/>`, 1, skew},
		{"http-iso", `<UTCTiming schemeIdUri="urn:mpeg:dash:utc:http-iso:2014" value="http://a.test/time"/>`, 1, skew},
		{"direct", fmt.Sprintf(`<UTCTiming schemeIdUri="urn:mpeg:dash:utc:direct:2014" value="%s"/>`, wall.Format(time.RFC3339)), 0, skew},
		{"none", `<UTCTiming schemeIdUri="urn:mpeg:dash:utc:none:2014"/>`, 0, 0},
		{"unknown scheme only", `<UTCTiming schemeIdUri="urn:mpeg:dash:utc:ntp:2014" value="pool.ntp.org"/>`, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, timeline := range []bool{false, true} {
				s := dashSim(t, CoreConfig{Epoch: wall.Add(-skew)}, timeline, tc.extra, func(now time.Duration) string {
					return wall.Add(now).Format("2006-01-02T15:04:05.000Z")
				})
				s.run(30 * time.Second)
				if got := s.fetched(transport.KindManifest, "/time"); got != tc.timeReqs {
					t.Errorf("time requests = %d; want %d", got, tc.timeReqs)
				}
				if d := s.c.cfg.Epoch.Sub(wall.Add(-skew)); d < tc.wantDelta-50*time.Millisecond || d > tc.wantDelta+50*time.Millisecond {
					t.Errorf("clock corrected by %v; want %v", d, tc.wantDelta)
				}
				q := s.c.QoE(s.now)
				if tc.wantDelta == 0 {
					continue // the stream is 90s ahead of the local clock: what plays depends on the window
				}
				if !q.Started || q.Stalls > 0 {
					t.Errorf("timeline=%v: started %v stalls %d\n%s", timeline, q.Started, q.Stalls, s.log())
				}
				if lat := 10*time.Minute + s.now - s.c.Position(s.now); lat < 6*time.Second || lat > 12*time.Second {
					t.Errorf("timeline=%v: latency = %v; want 6-12s with the corrected clock", timeline, lat)
				}
			}
		})
	}
}

func TestCoreHLSLiveInitOnce(t *testing.T) {
	l := liveStream{seg: 2 * time.Second, window: 6}
	s := newSim(t, CoreConfig{}, 10e6)
	s.body = func(a Action) Outcome {
		m := l.playlist(a.URL, s.now)
		m.Init = &manifest.InitSegment{URI: a.URL + "/init.mp4"} // a new value on every refresh
		return Outcome{Status: 200, Media: m}
	}
	s.c.LoadPresentation(0, l.presentation())
	s.run(60 * time.Second)
	if q := s.c.QoE(s.now); !q.Started || q.Stalls > 0 {
		t.Fatalf("started %v stalls %d", q.Started, q.Stalls)
	}
	if s.fetched(transport.KindManifest, "") < 20 {
		t.Fatal("too few playlist refreshes to tell")
	}
	for _, v := range []string{"v0.m3u8/init.mp4", "v1.m3u8/init.mp4"} {
		if n := s.fetched(transport.KindInit, v); n > 1 {
			t.Errorf("%s fetched %d times in 60s; want once per rendition", v, n)
		}
	}
}

func TestCoreHLSLiveLatencyFromProgramDateTime(t *testing.T) {
	l := liveStream{seg: 2 * time.Second, window: 6}
	s := newSim(t, CoreConfig{Epoch: wall}, 10e6)
	s.body = func(a Action) Outcome {
		m := l.playlist(a.URL, s.now)
		for i := range m.Segments {
			// segment n was captured from wall + (n-11) x 2s: the newest
			// one at core time 0 (n = 10) ends at wall
			m.Segments[i].ProgramDateTime = wall.Add(time.Duration(int(m.Segments[i].Number)-11) * l.seg)
		}
		return Outcome{Status: 200, Media: m}
	}
	s.c.LoadPresentation(0, l.presentation())
	s.run(60 * time.Second)
	q := s.c.QoE(s.now)
	if !q.Live || q.Stalls > 0 {
		t.Fatalf("live %v stalls %d", q.Live, q.Stalls)
	}
	// three target durations behind an edge that is up to one segment old
	if q.LiveLatencySeconds < 6 || q.LiveLatencySeconds > 9 {
		t.Errorf("mean latency = %vs; want 6-9s", q.LiveLatencySeconds)
	}
	if q.LiveLatencyP95Seconds < q.LiveLatencySeconds-0.1 || q.LiveLatencyP95Seconds > 9.1 {
		t.Errorf("p95 latency = %vs; want between the mean and 9s", q.LiveLatencyP95Seconds)
	}
	vod := newSim(t, CoreConfig{Epoch: wall}, 10e6)
	vod.body = func(a Action) Outcome {
		m := l.playlist(a.URL, 0)
		m.EndList = true
		return Outcome{Status: 200, Media: m}
	}
	vod.c.LoadPresentation(0, l.presentation())
	vod.run(10 * time.Second)
	if q := vod.c.QoE(vod.now); q.Live || q.LiveLatencySeconds != 0 {
		t.Errorf("VOD: live %v latency %v; want false and none", q.Live, q.LiveLatencySeconds)
	}
}

// notWritten fails the requests for liveMPD's media segments that are not
// whole yet when the encoder runs lag behind: segment n (from 0) is
// written at 10 min + (n+1)*2s + lag.
func notWritten(t *testing.T, lag time.Duration) func(Action, time.Duration) bool {
	return func(a Action, now time.Duration) bool {
		if a.Kind != transport.KindMedia {
			return false
		}
		var n int
		if _, err := fmt.Sscanf(a.URL[strings.LastIndex(a.URL, "/")+1:], "%d.m4s", &n); err != nil {
			t.Fatalf("segment URL %q", a.URL)
		}
		return time.Duration(n+1)*2*time.Second+lag > 10*time.Minute+now
	}
}

func TestCoreDASHLiveNumberEncoderLate(t *testing.T) {
	// The encoder runs behind the availability its MPD announces (ffmpeg
	// on a busy machine): the newest segments the clock computes answer
	// 404 for a while. The session must still start and play on.
	for _, lag := range []time.Duration{time.Second, 3 * time.Second, 5 * time.Second} {
		t.Run(lag.String(), func(t *testing.T) {
			s := dashSim(t, CoreConfig{Epoch: wall, StartupTimeout: 20 * time.Second}, false, "", nil)
			s.failStatus = 404
			s.fail = notWritten(t, lag)
			s.run(time.Minute)
			q := s.c.QoE(s.now)
			if !q.Started || q.FatalError != "" || q.PlaySeconds < 40 {
				t.Errorf("started %v played %.1fs error %q; want a session that plays on\n%s", q.Started, q.PlaySeconds, q.FatalError, s.log())
			}
		})
	}
}

func TestCoreLLDASHOnWholeSegmentServer(t *testing.T) {
	// The MPD announces availabilityTimeOffset (as ffmpeg's -streaming
	// does) but the server only has whole segments: the early requests
	// fail once, then the player waits for whole segments.
	s := dashSim(t, CoreConfig{Epoch: wall, StartupTimeout: 20 * time.Second}, false, "", nil)
	body := s.body
	s.body = func(a Action) Outcome {
		o := body(a)
		o.Body = []byte(strings.ReplaceAll(string(o.Body), `duration="2000"`, `duration="2000" availabilityTimeOffset="1.9"`))
		return o
	}
	s.failStatus = 404
	s.fail = notWritten(t, 0)
	s.run(time.Minute)
	q := s.c.QoE(s.now)
	if !q.Started || q.FatalError != "" || q.PlaySeconds < 45 || q.Stalls > 1 {
		t.Errorf("started %v played %.1fs stalls %d error %q; want a session that plays on\n%s", q.Started, q.PlaySeconds, q.Stalls, q.FatalError, s.log())
	}
	if q.Errors > 4 {
		t.Errorf("%d failed requests; want the early ones only (a few), then whole segments", q.Errors)
	}
}

// TestCoreLLDASHPlaysChunks: an LL-DASH server sends each 2 s segment as
// four 0.5 s chunks while it makes them, and answers the request whole
// when the segment is complete. A driver that reports the chunks as they
// arrive (Core.Chunk) plays at the 1.5 s target without stalls; one that
// waits for whole segments cannot keep that latency.
func TestCoreLLDASHPlaysChunks(t *testing.T) {
	const seg, part = 2 * time.Second, 500 * time.Millisecond
	made := func(a Action) time.Duration { // core time segment a is complete
		return a.Start + a.Duration - 10*time.Minute
	}
	run := func(chunks bool) QoE {
		s := dashSim(t, CoreConfig{Epoch: wall, StartupTimeout: 20 * time.Second}, false, "", nil)
		body := s.body
		s.body = func(a Action) Outcome {
			o := body(a)
			mpd := strings.ReplaceAll(string(o.Body), `duration="2000"`, `duration="2000" availabilityTimeOffset="1.5"`)
			o.Body = []byte(strings.Replace(mpd, `suggestedPresentationDelay="PT6S"`, `suggestedPresentationDelay="PT1.5S"`, 1))
			return o
		}
		s.hold = func(a Action) time.Duration {
			if a.Kind != transport.KindMedia {
				return 0
			}
			return made(a)
		}
		if chunks {
			s.chunk = func(a Action, now time.Duration) time.Duration {
				begun := now - (made(a) - seg)
				return min(seg, begun/part*part)
			}
		}
		s.run(time.Minute)
		return s.c.QoE(s.now)
	}
	q := run(true)
	if !q.Started || q.Stalls != 0 || q.LiveLatencySeconds > 1.9 || q.PlaySeconds < 55 {
		t.Errorf("with chunks: started %v stalls %d latency %.2fs played %.1fs; want no stall at about 1.5 s", q.Started, q.Stalls, q.LiveLatencySeconds, q.PlaySeconds)
	}
	whole := run(false)
	if whole.Stalls == 0 && whole.LiveLatencySeconds < 2.5 {
		t.Errorf("whole segments only: stalls %d latency %.2fs; want stalls or a latency well above the target (the test shows nothing otherwise)", whole.Stalls, whole.LiveLatencySeconds)
	}
	t.Logf("chunks: latency %.2fs, %d stalls; whole segments: latency %.2fs, %d stalls", q.LiveLatencySeconds, q.Stalls, whole.LiveLatencySeconds, whole.Stalls)
}
