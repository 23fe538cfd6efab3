package manifest

import (
	"reflect"
	"testing"
	"time"
	"unsafe"
)

func TestSegmentsAtTemplate(t *testing.T) {
	ast := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	mk := func(tsbd, periodStart, periodDur time.Duration, endNumber uint64) *Rendition {
		c, err := compileTemplate("$Number%03d$.m4s", "v", 1, "https://o.example/live/m.mpd")
		if err != nil {
			t.Fatal(err)
		}
		return &Rendition{Template: &SegmentTemplate{
			Timescale: 1000, Duration: 2000, StartNumber: 10, EndNumber: endNumber, Dynamic: true,
			AvailabilityStart: ast, PeriodStart: periodStart, PeriodDuration: periodDur, TimeShiftBufferDepth: tsbd, media: c,
		}}
	}
	tests := []struct {
		name        string
		r           *Rendition
		at          time.Duration // after availabilityStartTime
		first, last uint64        // numbers; 0,0 for none
	}{
		{"before start", mk(10*time.Second, 0, 0, 0), -time.Second, 0, 0},
		{"first segment not complete", mk(10*time.Second, 0, 0, 0), 1999 * time.Millisecond, 0, 0},
		{"first segment complete", mk(10*time.Second, 0, 0, 0), 2 * time.Second, 10, 10},
		{"window of 10s", mk(10*time.Second, 0, 0, 0), 61 * time.Second, 35, 39},
		{"unbounded buffer", mk(0, 0, 0, 0), 9 * time.Second, 10, 13},
		{"period starts later", mk(4*time.Second, 30*time.Second, 0, 0), 36 * time.Second, 10, 12},
		{"oldest leaves the window", mk(4*time.Second, 30*time.Second, 0, 0), 36*time.Second + time.Millisecond, 11, 12},
		{"period ended", mk(0, 0, 6*time.Second, 0), time.Hour, 10, 12},
		{"end number", mk(0, 0, 0, 11), time.Hour, 10, 11},
		{"availabilityTimeOffset", ato(mk(0, 0, 0, 0), 1500*time.Millisecond), 2600 * time.Millisecond, 10, 11},
		{"availabilityTimeOffset, first not begun", ato(mk(0, 0, 0, 0), 1500*time.Millisecond), 400 * time.Millisecond, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			segs := tt.r.SegmentsAt(ast.Add(tt.at))
			if tt.first == 0 {
				if len(segs) != 0 {
					t.Fatalf("SegmentsAt(+%v) = %d segments (first %d); want none", tt.at, len(segs), segs[0].Number)
				}
				return
			}
			if len(segs) == 0 {
				t.Fatalf("SegmentsAt(+%v) = none; want %d..%d", tt.at, tt.first, tt.last)
			}
			if f, l := segs[0].Number, segs[len(segs)-1].Number; f != tt.first || l != tt.last {
				t.Errorf("SegmentsAt(+%v) = %d..%d; want %d..%d", tt.at, f, l, tt.first, tt.last)
			}
			for i, s := range segs {
				k := s.Number - 10
				if s.Start != time.Duration(k)*2*time.Second || s.Duration != 2*time.Second || s.Time != k*2000 {
					t.Errorf("segment %d = start %v dur %v time %d", i, s.Start, s.Duration, s.Time)
				}
				if want := "https://o.example/live/" + pad(itoa(s.Number), 3) + ".m4s"; s.URI != want {
					t.Errorf("segment %d URI = %q; want %q", i, s.URI, want)
				}
			}
		})
	}
}

// ato sets the availabilityTimeOffset of r's template.
func ato(r *Rendition, d time.Duration) *Rendition {
	r.Template.AvailabilityTimeOffset = d
	return r
}

func itoa(n uint64) string { return string(appendUint(nil, n)) }

