package live

import (
	"context"
	"github.com/abrkit/abrkit/simulator/backend"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/abrkit/abrkit/simulator/backend/faults"
	"github.com/abrkit/abrkit/simulator/backend/packager"
	"github.com/abrkit/abrkit/simulator/policy"
	"github.com/abrkit/abrkit/simulator/results"
	"github.com/abrkit/abrkit/simulator/scenario"
)

func TestLiveEmbedded(t *testing.T) {
	if testing.Short() {
		t.Skip("real time")
	}
	s, err := scenario.Parse([]byte(`
mode: live
viewers: {count: 6, arrival: {process: constant, rate: 10/s}}
session: {watch_time: 3s, abandon_startup_after: 8s}
content: {titles: 2, title_length: 40s, segment_length: 2s}
networks: [{name: n, bandwidth: 20Mbps, rtt: 10ms}]
slos: ["startup_time.p95 < 5s", "play_failures.rate < 1%"]
`), "live.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var n int
	var mu sync.Mutex
	active, peak, calls := 0, 0, 0
	sessions := func(d int) {
		mu.Lock()
		defer mu.Unlock()
		active += d
		calls++
		peak = max(peak, active)
	}
	var reports []policy.Progress
	progress := func(p policy.Progress) {
		mu.Lock()
		defer mu.Unlock()
		reports = append(reports, p)
	}
	res, err := Run(ctx, s, Options{Requests: func(*vegeta.Result) error { n++; return nil }, Sessions: sessions, Progress: progress})
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) < 2 || reports[0].Started == 0 || reports[0].Finished != 0 || reports[0].InFlight == 0 {
		t.Errorf("progress reports %+v; want the first (after 1s) with sessions started and in flight, none finished", reports)
	} else if last := reports[len(reports)-1]; last.Finished != 6 || last.Fraction() != 1 {
		t.Errorf("last progress %+v; want 6 finished, fraction 1", last)
	}
	if active != 0 || calls != 12 || peak < 1 || peak > 6 {
		t.Errorf("Sessions: active %d after the run, %d calls, peak %d; want 0, 12, 1..6", active, calls, peak)
	}
	sum := res.Summarize()
	if sum.Sessions.Total != 6 || sum.Sessions.Started != 6 || sum.Sessions.Failed != 0 {
		for _, r := range res.Records {
			t.Logf("%+v", r)
		}
		t.Fatalf("sessions = %+v; want 6 started", sum.Sessions)
	}
	if res.Classes["api.login"].Count != 6 || res.Classes["api.play"].Count != 6 || res.Classes["segment"].Count == 0 {
		t.Errorf("requests: login %d play %d segments %d", res.Classes["api.login"].Count, res.Classes["api.play"].Count, res.Classes["segment"].Count)
	}
	if n == 0 || !sum.Passed {
		t.Errorf("sink got %d results; passed=%v %+v", n, sum.Passed, sum.SLOs)
	}
	for _, r := range res.Records {
		if r.PlayS < 2 || r.Bytes == 0 {
			t.Errorf("record %+v: want about 3s played and bytes", r)
		}
	}
}

func TestLiveEdgeDown(t *testing.T) {
	if testing.Short() {
		t.Skip("real time")
	}
	s, err := scenario.Parse([]byte(`
mode: live
viewers: {count: 4, arrival: {process: constant, rate: 20/s}}
session: {watch_time: 3s}
content: {titles: 1, title_length: 40s, segment_length: 1s}
regions: [{name: eu}]
networks: [{name: n, bandwidth: 20Mbps, rtt: 5ms}]
faults: [{at: 1s, target: "region:eu", kind: down}]
`), "live.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := Run(ctx, s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	moved := 0
	for _, r := range res.Records {
		if r.ServerChanges > 0 {
			moved++
		}
	}
	if moved == 0 || len(res.Faults) != 1 {
		for _, r := range res.Records {
			t.Logf("%+v", r)
		}
		t.Errorf("region eu killed at 1s: %d sessions changed server, %d fault marks; want >= 1, 1", moved, len(res.Faults))
	}
}

// contentServer serves one packaged 20s title under /t1/.
func contentServer(t *testing.T) *httptest.Server {
	t.Helper()
	cat := packager.DefaultCatalog(1)
	cat.Titles[0].Duration, cat.Titles[0].SegmentDuration = 20*time.Second, 2*time.Second
	pkg, err := packager.Build(cat.Titles[0])
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.StripPrefix("/t1/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, err := pkg.Open(r.URL.Path)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(data)
	})))
	t.Cleanup(srv.Close)
	return srv
}

