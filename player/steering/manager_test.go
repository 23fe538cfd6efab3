package steering

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/abrkit/abrkit/player/manifest"
)

const s = time.Second

var errNet = errors.New("connection reset")

func edges(ids ...string) []Edge {
	var out []Edge
	for _, id := range ids {
		out = append(out, Edge{ID: id, URL: "https://" + id + ".example.net/t/42/?sig=" + id + "&exp=99"})
	}
	return out
}

func newEdges(t *testing.T, cfg Config, ids ...string) *Manager {
	t.Helper()
	cfg.Edges = edges(ids...)
	if cfg.ProbeCount == 0 {
		cfg.ProbeCount = -1
	}
	m, err := New(cfg, 0)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return m
}

// good is a healthy 1 MB transfer at 8 Mbit/s.
func good(bps float64) Outcome {
	const bytes = 1 << 20
	tr := time.Duration(float64(bytes*8) / bps * float64(time.Second))
	return Outcome{Status: 200, Bytes: bytes, TTFB: 50 * time.Millisecond, Duration: 50*time.Millisecond + tr}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want error
	}{
		{"no servers", Config{}, ErrNoServers},
		{"edge without id", Config{Edges: []Edge{{URL: "https://a/"}}}, ErrBadEdge},
		{"edge without url", Config{Edges: []Edge{{ID: "a"}}}, ErrBadEdge},
		{"relative edge url", Config{Edges: []Edge{{ID: "a", URL: "/t/42/"}}}, ErrBadEdge},
	}
	for _, tc := range tests {
		if _, err := New(tc.cfg, 0); !errors.Is(err, tc.want) {
			t.Errorf("%s: New err = %v; want %v", tc.name, err, tc.want)
		}
	}
}

func TestPenaltyExponential(t *testing.T) {
	m := newEdges(t, Config{PenaltyBase: 10 * s, PenaltyMax: 60 * s}, "a", "b")
	want := []time.Duration{10 * s, 20 * s, 40 * s, 60 * s, 60 * s}
	now := time.Duration(0)
	for k, w := range want {
		if err := m.Report(now, "a", Outcome{Err: errNet}); err != nil {
			t.Fatal(err)
		}
		got := m.entries[0].penaltyUntil - now
		if got != w {
			t.Errorf("failure %d: penalty = %v; want %v", k+1, got, w)
		}
		now = m.entries[0].penaltyUntil // fail again right after it expires
	}
	// successes forgive the count
	for range successesToForgive {
		_ = m.Report(now, "a", good(8e6))
	}
	_ = m.Report(now, "a", Outcome{Err: errNet})
	if got := m.entries[0].penaltyUntil - now; got != 10*s {
		t.Errorf("after %d successes penalty = %v; want 10s", successesToForgive, got)
	}
}

func TestFailoverAndReturn(t *testing.T) {
	type step struct {
		at     time.Duration
		report string // server that fails before Current; "" none
		status int
		want   string
		reason Reason
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"error then recover", []step{
			{0, "", 0, "a", ReasonStart},
			{1 * s, "a", 0, "b", ReasonError},
			{5 * s, "", 0, "b", ReasonError},
			{11 * s, "", 0, "a", ReasonRecovered},
		}},
		{"5xx counts, 404 does not", []step{
			{0, "", 0, "a", ReasonStart},
			{1 * s, "a", 404, "a", ReasonStart},
			{2 * s, "a", 503, "b", ReasonError},
		}},
		{"cascade then partial return", []step{
			{0, "", 0, "a", ReasonStart},
			{1 * s, "a", 0, "b", ReasonError},
			{2 * s, "b", 0, "c", ReasonError},
			{11500 * time.Millisecond, "", 0, "a", ReasonRecovered},
		}},
		{"all penalised: soonest expiry", []step{
			{0, "", 0, "a", ReasonStart},
			{1 * s, "a", 0, "b", ReasonError},
			{2 * s, "b", 0, "c", ReasonError},
			{3 * s, "c", 0, "a", ReasonError},
		}},
		{"429 and 408 count", []step{
			{0, "", 0, "a", ReasonStart},
			{1 * s, "a", 429, "b", ReasonError},
			{2 * s, "b", 408, "c", ReasonError},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := newEdges(t, Config{}, "a", "b", "c")
			for _, st := range tc.steps {
				if st.report != "" {
					o := Outcome{Status: st.status}
					if st.status == 0 {
						o.Err = errNet
					}
					if err := m.Report(st.at, st.report, o); err != nil {
						t.Fatal(err)
					}
				}
				got := m.Current(st.at)
				sw, _ := m.LastSwitch()
				if got.ID != st.want || sw.Reason != st.reason {
					t.Fatalf("Current(%v) = %s (%v); want %s (%v)", st.at, got.ID, sw.Reason, st.want, st.reason)
				}
			}
		})
	}
}

