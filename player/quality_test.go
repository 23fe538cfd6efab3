package player

import (
	"fmt"
	"testing"
	"time"

	"github.com/abrkit/abrkit/abr"
	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/player/transport"
)

// ladder720 is a five-rung ladder with resolutions.
var ladder720 = []struct{ bps, w, h int }{
	{300_000, 416, 234}, {800_000, 640, 360}, {1_500_000, 854, 480}, {3_000_000, 1280, 720}, {6_000_000, 1920, 1080},
}

// sized is content with ladder720's bitrates and resolutions.
func sized(n int) *manifest.Presentation {
	bps := make([]int, len(ladder720))
	for i, l := range ladder720 {
		bps[i] = l.bps
	}
	p := content(n, 2*time.Second, bps...)
	for i := range p.Periods[0].Sets[0].Renditions {
		r := &p.Periods[0].Sets[0].Renditions[i]
		r.Width, r.Height = ladder720[i].w, ladder720[i].h
	}
	return p
}

// TestConstraintsEveryABR: whatever the bandwidth, every registered ABR
// chooses only levels inside the constraints.
func TestConstraintsEveryABR(t *testing.T) {
	cases := []struct {
		name    string
		cons    Constraints
		allowed []int // rungs
	}{
		{"none", Constraints{}, []int{0, 1, 2, 3, 4}},
		{"max height 480", Constraints{MaxHeight: 480}, []int{0, 1, 2}},
		{"max width 640", Constraints{MaxWidth: 640}, []int{0, 1}},
		{"min bitrate", Constraints{MinBitrate: 1_000_000}, []int{2, 3, 4}},
		{"max bitrate", Constraints{MaxBitrate: 3_000_000}, []int{0, 1, 2, 3}},
		{"window", Constraints{MinBitrate: 800_000, MaxHeight: 720}, []int{1, 2, 3}},
		{"conflict: max wins", Constraints{MinBitrate: 5_000_000, MaxHeight: 480}, []int{2}},
	}
	bws := map[string]func(time.Duration) float64{
		"fast":   func(time.Duration) float64 { return 50e6 },
		"slow":   func(time.Duration) float64 { return 400e3 },
		"varies": func(now time.Duration) float64 { return []float64{20e6, 500e3, 4e6}[int(now/(15*time.Second))%3] },
	}
	for _, name := range abr.Names() {
		for _, tc := range cases {
			for bwName, bw := range bws {
				t.Run(fmt.Sprintf("%s/%s/%s", name, tc.name, bwName), func(t *testing.T) {
					a, err := abr.New(name)
					if err != nil {
						t.Fatal(err)
					}
					s := newSim(t, CoreConfig{ABR: a}, 0)
					s.bw = bw
					s.c.SetConstraints(tc.cons)
					s.c.LoadPresentation(0, sized(30))
					s.run(2 * time.Minute)
					allowed := map[int]bool{}
					for _, r := range tc.allowed {
						allowed[r] = true
					}
					seen := map[int]bool{}
					for _, f := range s.fetch {
						if f.Kind != transport.KindMedia || f.Track != TrackVideo {
							continue
						}
						seen[f.Level] = true
						if !allowed[f.Level] {
							t.Fatalf("%s(%+v) fetched level %d at %v; want one of %v", name, tc.cons, f.Level, f.at, tc.allowed)
						}
					}
					if len(seen) == 0 {
						t.Fatal("no video segment fetched")
					}
					var got []int
					for _, l := range s.c.Levels() {
						if l.Allowed {
							got = append(got, l.Index)
						}
					}
					if fmt.Sprint(got) != fmt.Sprint(tc.allowed) {
						t.Errorf("Levels() allowed %v; want %v", got, tc.allowed)
					}
				})
			}
		}
	}
}

// TestFixedLevelHoldsSession: a fixed level is fetched for every video
// segment of the session, through a bandwidth collapse (no ABR switch, no
// abandonment), and SetAutoLevel hands the choice back to the ABR.
func TestFixedLevelHoldsSession(t *testing.T) {
	for _, name := range abr.Names() {
		t.Run(name, func(t *testing.T) {
			a, _ := abr.New(name)
			s := newSim(t, CoreConfig{ABR: a}, 0)
			s.bw = func(now time.Duration) float64 {
				if now > 20*time.Second && now < 40*time.Second {
					return 1e6 // below the fixed level's 3 Mbit/s
				}
				return 50e6
			}
			s.c.SetLevel(3)
			s.c.LoadPresentation(0, sized(40))
			s.run(time.Hour)
			if st := s.c.State(); st != StateEnded {
				t.Fatalf("state %v; want ended", st)
			}
			n := 0
			for _, f := range s.fetch {
				if f.Kind == transport.KindMedia && f.Track == TrackVideo {
					n++
					if f.Level != 3 {
						t.Fatalf("segment %d fetched at level %d; want the fixed level 3", f.Number, f.Level)
					}
				}
			}
			if n != 40 || s.count(EventAbandon) != 0 {
				t.Errorf("%d video segments, %d abandons; want 40 and 0", n, s.count(EventAbandon))
			}
			if lvl, ok := s.c.FixedLevel(); !ok || lvl != 3 {
				t.Errorf("FixedLevel() = %d, %v; want 3, true", lvl, ok)
			}
		})
	}
}

// TestSetAutoLevelResumesABR: after SetAutoLevel the ABR chooses again.
func TestSetAutoLevelResumesABR(t *testing.T) {
	s := newSim(t, CoreConfig{}, 50e6)
	s.c.SetLevel(0)
	s.c.LoadPresentation(0, sized(40))
	s.run(20 * time.Second)
	for _, f := range s.fetch {
		if f.Kind == transport.KindMedia && f.Track == TrackVideo && f.Level != 0 {
			t.Fatalf("level %d while fixed at 0", f.Level)
		}
	}
	s.c.SetAutoLevel()
	s.run(time.Hour)
	top := 0
	for _, f := range s.fetch {
		if f.Kind == transport.KindMedia && f.Track == TrackVideo {
			top = max(top, f.Level)
		}
	}
	if top != len(ladder720)-1 {
		t.Errorf("highest level after SetAutoLevel = %d; want %d on a 50 Mbit/s link", top, len(ladder720)-1)
	}
}
