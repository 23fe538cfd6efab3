package manifest

import (
	"strings"
	"testing"
	"time"
)

// dashDoc wraps one representation in an MPD with BaseURLs at each level.
func dashDoc(mpdBase, periodBase, setBase, repBase string) []byte {
	bu := func(s string) string {
		if s == "" {
			return ""
		}
		var b strings.Builder
		for _, u := range strings.Split(s, "|") {
			loc, url, ok := strings.Cut(u, "=")
			if ok {
				b.WriteString(`<BaseURL serviceLocation="` + loc + `">` + url + `</BaseURL>`)
			} else {
				b.WriteString(`<BaseURL>` + u + `</BaseURL>`)
			}
		}
		return b.String()
	}
	return []byte(`<MPD type="static" mediaPresentationDuration="PT2S">` + bu(mpdBase) +
		`<Period>` + bu(periodBase) + `<AdaptationSet contentType="video">` + bu(setBase) +
		`<SegmentTemplate duration="2" media="s$Number$.m4s" initialization="init.mp4"/>` +
		`<Representation id="v" bandwidth="1">` + bu(repBase) + `</Representation></AdaptationSet></Period></MPD>`)
}

func TestDASHBaseURLs(t *testing.T) {
	tests := []struct {
		name                  string
		uri                   string
		mpd, period, set, rep string
		wantSeg               string
		wantBases             []string // URL or loc=URL
	}{
		{"none", "https://o.example/a/m.mpd?tok=1", "", "", "", "", "https://o.example/a/s1.m4s", []string{"https://o.example/a/m.mpd?tok=1"}},
		{"every level relative", "https://o.example/a/m.mpd", "b/", "c/", "d/", "e/", "https://o.example/a/b/c/d/e/s1.m4s", nil},
		{"representation root-relative", "https://o.example/a/m.mpd", "https://cdn.example/x/", "p/", "", "/root/", "https://cdn.example/root/s1.m4s", nil},
		{"absolute replaces parents", "https://o.example/a/m.mpd", "b/", "", "https://cdn2.example/v/", "", "https://cdn2.example/v/s1.m4s", nil},
		{"query on a base is not inherited", "https://o.example/a/m.mpd", "https://cdn.example/x/?tok", "", "", "v/", "https://cdn.example/x/v/s1.m4s", nil},
		{"parent dirs", "https://o.example/a/b/m.mpd", "../c/", "", "", "", "https://o.example/a/c/s1.m4s", nil},
		{"file path", "dir/sub/m.mpd", "media/", "", "", "", "dir/sub/media/s1.m4s", nil},
		{"service locations multiply", "https://o.example/m.mpd", "a=https://a.example/|b=https://b.example/", "t1/", "", "", "https://a.example/t1/s1.m4s",
			[]string{"a=https://a.example/t1/", "b=https://b.example/t1/"}},
		{"child location overrides", "https://o.example/m.mpd", "a=https://a.example/", "", "", "c=v/", "https://a.example/v/s1.m4s", []string{"c=https://a.example/v/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseDASH(dashDoc(tt.mpd, tt.period, tt.set, tt.rep), tt.uri)
			if err != nil {
				t.Fatal(err)
			}
			r := p.Periods[0].Sets[0].Renditions[0]
			if len(r.Segments) != 1 || r.Segments[0].URI != tt.wantSeg {
				t.Errorf("segment URI = %q; want %q", r.Segments[0].URI, tt.wantSeg)
			}
			if tt.wantBases != nil {
				var got []string
				for _, b := range r.BaseURLs {
					if b.ServiceLocation != "" {
						got = append(got, b.ServiceLocation+"="+b.URL)
					} else {
						got = append(got, b.URL)
					}
				}
				if strings.Join(got, " ") != strings.Join(tt.wantBases, " ") {
					t.Errorf("BaseURLs = %v; want %v", got, tt.wantBases)
				}
			}
			if want := strings.TrimSuffix(tt.wantSeg, "s1.m4s") + "init.mp4"; r.Init == nil || r.Init.URI != want {
				t.Errorf("init = %+v; want %s", r.Init, want)
			}
		})
	}
}

