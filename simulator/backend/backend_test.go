package backend

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/simulator/backend/control"
	"github.com/abrkit/abrkit/simulator/backend/faults"
	"github.com/abrkit/abrkit/simulator/backend/topology"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// smallTopology has 2 regions x 2 edges and 2 short titles, no service time.
func smallTopology(t testing.TB, mutate func(*topology.Topology)) *topology.Topology {
	t.Helper()
	src := `
health_interval: 2s
catalog:
  titles:
    - {id: t1, duration: 12s, segment_duration: 2s, ladder_kbps: [300, 800]}
    - {id: t2, duration: 8s, segment_duration: 2s, ladder_kbps: [300]}
regions:
  - id: eu
    edges: [{id: eu-1, capacity: 0}, {id: eu-2}]
  - id: us
    edges: [{id: us-1}, {id: us-2}]
control_plane:
  max_in_flight: 16
  breaker: {failures: 3, cooldown: 5s}
  rate_limit: {per_second: 1000, burst: 1000}
`
	topo, err := topology.Parse([]byte(src), "small.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if mutate != nil {
		mutate(topo)
	}
	return topo
}

type harness struct {
	t     testing.TB
	b     *Backend
	clock *clock.Fake
	hc    *http.Client
	token string
}

func start(t testing.TB, topo *topology.Topology, sleep func(context.Context, time.Duration) error) *harness {
	t.Helper()
	return startWith(t, topo, Options{GatewaySleep: sleep})
}

// startWith starts a manual backend on a fake clock with opts.
func startWith(t testing.TB, topo *topology.Topology, opts Options) *harness {
	t.Helper()
	fc := clock.NewFake(t0)
	opts.Topology, opts.Clock, opts.Manual = topo, fc, true
	b, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, b: b, clock: fc, hc: &http.Client{Timeout: 10 * time.Second}}
	t.Cleanup(func() {
		h.hc.CloseIdleConnections()
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		_ = b.Close(ctx) // force-closes what is still busy after 200ms
	})
	return h
}

func (h *harness) do(method, url, token string, body string) (*http.Response, []byte) {
	h.t.Helper()
	hdr := map[string]string{}
	if token != "" {
		hdr["Authorization"] = "Bearer " + token
	}
	return h.send(method, url, hdr, body)
}

// admin calls the admin listener with its token, as JSON.
func (h *harness) admin(method, path, body string) (*http.Response, []byte) {
	h.t.Helper()
	return h.send(method, h.b.AdminURL()+path, map[string]string{"Authorization": "Bearer " + h.b.AdminToken(), "Content-Type": "application/json"}, body)
}

func (h *harness) send(method, url string, hdr map[string]string, body string) (*http.Response, []byte) {
	h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := h.hc.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, data
}

func (h *harness) login() string {
	h.t.Helper()
	resp, data := h.do("POST", h.b.GatewayURL()+"/v1/login", "", `{"user":"ann","password":"pw","region":"eu"}`)
	var lr control.LoginResponse
	if resp.StatusCode != 200 || json.Unmarshal(data, &lr) != nil || lr.Token == "" {
		h.t.Fatalf("login = %d %s; want 200 with a token", resp.StatusCode, data)
	}
	h.token = lr.Token
	return lr.Token
}

func (h *harness) play(title string) (int, control.PlayResponse) {
	h.t.Helper()
	resp, data := h.do("POST", h.b.GatewayURL()+"/v1/play", h.token, fmt.Sprintf(`{"title":%q}`, title))
	var pr control.PlayResponse
	if resp.StatusCode == 200 {
		if err := json.Unmarshal(data, &pr); err != nil {
			h.t.Fatalf("play body %s: %v", data, err)
		}
	}
	return resp.StatusCode, pr
}

// firstURI returns the first non-tag line of a playlist.
func firstURI(t testing.TB, playlist []byte, suffix string) string {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(playlist))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l != "" && !strings.HasPrefix(l, "#") && strings.HasSuffix(l, suffix) {
			return l
		}
		if i := strings.Index(l, `URI="`); i >= 0 && suffix == ".mp4" {
			u := l[i+5:]
			return u[:strings.IndexByte(u, '"')]
		}
	}
	t.Fatalf("no %s URI in playlist:\n%s", suffix, playlist)
	return ""
}

