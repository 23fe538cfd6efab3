package player

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/player/transport"
)

func TestCoreDiscontinuityNewInit(t *testing.T) {
	p := content(10, 2*time.Second, 1_000_000)
	p.Format = manifest.FormatHLS
	p.Periods[0].Sets = p.Periods[0].Sets[:1] // muxed: video only
	r := &p.Periods[0].Sets[0].Renditions[0]
	init2 := &manifest.InitSegment{URI: "http://a.test/v0/init2.mp4"}
	for i := 5; i < 10; i++ {
		r.Segments[i].Init = init2
	}
	r.Segments[5].Discontinuity = true
	s := newSim(t, CoreConfig{}, 10e6)
	s.c.LoadPresentation(0, p)
	s.run(time.Minute)
	var inits []string
	for _, a := range s.fetch {
		if a.Kind == transport.KindInit {
			inits = append(inits, a.URL)
		}
	}
	want := []string{"http://a.test/v0/init.mp4", "http://a.test/v0/init2.mp4"}
	if fmt.Sprint(inits) != fmt.Sprint(want) {
		t.Errorf("init fetches = %v; want %v", inits, want)
	}
	if s.c.State() != StateEnded || s.c.QoE(s.now).PlayTime != 20*time.Second {
		t.Errorf("state %v play time %v; want ended after 20s", s.c.State(), s.c.QoE(s.now).PlayTime)
	}
}

func TestCoreMultiPeriod(t *testing.T) {
	p := content(10, 2*time.Second, ladder...)
	second := content(10, 2*time.Second, ladder...).Periods[0]
	second.ID, second.Start = "p1", 20*time.Second
	p.Periods = append(p.Periods, second)
	p.Duration = 40 * time.Second
	s := newSim(t, CoreConfig{}, 10e6)
	s.c.LoadPresentation(0, p)
	s.run(2 * time.Minute)
	q := s.c.QoE(s.now)
	if s.c.State() != StateEnded || q.PlayTime != 40*time.Second || q.Segments != 40 {
		t.Errorf("state %v play %v segments %d; want ended, 40s, 40 segments\n%s", s.c.State(), q.PlayTime, q.Segments, s.log())
	}
	if q.Stalls != 0 {
		t.Errorf("stalls at the period boundary = %d; want 0", q.Stalls)
	}
}

func TestCoreAbandonsDownloadThatWouldStall(t *testing.T) {
	p := content(100, 4*time.Second, ladder...)
	s := newSim(t, CoreConfig{}, 0)
	s.bw = func(now time.Duration) float64 {
		if now < 40*time.Second {
			return 12e6
		}
		return 400e3
	}
	// a small buffer so that the top level cannot finish in time
	s.c = NewCore(CoreConfig{Buffer: DefaultBufferPolicy{Forward: 8 * time.Second, Resume: 6 * time.Second,
		Start: 2 * time.Second, Restart: 4 * time.Second, Back: time.Second},
		Listener: ListenerFunc(func(e Event) { s.events = append(s.events, e) })})
	s.c.LoadPresentation(0, p)
	s.run(80 * time.Second)
	e, ok := s.first(EventAbandon)
	if !ok {
		t.Fatalf("no abandon event after the drop\n%s", s.log())
	}
	if e.At < 40*time.Second || e.Level >= e.FromLevel {
		t.Errorf("abandon = %+v; want after 40s to a lower level", e)
	}
	if q := s.c.QoE(s.now); q.Abandoned == 0 {
		t.Errorf("qoe abandoned = 0")
	}
	if n := s.count(EventAbandon); s.abandoned != n {
		t.Errorf("Progress reported %d abandonments; %d abandon events", s.abandoned, n)
	}
	// the abandoned segment is fetched again at the lower level
	var again bool
	for i, a := range s.fetch {
		if a.Kind == transport.KindMedia && a.Track == TrackVideo && a.At() > e.At {
			for _, b := range s.fetch[:i] {
				if b.Kind == transport.KindMedia && b.Track == TrackVideo && b.Number == a.Number && b.Bitrate > a.Bitrate {
					again = true
				}
			}
			break
		}
	}
	if !again {
		t.Errorf("the abandoned segment was not refetched lower")
	}
}

func TestCoreSteeringReloadRules(t *testing.T) {
	tests := []struct {
		name   string
		status int
		retry  time.Duration
		want   int // reloads within 60s
	}{
		{"200 with ttl 10s", 200, 0, 6},
		{"410 stops reloads", 410, 0, 1},
		{"429 waits retry-after", 429, 25 * time.Second, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := content(100, 2*time.Second, ladder...)
			var at []time.Duration
			s := newSim(t, CoreConfig{}, 10e6)
			s.c = NewCore(CoreConfig{Listener: ListenerFunc(func(e Event) { s.events = append(s.events, e) }),
				Edges: twoEdges, NewSelector: nil})
			s.c.cfg.NewSelector = selectorWithSteering
			s.body = func(a Action) Outcome {
				at = append(at, s.now)
				if tc.status != 200 {
					return Outcome{Status: tc.status, RetryAfter: tc.retry}
				}
				return Outcome{Status: 200, Body: []byte(`{"VERSION":1,"TTL":10,"PATHWAY-PRIORITY":["a","b"]}`)}
			}
			s.c.LoadPresentation(0, p)
			s.run(59 * time.Second)
			if len(at) != tc.want {
				t.Errorf("steering reloads at %v; want %d", at, tc.want)
			}
			if s.c.State() == StateFailed {
				t.Errorf("steering failures must not be fatal")
			}
		})
	}
}

