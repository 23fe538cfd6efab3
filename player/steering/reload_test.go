package steering

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"
)

func newHLS(t *testing.T) *Manager {
	t.Helper()
	m, err := New(Config{Presentation: hlsPresentation(), ProbeCount: -1}, 0)
	if err != nil {
		t.Fatal(err)
	}
	m.Current(0)
	return m
}

func mustReload(t *testing.T, m *Manager, now time.Duration) Reload {
	t.Helper()
	r, ok := m.NextReload(now)
	if !ok {
		t.Fatalf("NextReload(%v) ok = false; want a reload", now)
	}
	return r
}

const steerBody = `{"VERSION":1,"TTL":60,"PATHWAY-PRIORITY":["cdn-a","cdn-b"]}`

func TestReloadScheduling(t *testing.T) {
	type step struct {
		at   time.Duration
		resp ReloadResponse
		next time.Duration // want At of the next reload; -1: none (stopped)
	}
	ok200 := ReloadResponse{Status: 200, Body: []byte(steerBody)}
	tests := []struct {
		name  string
		steps []step
	}{
		{"ttl", []step{{0, ok200, 60 * s}, {60 * s, ok200, 120 * s}}},
		{"default ttl", []step{{0, ReloadResponse{Status: 200, Body: []byte(`{"VERSION":1}`)}, 300 * s}}},
		{"410 stops", []step{{0, ok200, 60 * s}, {60 * s, ReloadResponse{Status: 410}, -1}}},
		{"429 retry-after", []step{{0, ok200, 60 * s}, {60 * s, ReloadResponse{Status: 429, RetryAfter: 7 * s}, 67 * s}}},
		{"429 without retry-after uses ttl", []step{{0, ok200, 60 * s}, {60 * s, ReloadResponse{Status: 429}, 120 * s}}},
		{"5xx retries with last ttl", []step{{0, ok200, 60 * s}, {60 * s, ReloadResponse{Status: 503}, 120 * s}}},
		{"network error retries with last ttl", []step{{0, ok200, 60 * s}, {60 * s, ReloadResponse{Err: errNet}, 120 * s}}},
		{"bad body retries with last ttl", []step{{0, ok200, 60 * s}, {60 * s, ReloadResponse{Status: 200, Body: []byte(`{`)}, 120 * s}}},
		{"404 retries with ttl", []step{{0, ReloadResponse{Status: 404}, 300 * s}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := newHLS(t)
			for _, st := range tc.steps {
				r := mustReload(t, m, st.at)
				if !r.Due {
					t.Fatalf("NextReload(%v) = %+v; want due", st.at, r)
				}
				if _, ok := m.NextReload(st.at); ok {
					t.Fatalf("NextReload while in flight ok = true; want false")
				}
				_ = m.ReloadDone(st.at, st.resp)
				r, ok := m.NextReload(st.at)
				if st.next < 0 {
					if ok {
						t.Fatalf("after %d NextReload = %+v; want none", st.resp.Status, r)
					}
					continue
				}
				if !ok || r.At != st.next || r.Due {
					t.Fatalf("after %+v at %v: NextReload = %+v, %v; want At %v not due", st.resp.Status, st.at, r, ok, st.next)
				}
			}
		})
	}
}

func TestReloadDoneBadBody(t *testing.T) {
	m := newHLS(t)
	mustReload(t, m, 0)
	err := m.ReloadDone(0, ReloadResponse{Status: 200, Body: []byte(`{"VERSION":2}`)})
	if !errors.Is(err, ErrBadManifest) {
		t.Fatalf("ReloadDone(VERSION 2) = %v; want ErrBadManifest", err)
	}
}

func TestReloadURIParams(t *testing.T) {
	m := newHLS(t)
	r := mustReload(t, m, 0)
	u, _ := url.Parse(r.URI)
	q := u.Query()
	if q.Get("_HLS_pathway") != "cdn-b" || q.Get("session") != "1" || q.Has("_HLS_throughput") {
		t.Fatalf("first reload URI = %s; want session=1, _HLS_pathway=cdn-b, no throughput", r.URI)
	}
	_ = m.ReloadDone(0, ReloadResponse{Status: 200, Body: []byte(`{"VERSION":1,"TTL":10,"RELOAD-URI":"/s2?session=2","PATHWAY-PRIORITY":["cdn-a"]}`)})
	_ = m.Report(s, "cdn-a", good(4e6))
	cur := m.Current(s)
	if cur.ID != "cdn-a" {
		t.Fatalf("Current = %s; want cdn-a", cur.ID)
	}
	sw, _ := m.LastSwitch()
	if sw.Reason != ReasonSteering || sw.From != "cdn-b" {
		t.Fatalf("LastSwitch = %+v; want steering from cdn-b", sw)
	}
	r = mustReload(t, m, 10*s)
	want := "https://steer.example.com/s2?_HLS_pathway=cdn-a&_HLS_throughput=4000000&session=2"
	if r.URI != want {
		t.Fatalf("reload URI = %s; want %s", r.URI, want)
	}
}