func TestThroughputCollapse(t *testing.T) {
	tests := []struct {
		name    string
		floor   float64
		samples []float64 // bits per second on server a
		want    string
		reason  Reason
	}{
		{"steady", 0, []float64{8e6, 8e6, 7e6, 9e6, 8e6, 7.5e6}, "a", ReasonStart},
		{"mild dip", 0, []float64{8e6, 8e6, 8e6, 5e6, 5e6, 5e6}, "a", ReasonStart},
		{"collapse", 0, []float64{8e6, 8e6, 8e6, 8e6, 5e5, 5e5, 5e5}, "b", ReasonThroughput},
		{"below floor", 2e6, []float64{1.5e6, 1.5e6, 1.5e6}, "b", ReasonThroughput},
		{"above floor", 1e6, []float64{1.5e6, 1.5e6, 1.5e6}, "a", ReasonStart},
		{"too few samples", 2e6, []float64{1.5e6, 1.5e6}, "a", ReasonStart},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := newEdges(t, Config{}, "a", "b")
			m.SetMinThroughput(tc.floor)
			m.Current(0)
			for k, bps := range tc.samples {
				if err := m.Report(time.Duration(k)*s, "a", good(bps)); err != nil {
					t.Fatal(err)
				}
			}
			got := m.Current(time.Duration(len(tc.samples)) * s)
			sw, _ := m.LastSwitch()
			if got.ID != tc.want || sw.Reason != tc.reason {
				t.Fatalf("after %v: Current = %s (%v); want %s (%v)", tc.samples, got.ID, sw.Reason, tc.want, tc.reason)
			}
		})
	}
}

func TestSmallTransfersAreNotSamples(t *testing.T) {
	m := newEdges(t, Config{}, "a", "b")
	m.SetMinThroughput(1e9)
	for k := range 10 {
		_ = m.Report(time.Duration(k)*s, "a", Outcome{Status: 200, Bytes: 1000, Duration: time.Second})
	}
	if got := m.Current(10 * s); got.ID != "a" {
		t.Fatalf("Current = %s; want a (1 kB transfers are no throughput samples)", got.ID)
	}
}

func TestReportUnknown(t *testing.T) {
	m := newEdges(t, Config{}, "a")
	if err := m.Report(0, "zz", Outcome{}); !errors.Is(err, ErrUnknownServer) {
		t.Fatalf("Report(zz) = %v; want ErrUnknownServer", err)
	}
	if err := m.ProbeDone(0, "zz", Outcome{}); !errors.Is(err, ErrUnknownServer) {
		t.Fatalf("ProbeDone(zz) = %v; want ErrUnknownServer", err)
	}
}

func TestTimeNeverRunsBackwards(t *testing.T) {
	m := newEdges(t, Config{}, "a", "b")
	_ = m.Report(10*s, "a", Outcome{Err: errNet})
	// an earlier time is taken as 10s: a is still penalised
	if got := m.Current(5 * s); got.ID != "b" {
		t.Fatalf("Current(5s after 10s) = %s; want b", got.ID)
	}
}