func TestEndToEnd(t *testing.T) {
	h := start(t, smallTopology(t, nil), nil)
	h.login()
	resp, data := h.do("GET", h.b.GatewayURL()+"/v1/titles", "", "")
	if resp.StatusCode != 200 || !strings.Contains(string(data), `"id":"t1"`) {
		t.Fatalf("GET /v1/titles = %d %s", resp.StatusCode, data)
	}
	code, pr := h.play("t1")
	if code != 200 {
		t.Fatalf("play = %d; want 200", code)
	}
	if len(pr.Edges) != 4 || pr.Edges[0].Region != "eu" || pr.Region != "eu" || pr.SteeringURI == "" {
		t.Fatalf("play = %+v; want 4 edges, eu first, a steering URI", pr)
	}
	top := pr.Edges[0]
	resp, master := h.do("GET", pr.HLS, "", "")
	if resp.StatusCode != 200 || !strings.HasPrefix(string(master), "#EXTM3U") || resp.Header.Get("X-Edge") != top.ID {
		t.Fatalf("GET %s = %d (edge %s) %.60q", pr.HLS, resp.StatusCode, resp.Header.Get("X-Edge"), master)
	}
	media := top.URL + firstURI(t, master, ".m3u8")
	resp, mpl := h.do("GET", media, "", "")
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s = %d", media, resp.StatusCode)
	}
	base := media[:strings.LastIndexByte(media, '/')+1]
	seg := base + firstURI(t, mpl, ".m4s")
	resp, first := h.do("GET", seg, "", "")
	if resp.StatusCode != 200 || resp.Header.Get("X-Cache") != "MISS" || len(first) == 0 {
		t.Fatalf("first GET %s = %d %s (%d bytes); want 200 MISS", seg, resp.StatusCode, resp.Header.Get("X-Cache"), len(first))
	}
	resp, second := h.do("GET", seg, "", "")
	if resp.StatusCode != 200 || resp.Header.Get("X-Cache") != "HIT" || !bytes.Equal(first, second) {
		t.Fatalf("second GET = %d %s; want 200 HIT with the same bytes", resp.StatusCode, resp.Header.Get("X-Cache"))
	}
	init := base + firstURI(t, mpl, ".mp4")
	if resp, _ := h.do("GET", init, "", ""); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "video/mp4" {
		t.Errorf("GET init %s = %d %s", init, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	req, _ := http.NewRequest("GET", seg, nil)
	req.Header.Set("Range", "bytes=4-11")
	rresp, err := h.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	part, _ := io.ReadAll(rresp.Body)
	rresp.Body.Close()
	if rresp.StatusCode != http.StatusPartialContent || !bytes.Equal(part, first[4:12]) {
		t.Errorf("Range 4-11 = %d %x; want 206 %x", rresp.StatusCode, part, first[4:12])
	}
	if resp, mpd := h.do("GET", pr.DASH, "", ""); resp.StatusCode != 200 || !strings.Contains(string(mpd), "<MPD") {
		t.Errorf("GET %s = %d", pr.DASH, resp.StatusCode)
	}
	// The same signed path works on another edge (host swap).
	other := strings.Replace(seg, top.URL, pr.Edges[1].URL, 1)
	if resp, _ := h.do("GET", other, "", ""); resp.StatusCode != 200 || resp.Header.Get("X-Edge") != pr.Edges[1].ID {
		t.Errorf("GET on second edge = %d from %s", resp.StatusCode, resp.Header.Get("X-Edge"))
	}
	// Cache state reaches steering: the edge that has t1 now ranks first.
	h.b.HealthTick()
	if got := h.b.Gateway.Steering.Rank("eu", "t1")[0].ID; got != top.ID {
		t.Errorf("top edge after caching = %s; want %s", got, top.ID)
	}
	// Steering manifest.
	resp, data = h.do("GET", pr.SteeringURI, "", "")
	var m control.Manifest
	if resp.StatusCode != 200 || json.Unmarshal(data, &m) != nil || m.Version != 1 || len(m.PathwayPriority) != 4 || m.ReloadURI == "" {
		t.Errorf("GET steering = %d %s", resp.StatusCode, data)
	}
	// DASH clients also get the DASH-IF key.
	resp, data = h.do("GET", pr.SteeringURI+"&_DASH_pathway=eu-1&_DASH_throughput=5000000", "", "")
	if resp.StatusCode != 200 || !strings.Contains(string(data), `"SERVICE-LOCATION-PRIORITY":[`) {
		t.Errorf("GET DASH steering = %d %s; want SERVICE-LOCATION-PRIORITY", resp.StatusCode, data)
	}
	// Telemetry.
	resp, data = h.do("POST", h.b.GatewayURL()+"/v1/events", h.token, `{"session":"`+pr.Session+`","events":[{"type":"start","t":0.5},{"type":"stall","t":3,"duration_s":1.5}]}`)
	if resp.StatusCode != http.StatusAccepted || !strings.Contains(string(data), `"accepted":2`) {
		t.Errorf("POST /v1/events = %d %s; want 202 accepted 2", resp.StatusCode, data)
	}
	h.b.Gateway.Telemetry.Drain()
	if st := h.b.Gateway.Telemetry.Stats(); st.Processed != 2 || st.StallS != 1.5 {
		t.Errorf("telemetry = %+v; want 2 processed, 1.5 s stalled", st)
	}
	if s := h.b.Summary(); s.EdgeRequests < 5 || s.HealthyEdges != 4 {
		t.Errorf("Summary() = %+v", s)
	}
}

func TestSignedURLRefused(t *testing.T) {
	h := start(t, smallTopology(t, nil), nil)
	h.login()
	_, pr := h.play("t2")
	good := pr.HLS
	sig := strings.Split(strings.TrimPrefix(good, pr.Edges[0].URL[:strings.Index(pr.Edges[0].URL, "/s/")]), "/")[3]
	tests := []struct {
		name, url string
		want      int
	}{
		{"good", good, 200},
		{"tampered signature", strings.Replace(good, sig, "A"+sig[1:], 1), 403},
		{"other title", strings.Replace(good, "/t2/", "/t1/", 1), 403},
		{"traversal", strings.Replace(good, "/t2/master.m3u8", "/t2/../t1/master.m3u8", 1), 400},
		{"encoded traversal", strings.Replace(good, "/t2/master.m3u8", "/t2/%2e%2e/t1/master.m3u8", 1), 400},
		{"unsigned", pr.Edges[0].URL[:strings.Index(pr.Edges[0].URL, "/s/")] + "/t2/master.m3u8", 400},
		{"missing file", strings.Replace(good, "master.m3u8", "nope.m4s", 1), 404},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest("GET", tt.url, nil)
		resp, err := h.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s: GET %s = %d; want %d", tt.name, tt.url, resp.StatusCode, tt.want)
		}
	}
	h.clock.Advance(h.b.Topology.URLTTL)
	h.b.HealthTick()
	if resp, _ := h.do("GET", good, "", ""); resp.StatusCode != 403 {
		t.Errorf("GET after expiry = %d; want 403", resp.StatusCode)
	}
}