func TestReloadDASHParams(t *testing.T) {
	m, err := New(Config{Edges: edges("a", "b"), Protocol: ProtocolDASH, SteeringURI: "https://steer.example/d", ProbeCount: -1}, 5*s)
	if err != nil {
		t.Fatal(err)
	}
	r, ok := m.NextReload(5 * s)
	if !ok || r.At != 5*s || !r.Due {
		t.Fatalf("NextReload(5s) = %+v, %v; want due at 5s (the session start)", r, ok)
	}
	if want := "https://steer.example/d?_DASH_pathway=a"; r.URI != want {
		t.Fatalf("URI = %s; want %s", r.URI, want)
	}
	_ = m.ReloadDone(5*s, ReloadResponse{Status: 200, Body: []byte(`{"VERSION":1,"SERVICE-LOCATION-PRIORITY":["b","a"]}`)})
	if got := m.Current(5 * s).ID; got != "b" {
		t.Fatalf("Current = %s; want b", got)
	}
}

func TestNoSteering(t *testing.T) {
	m := newEdges(t, Config{}, "a")
	if r, ok := m.NextReload(0); ok {
		t.Fatalf("NextReload = %+v; want none without a steering URI", r)
	}
}

func TestPriorityOrder(t *testing.T) {
	tests := []struct {
		prio string
		want []string
	}{
		{`["b","a"]`, []string{"b", "a", "c"}},
		{`["c"]`, []string{"c", "a", "b"}},
		{`["zz"]`, []string{"a", "b", "c"}},
		{`["zz","b"]`, []string{"b", "a", "c"}},
	}
	for _, tc := range tests {
		m := newEdges(t, Config{SteeringURI: "https://s.example/"}, "a", "b", "c")
		mustReload(t, m, 0)
		if err := m.ReloadDone(0, ReloadResponse{Status: 200, Body: []byte(`{"VERSION":1,"PATHWAY-PRIORITY":` + tc.prio + `}`)}); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, sv := range m.Servers(nil) {
			ids = append(ids, sv.ID)
		}
		if !slices.Equal(ids, tc.want) {
			t.Errorf("priority %s: Servers = %v; want %v", tc.prio, ids, tc.want)
		}
	}
}

func TestClonesAndURIReplacement(t *testing.T) {
	m := newHLS(t)
	mustReload(t, m, 0)
	body := `{"VERSION":1,"TTL":30,"PATHWAY-PRIORITY":["cdn-c","cdn-d","cdn-b"],
	"PATHWAY-CLONES":[
	 {"BASE-ID":"cdn-a","ID":"cdn-c","URI-REPLACEMENT":{"HOST":"c.example.net","PARAMS":{"token":"t1","b":"2"},
	   "PER-VARIANT-URIS":{"v-high":"https://special.example/high.m3u8"},
	   "PER-RENDITION-URIS":{"aud-en":"https://special.example/en.m3u8"}}},
	 {"BASE-ID":"cdn-c","ID":"cdn-d","URI-REPLACEMENT":{"HOST":"d.example.net"}},
	 {"BASE-ID":"cdn-a","ID":"cdn-b","URI-REPLACEMENT":{"HOST":"ignored.example"}},
	 {"BASE-ID":"nope","ID":"cdn-e","URI-REPLACEMENT":{}}
	]}`
	if err := m.ReloadDone(0, ReloadResponse{Status: 200, Body: []byte(body)}); err != nil {
		t.Fatal(err)
	}
	cur := m.Current(0)
	if cur.ID != "cdn-c" || cur.Origin != FromClone || cur.VariantPathway != "cdn-a" {
		t.Fatalf("Current = %+v; want clone cdn-c on variants of cdn-a", cur)
	}
	if m.find("cdn-e") >= 0 {
		t.Fatal("clone of unknown BASE-ID was added")
	}
	tests := []struct {
		name, in, stable string
		rendition        bool
		want             string
	}{
		{"host and params", "https://a.example.com/v/low.m3u8", "", false, "https://c.example.net/v/low.m3u8?b=2&token=t1"},
		{"from other pathway", "https://b.example.org/x/high.m3u8", "", false, "https://c.example.net/v/high.m3u8?b=2&token=t1"},
		{"segment host swap", "https://b.example.org/x/seg/9.m4s", "", false, "https://c.example.net/x/seg/9.m4s?b=2&token=t1"},
		{"per variant", "https://a.example.com/v/high.m3u8", "v-high", false, "https://special.example/high.m3u8?b=2&token=t1"},
		{"per variant miss", "https://a.example.com/v/low.m3u8", "v-low", false, "https://c.example.net/v/low.m3u8?b=2&token=t1"},
		{"per rendition", "https://a.example.com/en.m3u8", "aud-en", true, "https://special.example/en.m3u8?b=2&token=t1"},
		{"existing param replaced", "https://a.example.com/v/low.m3u8?token=old&x=1", "", false, "https://c.example.net/v/low.m3u8?b=2&token=t1&x=1"},
	}
	for _, tc := range tests {
		if got := m.ResolveStable(tc.in, tc.stable, tc.rendition); got != tc.want {
			t.Errorf("%s: ResolveStable(%s, %q) = %s; want %s", tc.name, tc.in, tc.stable, got, tc.want)
		}
	}
	// clone of a clone: cdn-c's replacement, then cdn-d's host
	_ = m.Report(s, "cdn-c", Outcome{Err: errNet})
	if got := m.Current(s).ID; got != "cdn-d" {
		t.Fatalf("Current = %s; want cdn-d", got)
	}
	if got, want := m.Resolve("https://a.example.com/v/low.m3u8"), "https://d.example.net/v/low.m3u8?b=2&token=t1"; got != want {
		t.Errorf("clone of clone: Resolve = %s; want %s", got, want)
	}
	// back from a clone host to an original pathway drops the clone's params
	_ = m.Report(s, "cdn-d", Outcome{Err: errNet})
	if got := m.Current(s).ID; got != "cdn-b" {
		t.Fatalf("Current = %s; want cdn-b", got)
	}
	if got, want := m.Resolve("https://c.example.net/v/seg/1.m4s?b=2&token=t1"), "https://b.example.org/v/seg/1.m4s"; got != want {
		t.Errorf("leaving clone: Resolve = %s; want %s", got, want)
	}
}