func TestProbing(t *testing.T) {
	ms := time.Millisecond
	type res struct {
		id   string
		ttfb time.Duration
		bps  float64 // 0: small probe, latency only
		err  bool
	}
	tests := []struct {
		name    string
		results []res
		at      time.Duration // Current time (deadline is 2s)
		want    string
		reason  Reason
	}{
		{"rank 1 fine", []res{{"a", 40 * ms, 0, false}, {"b", 20 * ms, 0, false}, {"c", 30 * ms, 0, false}}, 0, "a", ReasonStart},
		{"rank 1 much slower", []res{{"a", 300 * ms, 0, false}, {"b", 40 * ms, 0, false}, {"c", 30 * ms, 0, false}}, 0, "b", ReasonProbe},
		{"slack keeps tiny gaps", []res{{"a", 15 * ms, 0, false}, {"b", 2 * ms, 0, false}, {"c", 3 * ms, 0, false}}, 0, "a", ReasonStart},
		{"rank 1 failed", []res{{"a", 0, 0, true}, {"b", 50 * ms, 0, false}, {"c", 30 * ms, 0, false}}, 0, "b", ReasonProbe},
		{"rank 1 low throughput", []res{{"a", 30 * ms, 1e6, false}, {"b", 30 * ms, 8e6, false}, {"c", 30 * ms, 3e6, false}}, 0, "b", ReasonProbe},
		{"rank 1 silent past deadline", []res{{"b", 40 * ms, 0, false}, {"c", 30 * ms, 0, false}}, 3 * s, "b", ReasonProbe},
		{"waiting before deadline", []res{{"b", 40 * ms, 0, false}}, 1 * s, "a", ReasonStart},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := newEdges(t, Config{ProbeCount: 3}, "a", "b", "c", "d")
			ps := m.Probes(0, "https://a.example.net/t/42/init.mp4?sig=a&exp=99")
			var urls []string
			for _, p := range ps {
				urls = append(urls, p.ServerID+" "+p.URL)
			}
			wantURLs := []string{
				"a https://a.example.net/t/42/init.mp4?sig=a&exp=99",
				"b https://b.example.net/t/42/init.mp4?sig=b&exp=99",
				"c https://c.example.net/t/42/init.mp4?sig=c&exp=99",
			}
			if !slices.Equal(urls, wantURLs) {
				t.Fatalf("Probes = %q; want %q", urls, wantURLs)
			}
			for _, r := range tc.results {
				o := Outcome{Status: 200, Bytes: 2000, TTFB: r.ttfb, Duration: r.ttfb + time.Millisecond}
				if r.bps > 0 {
					o = good(r.bps)
					o.Duration += r.ttfb - o.TTFB
					o.TTFB = r.ttfb
				}
				if r.err {
					o = Outcome{Err: errNet}
				}
				if err := m.ProbeDone(0, r.id, o); err != nil {
					t.Fatal(err)
				}
			}
			got := m.Current(tc.at)
			sw, _ := m.LastSwitch()
			if got.ID != tc.want || sw.Reason != tc.reason {
				t.Fatalf("Current(%v) = %s (%v); want %s (%v)", tc.at, got.ID, sw.Reason, tc.want, tc.reason)
			}
			if again := m.Probes(tc.at, "x"); again != nil {
				t.Fatalf("second Probes = %v; want nil", again)
			}
		})
	}
}

func TestProbeWinnerFailsAndReturns(t *testing.T) {
	m := newEdges(t, Config{ProbeCount: 2}, "a", "b", "c")
	m.Probes(0, "https://a.example.net/t/42/init.mp4")
	_ = m.ProbeDone(0, "a", Outcome{Status: 200, TTFB: 500 * time.Millisecond})
	_ = m.ProbeDone(0, "b", Outcome{Status: 200, TTFB: 20 * time.Millisecond})
	if got := m.Current(0).ID; got != "b" {
		t.Fatalf("Current = %s; want b (probe winner)", got)
	}
	_ = m.Report(1*s, "b", Outcome{Err: errNet})
	if got := m.Current(1 * s).ID; got != "a" {
		t.Fatalf("after b fails Current = %s; want a", got)
	}
	if got := m.Current(12 * s).ID; got != "b" {
		t.Fatalf("after b's penalty Current = %s; want b", got)
	}
}

