package player

import (
	"cmp"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/player/transport"
)

// content builds a presentation in memory: one video set with the given
// bitrates and one audio rendition, n segments of segDur. Media URIs live
// under http://a.test/ (the first server).
func content(n int, segDur time.Duration, bitrates ...int) *manifest.Presentation {
	p := &manifest.Presentation{Format: manifest.FormatDASH, URI: "http://a.test/m.mpd", Duration: time.Duration(n) * segDur}
	video := manifest.AdaptationSet{ID: "v", Type: manifest.Video}
	for i, b := range bitrates {
		video.Renditions = append(video.Renditions, rendition(fmt.Sprintf("v%d", i), manifest.Video, b, n, segDur))
	}
	audio := manifest.AdaptationSet{ID: "a", Type: manifest.Audio,
		Renditions: []manifest.Rendition{rendition("a0", manifest.Audio, 128_000, n, segDur)}}
	p.Periods = []manifest.Period{{ID: "p0", Duration: p.Duration, Sets: []manifest.AdaptationSet{video, audio}}}
	return p
}

func rendition(id string, typ manifest.MediaType, bw, n int, segDur time.Duration) manifest.Rendition {
	r := manifest.Rendition{ID: id, Type: typ, Bandwidth: bw, Loaded: true, EndList: true, TargetDuration: segDur,
		Init: &manifest.InitSegment{URI: "http://a.test/" + id + "/init.mp4"}}
	for i := 0; i < n; i++ {
		r.Segments = append(r.Segments, manifest.Segment{Number: uint64(i + 1),
			URI:   fmt.Sprintf("http://a.test/%s/%d.m4s", id, i+1),
			Start: time.Duration(i) * segDur, Duration: segDur})
	}
	return r
}

// issued is a fetch action and when it was issued.
type issued struct {
	Action
	at time.Duration
}

func (i issued) At() time.Duration { return i.at }

// flight is a fetch in progress on the simulated link.
type flight struct {
	a       Action
	left    float64 // bytes
	size    int64
	readyAt time.Duration // after the round trip
	started time.Duration
	fail    bool
}

// sim steps a Core over a simulated link in virtual time. Transfers share
// the bandwidth equally; manifests and playlists come from the harness.
type sim struct {
	t    *testing.T
	c    *Core
	now  time.Duration
	rtt  time.Duration
	bw   func(now time.Duration) float64 // bits/s
	fail func(a Action, now time.Duration) bool
	// failStatus is the status of a failed request (0: 503)
	failStatus int
	body       func(a Action) Outcome       // manifests, playlists, steering
	index      func(a Action) Outcome       // segment indexes (Action.Index)
	hold       func(a Action) time.Duration // core time before which the server cannot answer a (nil: none)
	// chunk is the media of a Chunked fetch received by now, reported
	// with Core.Chunk at every tick while it is in flight (nil: none).
	chunk  func(a Action, now time.Duration) time.Duration
	fl     []*flight
	events []Event
	fetch  []issued // every fetch, in order
	beacon []issued // every beacon, in order
	// lastDone is the last request completed in the latest step, which
	// an earlier completion of that step may have cancelled.
	lastDone RequestID
	acts     []Action
	steps    int
	// abandoned counts the Progress calls that reported an abandonment.
	abandoned int
}

func newSim(t *testing.T, cfg CoreConfig, bw float64) *sim {
	s := &sim{t: t, rtt: 20 * time.Millisecond, bw: func(time.Duration) float64 { return bw }}
	cfg.Listener = ListenerFunc(func(e Event) { s.events = append(s.events, e) })
	s.c = NewCore(cfg)
	return s
}

const tick = 250 * time.Millisecond // progress reports and bandwidth changes

// run steps until the core time reaches until, or the session ends.
func (s *sim) run(until time.Duration) {
	s.t.Helper()
	for s.now < until {
		s.steps++
		if s.steps > 1_000_000 {
			s.t.Fatal("harness: too many steps")
		}
		var wake time.Duration
		s.acts, wake = s.c.Poll(s.now, s.acts[:0])
		for _, a := range s.acts {
			s.start(a)
		}
		if st := s.c.State(); st == StateEnded || st == StateFailed {
			return
		}
		next := min(wake, until, (s.now/tick+1)*tick)
		active := 0
		for _, f := range s.fl {
			if s.now >= f.readyAt {
				active++
			}
		}
		rate := s.bw(s.now) / 8 / float64(max(active, 1)) // bytes/s each
		for _, f := range s.fl {
			if s.now < f.readyAt {
				next = min(next, f.readyAt)
			} else {
				next = min(next, s.now+time.Duration(f.left/rate*float64(time.Second))+1)
			}
		}
		if next <= s.now {
			next = s.now + 1
		}
		dt := next - s.now
		for _, f := range s.fl {
			if s.now >= f.readyAt {
				f.left -= rate * dt.Seconds()
			}
		}
		s.now = next
		s.finish()
	}
}