func TestClonesBounded(t *testing.T) {
	m := newEdges(t, Config{SteeringURI: "https://s.example/"}, "a")
	body := `{"VERSION":1,"PATHWAY-CLONES":[`
	for i := range 100 {
		if i > 0 {
			body += ","
		}
		body += `{"BASE-ID":"a","ID":"c` + string(rune('A'+i%26)) + string(rune('a'+i/26)) + `","URI-REPLACEMENT":{"HOST":"x"}}`
	}
	body += `]}`
	mustReload(t, m, 0)
	if err := m.ReloadDone(0, ReloadResponse{Status: 200, Body: []byte(body)}); err != nil {
		t.Fatal(err)
	}
	if n := len(m.entries); n != maxEntries {
		t.Fatalf("entries = %d; want cap %d", n, maxEntries)
	}
}

func TestReloadDASHReportsSelectedPathways(t *testing.T) {
	m, err := New(Config{Edges: edges("a", "b", "c"), Protocol: ProtocolDASH, SteeringURI: "https://steer.example/d", ProbeCount: -1}, 0)
	if err != nil {
		t.Fatal(err)
	}
	mustReload(t, m, 0)
	_ = m.ReloadDone(0, ReloadResponse{Status: 200, Body: []byte(`{"VERSION":1,"TTL":10}`)})
	m.Current(0)
	_ = m.Report(s, "a", good(4e6))
	_ = m.Report(2*s, "a", Outcome{Err: errNet})
	m.Current(2 * s)
	_ = m.Report(3*s, "b", good(2e6))
	r := mustReload(t, m, 10*s)
	u, _ := url.Parse(r.URI)
	q := u.Query()
	if q.Get("_DASH_pathway") != "a,b" || q.Get("_DASH_throughput") != ",2000000" {
		t.Fatalf("reload URI = %s; want _DASH_pathway=a,b and _DASH_throughput=,2000000", r.URI)
	}
	_ = m.ReloadDone(10*s, ReloadResponse{Status: 200, Body: []byte(`{"VERSION":1,"TTL":10}`)})
	r = mustReload(t, m, 20*s)
	u, _ = url.Parse(r.URI)
	if got := u.Query().Get("_DASH_pathway"); got != "b" {
		t.Fatalf("second report _DASH_pathway = %q; want b only", got)
	}
}

func TestCancelledRequestsAreNoVerdict(t *testing.T) {
	m := newEdges(t, Config{}, "a", "b")
	m.Current(0)
	err := m.Report(0, "a", Outcome{Err: fmt.Errorf("abandoned: %w", context.Canceled)})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Current(0); got.ID != "a" || got.Failures != 0 {
		t.Fatalf("after a cancelled request Current = %+v; want a without failures", got)
	}
}

func TestProbeAfterCurrentBeforeMedia(t *testing.T) {
	m := newEdges(t, Config{ProbeCount: 2}, "a", "b")
	if got := m.Current(0).ID; got != "a" {
		t.Fatalf("Current = %s; want a", got)
	}
	if ps := m.Probes(0, "https://a.example.net/t/42/init.mp4"); len(ps) != 2 {
		t.Fatalf("Probes after Current = %v; want 2 probes", ps)
	}
	_ = m.ProbeDone(0, "a", Outcome{Status: 200, TTFB: 400 * time.Millisecond})
	_ = m.ProbeDone(0, "b", Outcome{Status: 200, TTFB: 30 * time.Millisecond})
	cur := m.Current(0)
	sw, _ := m.LastSwitch()
	if cur.ID != "b" || sw.Reason != ReasonProbe || sw.From != "a" {
		t.Fatalf("Current = %s, switch %+v; want b by probe from a", cur.ID, sw)
	}
	_ = m.Report(s, "b", good(4e6))
	m2 := newEdges(t, Config{ProbeCount: 2}, "a", "b")
	_ = m2.Report(0, "a", good(4e6))
	if ps := m2.Probes(0, "x"); ps != nil {
		t.Fatalf("Probes after a media report = %v; want nil", ps)
	}
}
