package player

import (
	"testing"
	"time"

	"github.com/abrkit/abrkit/player/transport"
)

func TestCoreCMCDValues(t *testing.T) {
	s := newSim(t, CoreConfig{SessionID: "s-1", ContentID: "t-42", MaxBitrate: 2_000_000}, 10e6)
	// a collapse at 30s makes a stall; the link comes back at 40s
	s.bw = func(now time.Duration) float64 {
		if now >= 20*time.Second && now < 100*time.Second {
			return 10e3
		}
		return 10e6
	}
	s.c.LoadPresentation(0, content(90, 2*time.Second, ladder...))
	s.run(200 * time.Second)
	if s.c.QoE(s.now).Stalls == 0 {
		t.Fatalf("no stall; the test needs one\n%s", s.log())
	}
	var firstMedia, firstInit *issued
	starved := 0
	for i := range s.fetch {
		a := &s.fetch[i]
		m := a.CMCD
		if m.SessionID != "s-1" || m.ContentID != "t-42" || m.Format != transport.FormatDASH || m.StreamType != transport.StreamVOD {
			t.Fatalf("fetch %v: session keys %+v; want sid s-1, cid t-42, sf d, st v", a.Action, m)
		}
		if m.Starved {
			starved++
			if st, _ := s.first(EventStallStart); a.at < st.At {
				t.Errorf("bs on %v at %v, before the stall at %v", a.Action, a.at, st.At)
			}
			if !m.Startup {
				t.Errorf("first request after the stall lacks su: %+v", m)
			}
		}
		switch {
		case a.Kind == transport.KindInit && firstInit == nil:
			firstInit = a
		case a.Kind == transport.KindMedia && a.Track == TrackVideo && firstMedia == nil:
			firstMedia = a
		}
	}
	if starved != 1 {
		t.Errorf("requests with bs = %d; want 1 (the first after the stall)", starved)
	}
	if firstInit == nil || firstInit.CMCD.ObjectType != transport.ObjectInit {
		t.Errorf("first init CMCD = %+v; want ot=i", firstInit)
	}
	m := firstMedia.CMCD
	want := transport.CMCD{Bitrate: firstMedia.Bitrate, Duration: 2 * time.Second, ObjectType: transport.ObjectVideo,
		TopBitrate: 1_500_000, Startup: true, NextObject: "2.m4s", ContentID: "t-42", SessionID: "s-1",
		Format: transport.FormatDASH, StreamType: transport.StreamVOD}
	if m != want {
		t.Errorf("first video segment CMCD =\n%+v; want\n%+v", m, want)
	}
	last := s.fetch[len(s.fetch)-1].CMCD
	if last.Startup || last.BufferLength <= 0 || last.Throughput <= 0 || last.Deadline != last.BufferLength {
		t.Errorf("a request while playing: %+v; want bl = dl > 0, mtp > 0, no su", last)
	}
}

func TestCoreCMCDOff(t *testing.T) {
	s := newSim(t, CoreConfig{CMCD: transport.CMCDOff, SessionID: "s"}, 10e6)
	s.c.LoadPresentation(0, content(10, 2*time.Second, ladder...))
	s.run(time.Minute)
	for _, a := range s.fetch {
		if a.CMCD != (transport.CMCD{}) {
			t.Fatalf("fetch %v carries CMCD %+v with CMCDOff", a.Action, a.CMCD)
		}
	}
}

func TestCoreCMCDDoesNotAllocate(t *testing.T) {
	c := NewCore(CoreConfig{SessionID: "s", ContentID: "c"})
	c.LoadPresentation(0, content(10, 2*time.Second, ladder...))
	acts, _ := c.Poll(0, nil)
	var id RequestID
	for _, a := range acts {
		if a.Kind == transport.KindInit || a.Kind == transport.KindMedia {
			id = a.ID
		}
	}
	r := &c.reqs[c.slot(id)]
	var m transport.CMCD
	if n := testing.AllocsPerRun(100, func() { c.fillCMCD(&m, r) }); n != 0 {
		t.Errorf("fillCMCD allocates %v times; want 0", n)
	}
}