func TestKilledEdgeDropsFromRanking(t *testing.T) {
	h := start(t, smallTopology(t, nil), nil)
	h.login()
	_, pr := h.play("t1")
	victim := pr.Edges[0].ID
	if err := h.b.Faults.Apply(faults.Fault{Target: victim, Kind: faults.Kill}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.hc.Get(pr.HLS); err == nil {
		t.Errorf("GET on a killed edge succeeded")
	}
	// Within the health interval the others report and the victim is silent.
	h.clock.Advance(h.b.Topology.HealthInterval + time.Millisecond)
	h.b.HealthTick()
	_, pr2 := h.play("t1")
	for _, e := range pr2.Edges {
		if e.ID == victim {
			t.Fatalf("killed edge %s still ranked: %+v", victim, pr2.Edges)
		}
	}
	if len(pr2.Edges) != 3 {
		t.Errorf("ranked %d edges; want 3", len(pr2.Edges))
	}
	// Restart brings it back at the next report.
	if err := h.b.Faults.Apply(faults.Fault{Target: victim, Kind: faults.Restart}); err != nil {
		t.Fatal(err)
	}
	h.b.HealthTick()
	if _, pr3 := h.play("t1"); len(pr3.Edges) != 4 {
		t.Errorf("after restart ranked %d edges; want 4", len(pr3.Edges))
	}
	if resp, _ := h.do("GET", pr.HLS, "", ""); resp.StatusCode != 200 {
		t.Errorf("GET on the restarted edge = %d; want 200", resp.StatusCode)
	}
}

func TestScheduledFault(t *testing.T) {
	h := start(t, smallTopology(t, nil), nil)
	resp, data := h.admin("POST", "/admin/v1/faults", `{"target":"eu-1","kind":"kill","in":"10s"}`)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("schedule = %d %s", resp.StatusCode, data)
	}
	if got, _ := h.b.FaultTick(); len(got) != 0 || !h.b.Edge("eu-1").Alive() {
		t.Fatalf("fault applied early: %v", got)
	}
	h.clock.Advance(10 * time.Second)
	if got, _ := h.b.FaultTick(); len(got) != 1 || h.b.Edge("eu-1").Alive() {
		t.Fatalf("FaultTick at +10s applied %v, eu-1 alive %v; want the kill", got, h.b.Edge("eu-1").Alive())
	}
}