func TestProbesNeedTwoCandidates(t *testing.T) {
	m := newEdges(t, Config{ProbeCount: 3}, "a")
	if ps := m.Probes(0, "https://a.example.net/t/42/x"); ps != nil {
		t.Fatalf("Probes with one server = %v; want nil", ps)
	}
}

func TestServersOrder(t *testing.T) {
	m := newEdges(t, Config{}, "a", "b", "c")
	_ = m.Report(0, "a", Outcome{Err: errNet})
	m.Current(0)
	var ids []string
	for _, sv := range m.Servers(nil) {
		ids = append(ids, sv.ID)
	}
	if !slices.Equal(ids, []string{"a", "b", "c"}) {
		t.Fatalf("Servers = %v; want [a b c]", ids)
	}
	if sv := m.Servers(nil)[0]; sv.PenalizedUntil != 10*s || sv.Failures != 1 {
		t.Fatalf("Servers[0] = %+v; want penalised until 10s, 1 failure", sv)
	}
}

func TestDefaultServerFirst(t *testing.T) {
	m := newEdges(t, Config{DefaultServer: "c"}, "a", "b", "c")
	if got := m.Current(0).ID; got != "c" {
		t.Fatalf("Current = %s; want default c", got)
	}
}

// hlsPresentation has two pathways with two variants each.
func hlsPresentation() *manifest.Presentation {
	v := func(id, pw, uri string, bw int) manifest.Rendition {
		return manifest.Rendition{ID: id, Type: manifest.Video, Bandwidth: bw, PathwayID: pw, PlaylistURI: uri}
	}
	return &manifest.Presentation{
		Format: manifest.FormatHLS,
		URI:    "https://origin.example.com/main.m3u8",
		Periods: []manifest.Period{{Sets: []manifest.AdaptationSet{{Type: manifest.Video, Renditions: []manifest.Rendition{
			v("0", "cdn-a", "https://a.example.com/v/low.m3u8", 1e6),
			v("1", "cdn-a", "https://a.example.com/v/high.m3u8", 4e6),
			v("2", "cdn-b", "https://b.example.org/x/low.m3u8", 1e6),
			v("3", "cdn-b", "https://b.example.org/x/high.m3u8", 4e6),
		}}}}},
		Steering: &manifest.ContentSteering{ServerURI: "https://steer.example.com/s?session=1", DefaultPathwayID: "cdn-b"},
	}
}

func TestUsableAndResolveHLSPathways(t *testing.T) {
	p := hlsPresentation()
	m, err := New(Config{Presentation: p, ProbeCount: -1}, 0)
	if err != nil {
		t.Fatal(err)
	}
	cur := m.Current(0)
	if cur.ID != "cdn-b" || cur.VariantPathway != "cdn-b" {
		t.Fatalf("Current = %+v; want default pathway cdn-b", cur)
	}
	rs := p.Periods[0].Sets[0].Renditions
	if got := m.Usable(nil, rs); !slices.Equal(got, []int{2, 3}) {
		t.Fatalf("Usable = %v; want [2 3]", got)
	}
	tests := []struct{ in, want string }{
		{"https://a.example.com/v/high.m3u8", "https://b.example.org/x/high.m3u8"},
		{"https://b.example.org/x/low.m3u8", "https://b.example.org/x/low.m3u8"},
		{"https://a.example.com/v/seg/1.m4s", "https://b.example.org/v/seg/1.m4s"}, // host swap
		{"https://elsewhere.example/1.m4s", "https://elsewhere.example/1.m4s"},
		{"relative.m4s", "relative.m4s"},
	}
	for _, tc := range tests {
		if got := m.Resolve(tc.in); got != tc.want {
			t.Errorf("Resolve(%s) = %s; want %s", tc.in, got, tc.want)
		}
	}
	_ = m.Report(s, "cdn-b", Outcome{Err: errNet})
	if got := m.Current(s); got.ID != "cdn-a" {
		t.Fatalf("after failure Current = %s; want cdn-a", got.ID)
	}
	if got := m.Usable(nil, rs); !slices.Equal(got, []int{0, 1}) {
		t.Fatalf("Usable on cdn-a = %v; want [0 1]", got)
	}
}