func (s *sim) start(a Action) {
	if a.Op == OpCancel {
		for i, f := range s.fl {
			if f.a.ID == a.ID {
				s.fl = append(s.fl[:i], s.fl[i+1:]...)
				return
			}
		}
		if a.ID != s.lastDone {
			s.t.Fatalf("cancel of unknown request %d", a.ID)
		}
		return // finished in the same step as the one that cancelled it
	}
	if a.Op == OpBeacon {
		s.beacon = append(s.beacon, issued{a, s.now})
		return
	}
	s.fetch = append(s.fetch, issued{a, s.now})
	f := &flight{a: a, readyAt: s.now + s.rtt, started: s.now}
	if s.hold != nil {
		f.readyAt = max(f.readyAt, s.hold(a)+s.rtt/2)
	}
	if s.fail != nil && s.fail(a, s.now) {
		f.fail = true
	}
	switch a.Kind {
	case transport.KindMedia, transport.KindInit:
		f.size = a.Size
		if a.Kind == transport.KindInit {
			f.size = 1000
		}
		f.left = float64(f.size)
	}
	if f.fail {
		f.left = 0
	}
	s.fl = append(s.fl, f)
}

// finish completes the flights that are done and reports progress.
func (s *sim) finish() {
	keep := s.fl[:0]
	var done []*flight
	for _, f := range s.fl {
		if s.now >= f.readyAt && f.left <= 0.5 {
			done = append(done, f)
		} else {
			keep = append(keep, f)
		}
	}
	s.fl = keep
	for _, f := range done {
		// the first byte comes when the server answers: after a hold too
		o := Outcome{Status: 200, Bytes: f.size, TTFB: f.readyAt - f.started, Duration: s.now - f.started}
		switch {
		case f.fail:
			o = Outcome{Status: cmp.Or(s.failStatus, 503), Duration: s.now - f.started}
		case f.a.Index:
			o = s.index(f.a)
			o.Duration = s.now - f.started
		case f.a.Kind == transport.KindManifest || f.a.Kind == transport.KindSteering:
			o = s.body(f.a)
			o.Duration = s.now - f.started
		}
		s.c.Complete(s.now, f.a.ID, o)
		s.lastDone = f.a.ID
	}
	if s.now%tick == 0 {
		for _, f := range s.fl {
			if f.a.Kind == transport.KindMedia && s.now > f.readyAt {
				if s.c.Progress(s.now, f.a.ID, f.size-int64(f.left)) {
					s.abandoned++
				}
			}
			if f.a.Chunked && s.chunk != nil && s.now >= f.started+s.rtt {
				s.c.Chunk(s.now, f.a.ID, s.chunk(f.a, s.now))
			}
		}
	}
}

// count returns the number of events of kind.
func (s *sim) count(k EventKind) int {
	n := 0
	for _, e := range s.events {
		if e.Kind == k {
			n++
		}
	}
	return n
}

func (s *sim) first(k EventKind) (Event, bool) {
	for _, e := range s.events {
		if e.Kind == k {
			return e, true
		}
	}
	return Event{}, false
}

// levels lists the video bitrates fetched, in order.
func (s *sim) levels() []int {
	var out []int
	for _, a := range s.fetch {
		if a.Kind == transport.KindMedia && a.Track == TrackVideo {
			out = append(out, a.Bitrate)
		}
	}
	return out
}

func (s *sim) log() string {
	var b strings.Builder
	for _, e := range s.events {
		if e.Kind == EventSegmentLoaded {
			continue
		}
		fmt.Fprintf(&b, "%8v %-16s pos=%v lvl=%d br=%d srv=%s %v\n", e.At, e.Kind, e.Position, e.Level, e.Bitrate, e.Server, e.Err)
	}
	return b.String()
}