// blocker is a GatewaySleep that parks callers until released.
type blocker struct {
	entered chan struct{}
	release chan struct{}
}

func (b *blocker) sleep(ctx context.Context, _ time.Duration) error {
	b.entered <- struct{}{}
	select {
	case <-b.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func TestOverloadSheds(t *testing.T) {
	bl := &blocker{entered: make(chan struct{}, 8), release: make(chan struct{})}
	topo := smallTopology(t, func(tp *topology.Topology) { tp.ControlPlane.MaxInFlight = 2 })
	h := start(t, topo, bl.sleep)
	h.login()
	if err := h.b.Faults.Apply(faults.Fault{Target: "playback", Kind: faults.Slow, Latency: time.Second}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	codes := make(chan int, 2)
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, _ := h.play("t1")
			codes <- code
		}()
	}
	<-bl.entered
	<-bl.entered
	resp, data := h.do("POST", h.b.GatewayURL()+"/v1/play", h.token, `{"title":"t1"}`)
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("third play while 2 in flight = %d (Retry-After %q) %s; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"), data)
	}
	close(bl.release)
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != 200 {
			t.Errorf("admitted play = %d; want 200", c)
		}
	}
	if n := h.b.Gateway.Registry(); n == nil {
		t.Fatal("no registry")
	}
}

func TestBreakerOpensAndRecovers(t *testing.T) {
	h := start(t, smallTopology(t, nil), nil)
	h.login()
	if err := h.b.Faults.Apply(faults.Fault{Target: "playback", Kind: faults.Fail, ErrorRate: 1, Status: 500}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if code, _ := h.play("t1"); code != 500 {
			t.Fatalf("play %d with failing service = %d; want 500", i, code)
		}
	}
	resp, _ := h.do("POST", h.b.GatewayURL()+"/v1/play", h.token, `{"title":"t1"}`)
	if resp.StatusCode != 503 || resp.Header.Get("X-Abrkit-Breaker") != "open" || resp.Header.Get("Retry-After") != "5" {
		t.Fatalf("play with open breaker = %d %v; want 503, breaker open, Retry-After 5", resp.StatusCode, resp.Header)
	}
	if st := h.b.Gateway.Service(control.SvcPlayback).Breaker().State(); st != control.Open {
		t.Errorf("breaker state = %v; want open", st)
	}
	if _, m := h.admin("GET", "/metrics", ""); !strings.Contains(string(m), `abrkit_gateway_breaker_state{service="playback"} 2`) {
		t.Errorf("metrics lack the open playback breaker")
	}
	_ = h.b.Faults.Apply(faults.Fault{Target: "playback", Kind: faults.Clear})
	if code, _ := h.play("t1"); code != 503 {
		t.Errorf("play before cooldown = %d; want 503", code)
	}
	h.clock.Advance(5 * time.Second)
	h.b.HealthTick()
	if code, _ := h.play("t1"); code != 200 {
		t.Errorf("trial play after cooldown = %d; want 200", code)
	}
	if st := h.b.Gateway.Service(control.SvcPlayback).Breaker().State(); st != control.Closed {
		t.Errorf("breaker state after a good trial = %v; want closed", st)
	}
}

