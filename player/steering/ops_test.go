package steering

import (
	"errors"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/abrkit/abrkit/player/manifest"
)

func TestManifestEncodeRoundTrip(t *testing.T) {
	for _, tc := range manifestCases {
		if tc.want == nil {
			continue
		}
		for _, p := range []Protocol{ProtocolHLS, ProtocolDASH} {
			data, err := tc.want.Encode(p)
			if err != nil {
				t.Fatalf("%s: Encode: %v", tc.name, err)
			}
			back, err := ParseManifest(data)
			if err != nil {
				t.Fatalf("%s: ParseManifest(Encode()) %s: %v", tc.name, data, err)
			}
			want := *tc.want
			want.TTL = want.TTL.Round(time.Second)
			if !reflect.DeepEqual(back, &want) {
				t.Errorf("%s/%d: round trip = %+v; want %+v", tc.name, p, back, &want)
			}
		}
	}
}

func TestDASHProxyServerURL(t *testing.T) {
	p := &manifest.Presentation{Format: manifest.FormatDASH, Periods: []manifest.Period{{Sets: []manifest.AdaptationSet{{Type: manifest.Video, Renditions: []manifest.Rendition{
		{ID: "v", BaseURLs: []manifest.BaseURL{{URL: "https://c1.example/v/", ServiceLocation: "alpha"}, {URL: "https://c2.example/v/", ServiceLocation: "beta"}}},
	}}}}},
		Steering: &manifest.ContentSteering{ServerURI: "https://steer.example/d?x=1", DefaultPathwayID: "beta", ProxyServerURL: "https://proxy.example/p"}}
	m, err := New(Config{Presentation: p, ProbeCount: -1}, 0)
	if err != nil {
		t.Fatal(err)
	}
	r, ok := m.NextReload(0)
	if !ok {
		t.Fatal("no reload")
	}
	u, _ := url.Parse(r.URI)
	inner, _ := url.Parse(u.Query().Get("url"))
	if u.Host != "proxy.example" || inner.Host != "steer.example" || inner.Query().Get("_DASH_pathway") != "beta" || inner.Query().Get("x") != "1" {
		t.Fatalf("reload URI = %s; want the proxy with url=<steering URI with _DASH_pathway=beta>", r.URI)
	}
}

func TestProbesHLSPathways(t *testing.T) {
	m, err := New(Config{Presentation: hlsPresentation()}, 0)
	if err != nil {
		t.Fatal(err)
	}
	ps := m.Probes(0, "https://a.example.com/v/low.m3u8")
	want := []Probe{{"cdn-b", "https://b.example.org/x/low.m3u8"}, {"cdn-a", "https://a.example.com/v/low.m3u8"}}
	if !reflect.DeepEqual(ps, want) {
		t.Fatalf("Probes = %v; want %v", ps, want)
	}
}

// FuzzSelectorOps drives a selector with a random sequence of operations
// and checks its invariants after each.
func FuzzSelectorOps(f *testing.F) {
	f.Add([]byte{0, 1, 0, 3, 200, 0, 2, 9, 4, 1, 5, 0})
	f.Add([]byte{1, 0, 1, 1, 1, 2, 1, 3, 0, 3, 255, 3, 255, 0})
	f.Add([]byte{5, 4, 0, 5, 4, 2, 5, 4, 3, 0, 2, 1, 2, 2, 2, 3})
	f.Add([]byte{6, 0, 6, 1, 7, 2, 7, 3, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 512 {
			ops = ops[:512]
		}
		m, err := New(Config{Edges: edges("a", "b", "c"), SteeringURI: "https://s.example/x", ProbeCount: 2, PenaltyMax: time.Minute}, 0)
		if err != nil {
			t.Fatal(err)
		}
		ids := []string{"a", "b", "c", "cl"}
		bodies := []string{
			`{"VERSION":1,"TTL":5,"PATHWAY-PRIORITY":["c","b"]}`,
			`{"VERSION":1,"PATHWAY-CLONES":[{"BASE-ID":"b","ID":"cl","URI-REPLACEMENT":{"HOST":"cl.example"}}],"PATHWAY-PRIORITY":["cl","a"]}`,
			`{"VERSION":1,"TTL":1}`,
			`nope`,
		}
		statuses := []int{200, 410, 429, 503, 0}
		now := time.Duration(0)
		arg := func(i int) int {
			if i+1 < len(ops) {
				return int(ops[i+1])
			}
			return 0
		}
		for i := 0; i < len(ops); i += 2 {
			a := arg(i)
			switch ops[i] % 8 {
			case 0:
				cur := m.Current(now)
				if m.find(cur.ID) < 0 || cur.Rank < 0 || cur.Rank >= len(m.entries) {
					t.Fatalf("Current = %+v", cur)
				}
			case 1:
				err := m.Report(now, ids[a%len(ids)], Outcome{Err: errNet})
				if err != nil && !errors.Is(err, ErrUnknownServer) {
					t.Fatal(err)
				}
			case 2:
				_ = m.Report(now, ids[a%len(ids)], good(float64(a+1)*1e5))
			case 3:
				now += time.Duration(a) * 100 * time.Millisecond
			case 4:
				if r, ok := m.NextReload(now); ok && r.Due {
					st := statuses[a%len(statuses)]
					_ = m.ReloadDone(now, ReloadResponse{Status: st, RetryAfter: time.Duration(a) * time.Second, Body: []byte(bodies[a%len(bodies)])})
				}
			case 5:
				if r, ok := m.NextReload(now); ok && !r.Due && r.At <= now {
					t.Fatalf("NextReload(%v) = %+v: past but not due", now, r)
				}
			case 6:
				m.Probes(now, "https://a.example.net/t/42/init.mp4")
			case 7:
				_ = m.ProbeDone(now, ids[a%len(ids)], Outcome{Status: 200, TTFB: time.Duration(a) * time.Millisecond})
			}
			for k := range m.entries {
				if p := m.entries[k].penaltyUntil - m.now; p > time.Minute {
					t.Fatalf("penalty %v beyond the cap", p)
				}
			}
			if len(m.order) != len(m.entries) {
				t.Fatalf("order %v for %d entries", m.order, len(m.entries))
			}
		}
	})
}