func TestDASHPeriodsAndTimeline(t *testing.T) {
	doc := `<MPD type="static" mediaPresentationDuration="PT20S">
<Period id="a" duration="PT6S"><AdaptationSet contentType="audio">
 <SegmentTemplate timescale="1000" media="a/$Time$.m4s"><SegmentTimeline><S t="500" d="2000" r="-1"/></SegmentTimeline></SegmentTemplate>
 <Representation id="a" bandwidth="1"/></AdaptationSet></Period>
<Period id="b"><AdaptationSet contentType="video" mimeType="video/mp4">
 <SegmentList timescale="10" duration="50"><SegmentURL media="b1.m4s"/><SegmentURL media="b2.m4s"/></SegmentList>
 <Representation id="v" bandwidth="1"/></AdaptationSet></Period>
<Period id="c" start="PT15S"><AdaptationSet contentType="video">
 <SegmentTemplate timescale="1" duration="2" startNumber="7" media="c/$Number$-$Time$.m4s"/>
 <Representation id="v" bandwidth="1"/></AdaptationSet></Period>
</MPD>`
	p, err := ParseDASH([]byte(doc), "https://o.example/m.mpd")
	if err != nil {
		t.Fatal(err)
	}
	type per struct {
		id         string
		start, dur time.Duration
		uris       string
	}
	want := []per{
		{"a", 0, 6 * time.Second, "a/500.m4s a/2500.m4s a/4500.m4s"},
		{"b", 6 * time.Second, 9 * time.Second, "b1.m4s b2.m4s"},
		{"c", 15 * time.Second, 5 * time.Second, "c/7-0.m4s c/8-2.m4s c/9-4.m4s"},
	}
	if len(p.Periods) != len(want) {
		t.Fatalf("%d periods; want %d", len(p.Periods), len(want))
	}
	for i, w := range want {
		g := p.Periods[i]
		var uris []string
		for _, s := range g.Sets[0].Renditions[0].Segments {
			uris = append(uris, strings.TrimPrefix(s.URI, "https://o.example/"))
		}
		if g.ID != w.id || g.Start != w.start || g.Duration != w.dur || strings.Join(uris, " ") != w.uris {
			t.Errorf("period %d = %s start %v dur %v %v; want %+v", i, g.ID, g.Start, g.Duration, uris, w)
		}
	}
	last := p.Periods[2].Sets[0].Renditions[0].Segments[2]
	if last.Duration != time.Second || last.Start != 4*time.Second {
		t.Errorf("last segment of period c: start %v duration %v; want 4s, 1s (cut at period end)", last.Start, last.Duration)
	}
	if p.Periods[1].Sets[0].Type != Video || p.Periods[0].Sets[0].Type != Audio {
		t.Errorf("set types %v %v", p.Periods[0].Sets[0].Type, p.Periods[1].Sets[0].Type)
	}
}

func TestDASHAvailabilityTimeOffset(t *testing.T) {
	for _, tc := range []struct {
		attr string
		want time.Duration
	}{
		{` availabilityTimeOffset="1.5"`, 1500 * time.Millisecond},
		{` availabilityTimeOffset="INF"`, 0},
		{``, 0},
	} {
		mpd := `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="dynamic" availabilityStartTime="2026-01-01T00:00:00Z" minimumUpdatePeriod="PT2S" profiles="urn:mpeg:dash:profile:isoff-live:2011">
<Period id="0" start="PT0S"><AdaptationSet contentType="video" mimeType="video/mp4">
<SegmentTemplate timescale="1000" duration="2000" media="v$Number$.m4s" initialization="init.mp4"` + tc.attr + `/>
<Representation id="v0" bandwidth="500000" codecs="avc1.64001f"/></AdaptationSet></Period></MPD>`
		p, err := ParseDASH([]byte(mpd), "https://o.example/live.mpd")
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Periods[0].Sets[0].Renditions[0].Template.AvailabilityTimeOffset; got != tc.want {
			t.Errorf("%q: availabilityTimeOffset %v; want %v", tc.attr, got, tc.want)
		}
	}
}