// Live viewers send CMCD as the scenario says: in the query by default,
// as headers, or not at all.
func TestLiveCMCD(t *testing.T) {
	if testing.Short() {
		t.Skip("real time")
	}
	cat := packager.DefaultCatalog(1)
	cat.Titles[0].Duration, cat.Titles[0].SegmentDuration = 10*time.Second, 2*time.Second
	pkg, err := packager.Build(cat.Titles[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		field, want string
	}{{"", "query"}, {"cmcd: headers", "headers"}, {"cmcd: off", "none"}} {
		t.Run(c.want, func(t *testing.T) {
			var mu sync.Mutex
			seen := map[string]int{}
			srv := httptest.NewServer(http.StripPrefix("/t1/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				switch {
				case r.URL.Query().Get("CMCD") != "":
					seen["query"]++
				case r.Header.Get("CMCD-Session") != "" || r.Header.Get("CMCD-Object") != "":
					seen["headers"]++
				default:
					seen["none"]++
				}
				mu.Unlock()
				data, err := pkg.Open(r.URL.Path)
				if err != nil {
					http.NotFound(w, r)
					return
				}
				_, _ = w.Write(data)
			})))
			defer srv.Close()
			s, err := scenario.Parse([]byte(`
mode: live
viewers: {count: 1}
session: {watch_time: 2s}
networks: [{name: n, bandwidth: 30Mbps, rtt: 5ms}]
backend: {urls: ["`+srv.URL+`/t1/master.m3u8"]}
`+c.field+"\n"), "cmcd.yaml")
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if _, err := Run(ctx, s, Options{}); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			others := 0
			for k, n := range seen {
				if k != c.want {
					others += n
				}
			}
			if seen[c.want] < 3 || others > 0 {
				t.Errorf("requests by CMCD carriage %v; want them %s", seen, c.want)
			}
		})
	}
}

func TestLiveURLs(t *testing.T) {
	if testing.Short() {
		t.Skip("real time")
	}
	srv := contentServer(t)
	s, err := scenario.Parse([]byte(`
mode: live
viewers: {count: 3, arrival: {process: constant, rate: 20/s}}
session: {watch_time: 2s}
networks: [{name: n, bandwidth: 30Mbps, rtt: 5ms}]
backend: {urls: ["`+srv.URL+`/t1/master.m3u8"]}
`), "urls.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := Run(ctx, s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum := res.Summarize(); sum.Sessions.Started != 3 || res.Classes["segment"].Count == 0 || res.Classes["api.play"].Count != 0 {
		t.Errorf("sessions %+v, %d segments, %d API calls; want 3 started from the plain URL without the API", sum.Sessions, res.Classes["segment"].Count, res.Classes["api.play"].Count)
	}
	for _, r := range res.Records {
		if r.Title != srv.URL+"/t1/master.m3u8" {
			t.Errorf("record title %q; want the URL played", r.Title)
		}
	}
	if res.CPUSeconds <= 0 {
		t.Errorf("cpu_seconds = %g; want the CPU the run used", res.CPUSeconds)
	}
}