func TestBadInput(t *testing.T) {
	h := start(t, smallTopology(t, nil), nil)
	tok := h.login()
	gw := h.b.GatewayURL()
	huge := `{"user":"` + strings.Repeat("a", 10000) + `","password":"x"}`
	tests := []struct {
		name, method, path, token, body string
		want                            int
	}{
		{"login malformed", "POST", "/v1/login", "", `{"user":`, 400},
		{"login empty user", "POST", "/v1/login", "", `{"user":"","password":"x"}`, 400},
		{"login trailing", "POST", "/v1/login", "", `{"user":"a","password":"b"}{}`, 400},
		{"login huge", "POST", "/v1/login", "", huge, 413},
		{"login wrong types", "POST", "/v1/login", "", `{"user":1,"password":true}`, 400},
		{"login unknown region", "POST", "/v1/login", "", `{"user":"a","password":"b","region":"mars"}`, 400},
		{"login GET", "GET", "/v1/login", "", "", 405},
		{"play no token", "POST", "/v1/play", "", `{"title":"t1"}`, 401},
		{"play bad token", "POST", "/v1/play", "nope", `{"title":"t1"}`, 401},
		{"play forged token", "POST", "/v1/play", tok[:len(tok)-2] + "xx", `{"title":"t1"}`, 401},
		{"play malformed", "POST", "/v1/play", tok, `[`, 400},
		{"play traversal title", "POST", "/v1/play", tok, `{"title":"../etc"}`, 400},
		{"play unknown title", "POST", "/v1/play", tok, `{"title":"nope"}`, 404},
		{"play huge", "POST", "/v1/play", tok, `{"title":"` + strings.Repeat("t", 5000) + `"}`, 413},
		{"events no token", "POST", "/v1/events", "", `{"events":[{"type":"x"}]}`, 401},
		{"events empty", "POST", "/v1/events", tok, `{"events":[]}`, 400},
		{"events no type", "POST", "/v1/events", tok, `{"events":[{"t":1}]}`, 400},
		{"events malformed", "POST", "/v1/events", tok, `{"events":[{"type":"x"}`, 400},
		{"steering bad title", "GET", "/v1/steering/..%2Fx", "", "", 400},
		{"steering bad region", "GET", "/v1/steering/t1?region=a%2Fb", "", "", 400},
		{"report on the public address", "POST", "/internal/v1/edges/report", "", `{"id":"x"}`, 404},
		{"admin on the public address", "POST", "/admin/v1/faults", "", `{"target":"gateway","kind":"kill"}`, 404},
		{"metrics on the public address", "GET", "/metrics", "", "", 404},
		{"unknown path", "GET", "/v2/nothing", "", "", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, data := h.do(tt.method, gw+tt.path, tt.token, tt.body)
			if resp.StatusCode != tt.want {
				t.Errorf("%s %s = %d %s; want %d", tt.method, tt.path, resp.StatusCode, data, tt.want)
			}
		})
	}
}