func TestRedundantVariants(t *testing.T) {
	v := func(id, uri string, bw int) manifest.Rendition {
		return manifest.Rendition{ID: id, Type: manifest.Video, Bandwidth: bw, PlaylistURI: uri}
	}
	p := &manifest.Presentation{Format: manifest.FormatHLS, Periods: []manifest.Period{{Sets: []manifest.AdaptationSet{{Type: manifest.Video, Renditions: []manifest.Rendition{
		v("0", "https://p.example/low.m3u8", 1e6),
		v("1", "https://p.example/high.m3u8", 4e6),
		v("2", "https://backup.example/low.m3u8", 1e6),
		v("3", "https://backup.example/high.m3u8", 4e6),
	}}}}}}
	m, err := New(Config{Presentation: p, ProbeCount: -1}, 0)
	if err != nil {
		t.Fatal(err)
	}
	rs := p.Periods[0].Sets[0].Renditions
	if got := m.Current(0); got.ID != "redundant-0" || got.Origin != FromRedundant {
		t.Fatalf("Current = %+v; want redundant-0", got)
	}
	if got := m.Usable(nil, rs); !slices.Equal(got, []int{0, 1}) {
		t.Fatalf("Usable = %v; want [0 1]", got)
	}
	_ = m.Report(0, "redundant-0", Outcome{Status: 502})
	if got := m.Current(0).ID; got != "redundant-1" {
		t.Fatalf("Current after 502 = %s; want redundant-1", got)
	}
	if got := m.Usable(nil, rs); !slices.Equal(got, []int{2, 3}) {
		t.Fatalf("Usable = %v; want [2 3]", got)
	}
	if got, want := m.Resolve("https://p.example/high.m3u8"), "https://backup.example/high.m3u8"; got != want {
		t.Fatalf("Resolve = %s; want %s", got, want)
	}
}