func TestLiveAdapter(t *testing.T) {
	if testing.Short() {
		t.Skip("real time")
	}
	content := contentServer(t)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/auth":
			_, _ = w.Write([]byte(`{"token": "tok"}`))
		case "/play/t1":
			if r.Header.Get("Authorization") != "Bearer tok" || r.Header.Get("X-Viewer") == "" {
				http.Error(w, "no token", http.StatusUnauthorized)
				return
			}
			_, _ = w.Write([]byte(`{"urls": {"hls": "` + content.URL + `/t1/master.m3u8"}}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer api.Close()
	s, err := scenario.Parse([]byte(`
mode: live
viewers: {count: 2, arrival: {process: constant, rate: 20/s}}
session: {watch_time: 2s}
content: {titles: 1}
networks: [{name: n, bandwidth: 30Mbps, rtt: 5ms}]
backend:
  adapter:
    login: {method: POST, url: "`+api.URL+`/auth", body: '{"user": "v{viewer}"}'}
    play: {url: "`+api.URL+`/play/{title}", headers: {X-Viewer: "{viewer}"}}
    manifest_field: urls.hls
`), "adapter.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := Run(ctx, s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum := res.Summarize(); sum.Sessions.Started != 2 || res.Classes["api.login"].Count != 2 || res.Classes["api.play"].Count != 2 {
		for _, r := range res.Records {
			t.Logf("%+v", r)
		}
		t.Errorf("sessions %+v, login %d, play %d; want 2 started through the adapter", sum.Sessions, res.Classes["api.login"].Count, res.Classes["api.play"].Count)
	}
}

func TestNewTransportPoolsConnections(t *testing.T) {
	tr := newTransport()
	if tr.MaxIdleConnsPerHost < 256 || tr.MaxIdleConns != 0 {
		t.Errorf("idle pool: %d per host, %d total; want >= 256 per host and no total bound", tr.MaxIdleConnsPerHost, tr.MaxIdleConns)
	}
	if tr == http.DefaultTransport {
		t.Error("newTransport returned the shared default transport")
	}
	// Many sequential requests on one host reuse one connection.
	var conns sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conns.Store(r.RemoteAddr, true)
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	hc := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	defer hc.CloseIdleConnections()
	for i := 0; i < 20; i++ {
		resp, err := hc.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	n := 0
	conns.Range(func(any, any) bool { n++; return true })
	if n != 1 {
		t.Errorf("20 sequential requests used %d connections; want 1", n)
	}
}

// runRecords runs a live scenario against the embedded backend, bounded
// by a minute, and returns its records, which must number n.
func runRecords(t *testing.T, yaml string, n int) []results.Record {
	t.Helper()
	s, err := scenario.Parse([]byte(yaml), "live.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := Run(ctx, s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Records) != n {
		t.Fatalf("%d records; want %d", len(res.Records), n)
	}
	return res.Records
}

// Live viewers post their QoE beacons to the gateway's telemetry intake.
func TestLiveTelemetry(t *testing.T) {
	if testing.Short() {
		t.Skip("real time")
	}
	s, err := scenario.Parse([]byte(`
mode: live
viewers: {count: 2, arrival: {process: instant}}
session: {watch_time: 3s}
content: {titles: 1, title_length: 20s, segment_length: 2s}
networks: [{name: n, bandwidth: 20Mbps, rtt: 5ms}]
`), "telemetry.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cat := packager.DefaultCatalog(1)
	cat.Titles[0].Duration, cat.Titles[0].SegmentDuration = 20*time.Second, 2*time.Second
	b, err := backend.Start(ctx, backend.Options{Topology: s.Topology, Catalog: cat})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close(context.Background())
	res, err := Run(ctx, s, Options{Gateway: b.GatewayURL()})
	if err != nil {
		t.Fatal(err)
	}
	if sum := res.Summarize(); sum.Sessions.Started != 2 {
		t.Fatalf("sessions %+v; want 2 started", sum.Sessions)
	}
	if st := b.Gateway.Telemetry.Stats(); st.Accepted == 0 {
		t.Errorf("gateway telemetry %+v; want beacons from the viewers", st)
	}
}

// TestLiveChannelEvent plays the embedded backend's live channel with real
// players (LL-HLS and DASH) and reports their latency behind the edge.
func TestLiveChannelEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("real time")
	}
	for _, format := range []string{"hls", "dash"} {
		t.Run(format, func(t *testing.T) {
			s, err := scenario.Parse([]byte(`
mode: live
viewers: {count: 8, arrival: {process: constant, rate: 8/s}}
session: {watch_time: 8s, abandon_startup_after: 10s}
content: {titles: 2, live_channels: 1, live_share: 100%, format: `+format+`}
networks: [{name: n, bandwidth: 20Mbps, rtt: 10ms}]
slos: ["live_latency.p95 < 10s", "play_failures.rate < 1%", "origin.requests_per_object <= 1"]
`), "live.yaml")
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			res, err := Run(ctx, s, Options{})
			if err != nil {
				t.Fatal(err)
			}
			sum := res.Summarize()
			var text strings.Builder
			_ = sum.WriteText(&text)
			t.Log(text.String())
			if sum.Live == nil || sum.Live.Sessions != 8 || sum.Live.OriginRequestsPerObject != 1 || sum.CacheHitRatio <= 0.2 || !sum.Passed {
				t.Fatalf("live summary %+v, cache hit ratio %v, passed %v; want 8 live sessions, edges serving shared objects (hits), the SLOs held", sum.Live, sum.CacheHitRatio, sum.Passed)
			}
			for _, r := range res.Records {
				if r.Title != "live" || !r.Live || r.LiveLatencyS <= 0 {
					t.Errorf("record %+v: want the live channel, with its latency", r)
				}
			}
		})
	}
}

// TestScheduleBrowseFaults: a journey scenario's browse-plane faults go to
// the embedded backend's cache node, datastore and heartbeat consumers by
// name, and end after their for.
func TestScheduleBrowseFaults(t *testing.T) {
	s, err := scenario.Parse([]byte(`
mode: live
viewers: {count: 1}
journey: default
backend: {embedded: {topology: default}}
faults:
  - {at: 0s, target: "service:cache-0", kind: down}
  - {at: 0s, for: 10s, target: "service:datastore", kind: slow, latency: 50ms}
  - {at: 5s, target: "service:heartbeat-consumers", kind: down}
`), "faults.yaml")
	if err != nil {
		t.Fatal(err)
	}
	b, err := backend.Start(context.Background(), backend.Options{Topology: s.Topology, Catalog: packager.DefaultCatalog(1)})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close(context.Background())
	start := time.Unix(1_700_000_000, 0)
	marks, err := scheduleFaults(b.Faults.Schedule, s, start)
	if err != nil || len(marks) != 3 {
		t.Fatalf("scheduleFaults: %d marks, %v; want 3", len(marks), err)
	}
	type state struct {
		down bool
		kind faults.Kind
	}
	tests := []struct {
		at   time.Duration
		want map[string]state
	}{
		{0, map[string]state{"cache-0": {true, faults.Kill}, "datastore": {false, faults.Slow}, "heartbeat-consumers": {false, ""}}},
		{5 * time.Second, map[string]state{"cache-0": {true, faults.Kill}, "datastore": {false, faults.Slow}, "heartbeat-consumers": {true, faults.Kill}}},
		{10 * time.Second, map[string]state{"cache-0": {true, faults.Kill}, "datastore": {false, faults.Clear}, "heartbeat-consumers": {true, faults.Kill}}},
	}
	for _, tt := range tests {
		if _, err := b.Faults.Tick(start.Add(tt.at)); err != nil {
			t.Fatalf("at %v: %v", tt.at, err)
		}
		got := map[string]state{}
		for _, st := range b.Faults.States() {
			if _, ok := tt.want[st.Target]; ok {
				got[st.Target] = state{st.Down, st.LastKind}
			}
		}
		for name, w := range tt.want {
			if got[name] != w {
				t.Errorf("at %v: %s = %+v; want %+v", tt.at, name, got[name], w)
			}
		}
	}
}

// TestEndingFiresOnce: a watching viewer's session ends once, at the
// first of its watch time, the player's end and the run's cancellation,
// whichever order they come in.
func TestEndingFiresOnce(t *testing.T) {
	past, future := -time.Second, time.Hour
	tests := []struct {
		name        string
		overBefore  bool // the player ended before the session was armed
		overAfter   bool // ... after
		at          time.Duration
		cancelAfter bool
	}{
		{"watch time over", false, false, past, false},
		{"player ended before arm", true, false, future, false},
		{"player ended after arm", false, true, future, false},
		{"run cancelled", false, false, future, true},
		{"everything at once", true, true, past, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var e ending
			var mu sync.Mutex
			calls := 0
			done := make(chan struct{})
			if tt.overBefore {
				e.playerOver()
			}
			e.arm(ctx, time.Now().Add(tt.at), func() {
				mu.Lock()
				calls++
				mu.Unlock()
				close(done)
			})
			if tt.overAfter {
				e.playerOver()
			}
			if tt.cancelAfter {
				cancel()
			}
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("the session never ended")
			}
			// every other trigger now finds it ended
			e.playerOver()
			e.fire()
			cancel()
			mu.Lock()
			defer mu.Unlock()
			if calls != 1 {
				t.Errorf("ended %d times; want 1", calls)
			}
		})
	}
}

// TestLiveViewers plays small scenarios with real players and checks
// every viewer's record.
func TestLiveViewers(t *testing.T) {
	if testing.Short() {
		t.Skip("real time")
	}
	tests := []struct {
		name, yaml string
		ok         func(r results.Record) bool
		want       string
	}{
		{
			// Fast links would pick the top rendition; a 234-line device is
			// capped to the lowest (300 kbit/s video, 416x234), as in virtual mode.
			name: "device max height",
			yaml: `
mode: live
viewers: {count: 3, arrival: {process: constant, rate: 10/s}}
session: {watch_time: 3s, abandon_startup_after: 8s}
content: {titles: 1, title_length: 40s, segment_length: 2s}
devices: [{name: small, max_height: 234}]
networks: [{name: n, bandwidth: 50Mbps, rtt: 5ms}]
slos: ["play_failures.rate < 1%"]
`,
			ok:   func(r results.Record) bool { return r.Started && r.AvgBitrate > 0 && r.AvgBitrate <= 1_000_000 },
			want: "started, the 234-line rendition (under 1 Mbit/s)",
		},
		{
			// A title that ends before the watch time: the viewer leaves when
			// the player reaches the end (runRecords allows a minute, not the
			// hour of watch time), with the whole title played.
			name: "title ends before the watch time",
			yaml: `
mode: live
viewers: {count: 3, arrival: {process: constant, rate: 10/s}}
session: {watch_time: 1h, abandon_startup_after: 8s}
content: {titles: 1, title_length: 4s, segment_length: 2s}
networks: [{name: n, bandwidth: 20Mbps, rtt: 10ms}]
`,
			ok:   func(r results.Record) bool { return r.Started && !r.Failed && r.PlayS >= 3.5 && r.PlayS <= 4.5 },
			want: "started, not failed, about 4s played",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, r := range runRecords(t, tt.yaml, 3) {
				if !tt.ok(r) {
					t.Errorf("viewer %d: %+v; want %s", r.Viewer, r, tt.want)
				}
			}
		})
	}
}