func appendUint(b []byte, n uint64) []byte {
	if n >= 10 {
		b = appendUint(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

func TestSegmentsAtTimeline(t *testing.T) {
	p, err := ParseDASH(mustRead(t, "testdata/dash/dynamic_timeline.mpd"), "https://o.example/live.mpd")
	if err != nil {
		t.Fatal(err)
	}
	r := p.Periods[0].Sets[0].Renditions[0] // 8 segments from 0 s to 16 s, TSBD 30 s
	ast := p.AvailabilityStart
	tests := []struct {
		at          time.Duration
		first, last uint64
	}{
		{time.Second, 0, 0},
		{2 * time.Second, 1, 1},
		{9 * time.Second, 1, 4},
		{17 * time.Second, 1, 8},
		{40 * time.Second, 5, 8},
		{50 * time.Second, 0, 0},
	}
	for _, tt := range tests {
		segs := r.SegmentsAt(ast.Add(tt.at))
		var f, l uint64
		if len(segs) > 0 {
			f, l = segs[0].Number, segs[len(segs)-1].Number
		}
		if f != tt.first || l != tt.last {
			t.Errorf("SegmentsAt(+%v) = %d..%d; want %d..%d", tt.at, f, l, tt.first, tt.last)
		}
	}
	// Period p1 starts at 60 s with <S t="0" d="20" r="-1"/> (timescale 10)
	// and no end: the window grows with the clock.
	open := p.Periods[1].Sets[0].Renditions[0]
	for _, tt := range []struct {
		at          time.Duration
		first, last uint64
		uri         string
	}{
		{61 * time.Second, 0, 0, ""},
		{62 * time.Second, 5, 5, "https://alpha.example/live/v/720/p1-5.m4s"},
		{70 * time.Second, 5, 9, "https://alpha.example/live/v/720/p1-9.m4s"},
		{100*time.Second + 500*time.Millisecond, 10, 24, "https://alpha.example/live/v/720/p1-24.m4s"},
	} {
		segs := open.SegmentsAt(ast.Add(tt.at))
		var f, l uint64
		uri := ""
		if len(segs) > 0 {
			f, l, uri = segs[0].Number, segs[len(segs)-1].Number, segs[len(segs)-1].URI
			if last := segs[len(segs)-1]; last.Start != time.Duration(l-5)*2*time.Second || last.Time != (l-5)*20 {
				t.Errorf("open timeline +%v: last start %v time %d", tt.at, last.Start, last.Time)
			}
		}
		if f != tt.first || l != tt.last || uri != tt.uri {
			t.Errorf("open timeline SegmentsAt(+%v) = %d..%d %s; want %d..%d %s", tt.at, f, l, uri, tt.first, tt.last, tt.uri)
		}
	}
	static := Rendition{Segments: []Segment{{Number: 1}}}
	if got := static.SegmentsAt(ast); len(got) != 1 {
		t.Errorf("static SegmentsAt = %d segments; want 1", len(got))
	}
}

func TestCompileTemplate(t *testing.T) {
	tests := []struct {
		tmpl, want string
		ok         bool
	}{
		{"$RepresentationID$/$Number$.m4s", "https://o.example/a/v1/7.m4s", true},
		{"$RepresentationID$/$Number%05d$-$Time$.m4s", "https://o.example/a/v1/00007-1234.m4s", true},
		{"b$Bandwidth%09d$/$$x$$/$Time%d$", "https://o.example/a/b000500000/$x$/1234", true},
		{"../up/$Number$?q=$Time$", "https://o.example/up/7?q=1234", true},
		{"https://cdn.example/$Number$", "https://cdn.example/7", true},
		{"$Number", "", false},
		{"$Unknown$", "", false},
		{"$Number%5x$", "", false},
		{"$RepresentationID%03d$", "", false},
	}
	for _, tt := range tests {
		c, err := compileTemplate(tt.tmpl, "v1", 500000, "https://o.example/a/m.mpd")
		if (err == nil) != tt.ok {
			t.Errorf("compileTemplate(%q) error = %v; want ok %v", tt.tmpl, err, tt.ok)
			continue
		}
		if err != nil {
			continue
		}
		if got := c.expand(7, 1234); got != tt.want {
			t.Errorf("expand(%q) = %q; want %q", tt.tmpl, got, tt.want)
		}
	}
}

func TestSegmentsAtReusing(t *testing.T) {
	ast := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	mk := func() *Rendition {
		c, err := compileTemplate("$Number$.m4s", "v", 1, "https://o.example/live/m.mpd")
		if err != nil {
			t.Fatal(err)
		}
		return &Rendition{Template: &SegmentTemplate{Timescale: 1000, Duration: 2000, StartNumber: 1, Dynamic: true,
			AvailabilityStart: ast, TimeShiftBufferDepth: 10 * time.Second, media: c, init: &InitSegment{URI: "https://o.example/live/init.mp4"}}}
	}
	r, other := mk(), mk()
	var prev []Segment
	for at := 5 * time.Second; at < time.Minute; at += 1700 * time.Millisecond {
		got := r.SegmentsAtReusing(ast.Add(at), prev)
		want := r.SegmentsAt(ast.Add(at))
		if len(got) != len(want) {
			t.Fatalf("+%v: %d segments; want %d", at, len(got), len(want))
		}
		for i := range got {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("+%v: segment %d = %+v; want %+v", at, i, got[i], want[i])
			}
			// a segment already in prev keeps its URI: nothing built again
			for _, p := range prev {
				if p.Number == got[i].Number && unsafe.StringData(p.URI) != unsafe.StringData(got[i].URI) {
					t.Errorf("+%v: segment %d was built again", at, p.Number)
				}
			}
		}
		prev = got
	}
	// another template (a reloaded MPD) builds its own
	for _, s := range other.SegmentsAtReusing(ast.Add(time.Minute), prev) {
		if s.Init != other.Template.init {
			t.Fatalf("segment %d reused from another template", s.Number)
		}
	}
}

func BenchmarkSegmentsAtMoving(b *testing.B) {
	ast := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c, _ := compileTemplate("$RepresentationID$/seg_$Number$.m4s", "v", 1, "https://o.example/live/m.mpd")
	r := &Rendition{Template: &SegmentTemplate{Timescale: 1000, Duration: 2000, StartNumber: 1, Dynamic: true,
		AvailabilityStart: ast, TimeShiftBufferDepth: 30 * time.Second, media: c, init: &InitSegment{URI: "init.mp4"}}}
	for _, reuse := range []bool{false, true} {
		b.Run(map[bool]string{false: "fresh", true: "reusing"}[reuse], func(b *testing.B) {
			var prev []Segment
			at := time.Hour
			for b.Loop() {
				at += 2 * time.Second
				if reuse {
					prev = r.SegmentsAtReusing(ast.Add(at), prev)
				} else {
					prev = r.SegmentsAt(ast.Add(at))
				}
			}
		})
	}
}