func TestResolveDASHBaseURLs(t *testing.T) {
	r := func(id string, bases ...manifest.BaseURL) manifest.Rendition {
		return manifest.Rendition{ID: id, Type: manifest.Video, BaseURLs: bases}
	}
	p := &manifest.Presentation{Format: manifest.FormatDASH, Periods: []manifest.Period{{Sets: []manifest.AdaptationSet{{Type: manifest.Video, Renditions: []manifest.Rendition{
		r("v1", manifest.BaseURL{URL: "https://cdn1.example/v/", ServiceLocation: "alpha"}, manifest.BaseURL{URL: "https://cdn2.example/dash/v/", ServiceLocation: "beta"}),
		r("v2", manifest.BaseURL{URL: "https://cdn1.example/v/", ServiceLocation: "alpha"}, manifest.BaseURL{URL: "https://cdn2.example/dash/v/", ServiceLocation: "beta"}),
	}}, {Type: manifest.Audio, Renditions: []manifest.Rendition{
		r("a1", manifest.BaseURL{URL: "https://cdn1.example/a/", ServiceLocation: "alpha"}, manifest.BaseURL{URL: "https://cdn2.example/dash/a/", ServiceLocation: "beta"}),
	}}}}}}
	m, err := New(Config{Presentation: p, ProbeCount: -1}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if m.cfg.Protocol != ProtocolDASH {
		t.Fatalf("Protocol = %v; want DASH", m.cfg.Protocol)
	}
	_ = m.Report(0, "alpha", Outcome{Err: errNet})
	if got := m.Current(0).ID; got != "beta" {
		t.Fatalf("Current = %s; want beta", got)
	}
	tests := []struct{ in, want string }{
		{"https://cdn1.example/v/seg-1.m4s", "https://cdn2.example/dash/v/seg-1.m4s"},
		{"https://cdn1.example/a/seg-1.m4s", "https://cdn2.example/dash/a/seg-1.m4s"},
		{"https://cdn2.example/dash/a/x.m4s", "https://cdn2.example/dash/a/x.m4s"},
	}
	for _, tc := range tests {
		if got := m.Resolve(tc.in); got != tc.want {
			t.Errorf("Resolve(%s) = %s; want %s", tc.in, got, tc.want)
		}
	}
	if got := m.Usable(nil, p.Periods[0].Sets[0].Renditions); !slices.Equal(got, []int{0, 1}) {
		t.Fatalf("Usable = %v; want all", got)
	}
}

func TestResolveEdgesSignedURL(t *testing.T) {
	m := newEdges(t, Config{}, "a", "b")
	_ = m.Report(0, "a", Outcome{Err: errNet})
	m.Current(0)
	tests := []struct{ in, want string }{
		// the signed query is copied verbatim (a signature may cover its order)
		{"https://a.example.net/t/42/v/1.m4s?sig=a&exp=99", "https://b.example.net/t/42/v/1.m4s?sig=b&exp=99"},
		{"https://a.example.net/t/42/v/1.m4s", "https://b.example.net/t/42/v/1.m4s?sig=b&exp=99"},
		{"https://a.example.net/other/1.m4s?sig=a&exp=99&x=1", "https://b.example.net/other/1.m4s?exp=99&sig=b&x=1"},
		{"https://b.example.net/t/42/v/1.m4s?exp=99&sig=b", "https://b.example.net/t/42/v/1.m4s?exp=99&sig=b"},
	}
	for _, tc := range tests {
		if got := m.Resolve(tc.in); got != tc.want {
			t.Errorf("Resolve(%s) = %s; want %s", tc.in, got, tc.want)
		}
	}
}

func TestEdgesWithPresentation(t *testing.T) {
	plainHLS := &manifest.Presentation{Format: manifest.FormatHLS, Periods: []manifest.Period{{Sets: []manifest.AdaptationSet{{Type: manifest.Video, Renditions: []manifest.Rendition{
		{ID: "0", Type: manifest.Video, Bandwidth: 1e6, PlaylistURI: "https://a.example.net/t/42/low.m3u8"},
	}}}}}}
	singleDASH := &manifest.Presentation{Format: manifest.FormatDASH, Periods: []manifest.Period{{Sets: []manifest.AdaptationSet{{Type: manifest.Video, Renditions: []manifest.Rendition{
		{ID: "v", Type: manifest.Video, BaseURLs: []manifest.BaseURL{{URL: "https://a.example.net/t/42/v/"}}},
	}}}}}}
	tests := []struct {
		name  string
		p     *manifest.Presentation
		merge bool
		want  []string
	}{
		{"plain hls adds nothing", plainHLS, false, []string{"a", "b"}},
		{"single baseurl adds nothing", singleDASH, false, []string{"a", "b"}},
		{"pathways join edges", hlsPresentation(), false, []string{"cdn-b", "a", "b", "cdn-a"}},
		{"pathways merge with edges by id", hlsPresentation(), true, []string{"cdn-b", "cdn-a"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			edgeIDs := []string{"a", "b"}
			if tc.merge {
				edgeIDs = []string{"cdn-a", "cdn-b"}
			}
			m, err := New(Config{Edges: edges(edgeIDs...), Presentation: tc.p, ProbeCount: -1}, 0)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, sv := range m.Servers(nil) {
				ids = append(ids, sv.ID)
			}
			if !slices.Equal(ids, tc.want) {
				t.Fatalf("Servers = %v; want %v", ids, tc.want)
			}
		})
	}
}