func TestRateLimit(t *testing.T) {
	h := start(t, smallTopology(t, func(tp *topology.Topology) {
		tp.ControlPlane.RateLimit = topology.RateLimit{PerSecond: 1, Burst: 2}
	}), nil)
	h.login()
	for i := 0; i < 2; i++ {
		if code, _ := h.play("t1"); code != 200 {
			t.Fatalf("play %d within the burst = %d; want 200", i, code)
		}
	}
	resp, _ := h.do("POST", h.b.GatewayURL()+"/v1/play", h.token, `{"title":"t1"}`)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" {
		t.Errorf("third play = %d (Retry-After %q); want 429 with Retry-After 1", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	h.clock.Advance(time.Second)
	h.b.HealthTick()
	if code, _ := h.play("t1"); code != 200 {
		t.Errorf("play after a second = %d; want 200", code)
	}
}

func TestTelemetryQueueFull(t *testing.T) {
	h := start(t, smallTopology(t, func(tp *topology.Topology) { tp.ControlPlane.EventQueue = 2 }), nil)
	h.login()
	// stall the telemetry pipeline's consumers, so that the events wait
	if resp, data := h.admin("POST", "/admin/v1/faults", `{"target":"heartbeat-consumers","kind":"kill"}`); resp.StatusCode/100 != 2 {
		t.Fatalf("stall the consumers: %d %s", resp.StatusCode, data)
	}
	body := `{"session":"s","events":[{"type":"a"},{"type":"b"},{"type":"c"}]}`
	resp, data := h.do("POST", h.b.GatewayURL()+"/v1/events", h.token, body)
	var er control.EventsResponse
	if resp.StatusCode != http.StatusAccepted || json.Unmarshal(data, &er) != nil || er.Accepted != 2 || er.Dropped != 1 {
		t.Fatalf("POST /v1/events into a queue of 2 = %d %s; want 202 with 2 accepted, 1 dropped", resp.StatusCode, data)
	}
	_, m := h.admin("GET", "/metrics", "")
	if !strings.Contains(string(m), `abrkit_telemetry_events_total{outcome="dropped"} 1`) {
		t.Errorf("metrics lack the dropped event")
	}
}

func TestRealUsers(t *testing.T) {
	topo := smallTopology(t, func(tp *topology.Topology) {
		tp.Users = []topology.User{{Name: "ann", Password: "pw", Region: "us"}}
	})
	h := start(t, topo, nil)
	if resp, _ := h.do("POST", h.b.GatewayURL()+"/v1/login", "", `{"user":"ann","password":"wrong"}`); resp.StatusCode != 401 {
		t.Errorf("wrong password = %d; want 401", resp.StatusCode)
	}
	h.login()
	if _, pr := h.play("t1"); pr.Region != "us" || pr.Edges[0].Region != "us" {
		t.Errorf("play for a us user = region %s, top edge %+v; want us", pr.Region, pr.Edges[0])
	}
}

// TestCatalogRelease: the topology's catalog.release reaches the running
// backend's browse plane, on the backend's clock.
func TestCatalogRelease(t *testing.T) {
	h := start(t, smallTopology(t, func(tp *topology.Topology) {
		tp.Catalog.Release = &topology.Release{At: 10 * time.Second, Rows: 1, Titles: 1}
	}), func(context.Context, time.Duration) error { return nil })
	h.login()
	for _, c := range []struct {
		advance time.Duration
		code    int
		newRow  bool
	}{{0, 404, false}, {9 * time.Second, 404, false}, {time.Second, 200, true}} {
		h.clock.Advance(c.advance)
		if resp, data := h.do("GET", h.b.GatewayURL()+"/v1/titles/t2", h.token, ""); resp.StatusCode != c.code {
			t.Errorf("t2's details at +%v: %d %s; want %d", c.advance, resp.StatusCode, data, c.code)
		}
		resp, data := h.do("GET", h.b.GatewayURL()+"/v1/home", h.token, "")
		if resp.StatusCode != 200 || strings.Contains(string(data), `"New Season"`) != c.newRow {
			t.Errorf("home at +%v: %d %.300s; want the new row %v", c.advance, resp.StatusCode, data, c.newRow)
		}
	}
}