func TestCoreHLSPathwayFailover(t *testing.T) {
	p := &manifest.Presentation{Format: manifest.FormatHLS, URI: "http://a.test/master.m3u8"}
	set := manifest.AdaptationSet{Type: manifest.Video}
	for _, pw := range []string{"A", "B"} {
		host := strings.ToLower(pw) + ".test"
		for i, b := range []int{500_000, 1_500_000} {
			set.Renditions = append(set.Renditions, manifest.Rendition{ID: fmt.Sprint(pw, i), Type: manifest.Video,
				Bandwidth: b, PathwayID: pw, PlaylistURI: fmt.Sprintf("http://%s/v%d.m3u8", host, i)})
		}
	}
	p.Periods = []manifest.Period{{Sets: []manifest.AdaptationSet{set}}}
	p.Steering = &manifest.ContentSteering{DefaultPathwayID: "A"}
	s := newSim(t, CoreConfig{}, 10e6)
	s.body = func(a Action) Outcome {
		m := &manifest.MediaPlaylist{URI: a.URL, TargetDuration: 2 * time.Second, MediaSequence: 1, EndList: true}
		for n := 1; n <= 60; n++ {
			m.Segments = append(m.Segments, manifest.Segment{Number: uint64(n), URI: fmt.Sprintf("%s/%d.ts", a.URL, n),
				Start: time.Duration(n-1) * 2 * time.Second, Duration: 2 * time.Second})
		}
		return Outcome{Status: 200, Media: m}
	}
	s.fail = func(a Action, now time.Duration) bool {
		return strings.HasPrefix(a.URL, "http://a.test/") && now >= 30*time.Second && now < 90*time.Second
	}
	s.c.LoadPresentation(0, p)
	s.run(60 * time.Second)
	if s.c.Server() != "B" {
		t.Fatalf("server = %q; want B after A failed\n%s", s.c.Server(), s.log())
	}
	// A's penalty expires while it is still down: the player tries it
	// again and leaves it again, never stalling.
	if q := s.c.QoE(s.now); q.Stalls != 0 || q.ServerChanges < 1 {
		t.Errorf("stalls %d server changes %d; want 0 and >= 1\n%s", q.Stalls, q.ServerChanges, s.log())
	}
	for _, a := range s.fetch {
		if a.Server == "B" && !strings.HasPrefix(a.URL, "http://b.test/") {
			t.Errorf("request on pathway B goes to %s", a.URL)
		}
	}
}

// sidxBytes encodes a sidx of n segments of 2s, each size bytes.
func sidxBytes(t *testing.T, n int, size uint32) []byte {
	t.Helper()
	sidx := &mp4.SidxBox{Version: 1, ReferenceID: 1, Timescale: 1000}
	for i := 0; i < n; i++ {
		sidx.SidxRefs = append(sidx.SidxRefs, mp4.SidxRef{ReferencedSize: size, SubSegmentDuration: 2000, StartsWithSAP: 1, SAPType: 1})
	}
	var buf bytes.Buffer
	if err := sidx.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestCoreDASHSegmentBase(t *testing.T) {
	p := content(1, 2*time.Second, 500_000, 1_500_000)
	p.Periods[0].Sets = p.Periods[0].Sets[:1]
	p.Duration = 20 * time.Second
	for i := range p.Periods[0].Sets[0].Renditions {
		r := &p.Periods[0].Sets[0].Renditions[i]
		r.Segments, r.Loaded = nil, false
		r.MediaURI = fmt.Sprintf("http://a.test/v%d.mp4", i)
		r.Init = &manifest.InitSegment{URI: r.MediaURI, Range: &manifest.ByteRange{Offset: 0, Length: 800}}
		r.IndexRange = &manifest.ByteRange{Offset: 800, Length: 200}
	}
	s := newSim(t, CoreConfig{}, 10e6)
	idx := sidxBytes(t, 10, 250_000)
	s.body = func(a Action) Outcome {
		t.Fatalf("unexpected body request %v", a)
		return Outcome{}
	}
	s.index = func(a Action) Outcome {
		if a.Offset != 800 || a.Length != 200 {
			t.Errorf("index fetch range %d+%d; want 800+200", a.Offset, a.Length)
		}
		return Outcome{Status: 200, Bytes: int64(len(idx)), Body: idx}
	}
	s.c.LoadPresentation(0, p)
	s.run(time.Minute)
	if s.c.State() != StateEnded || s.c.QoE(s.now).Segments != 10 {
		t.Fatalf("state %v segments %d; want ended after 10\n%s", s.c.State(), s.c.QoE(s.now).Segments, s.log())
	}
	for _, a := range s.fetch {
		if a.Kind == transport.KindMedia && (a.Length != 250_000 || a.Offset < 800+int64(len(idx))) {
			t.Errorf("media fetch %v range %d+%d; want 250000 bytes after the index", a.URL, a.Offset, a.Length)
		}
	}
}
