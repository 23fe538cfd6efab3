package catalog_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/simulator/backend/catalog"
	"github.com/abrkit/abrkit/simulator/backend/control"
	"github.com/abrkit/abrkit/simulator/backend/faults"
	"github.com/abrkit/abrkit/simulator/backend/topology"
)

// rig is a gateway with the browse plane on loopback; service times are
// modelled (a sleep that returns at once), time is a fake clock.
type rig struct {
	t     *testing.T
	gw    *control.Gateway
	clk   *clock.Fake
	hc    *http.Client
	users map[string]string // user -> token
}

func newRig(t *testing.T, cc catalog.Config) *rig {
	t.Helper()
	return newRigTopology(t, topology.Default(), cc)
}

func newRigTopology(t *testing.T, topo *topology.Topology, cc catalog.Config) *rig {
	t.Helper()
	topo.ControlPlane.RateLimit.PerSecond = -1 // one loopback client plays every viewer
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	gw, err := control.New(control.Config{Topology: topo, Clock: clk, Faults: faults.NewController(), Catalog: cc,
		Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if err := gw.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = gw.Close(ctx)
	})
	return &rig{t: t, gw: gw, clk: clk, hc: &http.Client{Timeout: 10 * time.Second}, users: map[string]string{}}
}

func (r *rig) do(method, url, token string, body any) (*http.Response, []byte) {
	r.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.hc.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp, data
}

func (r *rig) login(user string) string {
	r.t.Helper()
	if tok, ok := r.users[user]; ok {
		return tok
	}
	resp, data := r.do("POST", r.gw.URL()+"/v1/login", "", control.LoginRequest{User: user, Password: "pw"})
	if resp.StatusCode != 200 {
		r.t.Fatalf("login %s: %d %s", user, resp.StatusCode, data)
	}
	var lr control.LoginResponse
	_ = json.Unmarshal(data, &lr)
	r.users[user] = lr.Token
	return lr.Token
}

func (r *rig) fault(target, kind string) {
	r.t.Helper()
	req, _ := http.NewRequest("POST", r.gw.AdminURL()+"/admin/v1/faults", strings.NewReader(fmt.Sprintf(`{"target":%q,"kind":%q}`, target, kind)))
	req.Header.Set("Authorization", "Bearer "+r.gw.AdminToken())
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.hc.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		r.t.Fatalf("fault %s %s: %d", target, kind, resp.StatusCode)
	}
}

// pass is one home load per viewer: its availability, the modelled mean
// latency, the datastore reads it caused and the fallbacks seen.
type pass struct {
	ok, total int
	meanMs    float64
	reads     int64
	fallbacks map[string]int
}

func (r *rig) homePass(n int) pass {
	r.t.Helper()
	p := pass{fallbacks: map[string]int{}}
	before := r.gw.Catalog.Datastore.Reads()
	var sum float64
	for i := range n {
		resp, data := r.do("GET", r.gw.URL()+"/v1/home", r.login(fmt.Sprintf("viewer-%d", i)), nil)
		p.total++
		if resp.StatusCode == 200 {
			p.ok++
			var h catalog.Home
			if err := json.Unmarshal(data, &h); err != nil || len(h.Rows) == 0 {
				r.t.Fatalf("home: %v %.200s", err, data)
			}
		}
		ms, _ := strconv.ParseFloat(resp.Header.Get(catalog.HeaderServiceTime), 64)
		sum += ms
		p.fallbacks[resp.Header.Get(catalog.HeaderFallback)]++
	}
	p.meanMs = sum / float64(n)
	p.reads = r.gw.Catalog.Datastore.Reads() - before
	return p
}

func TestCacheNodeLossThroughGateway(t *testing.T) {
	const viewers = 200
	r := newRig(t, catalog.Config{CacheTTL: time.Hour, HomeTTL: 30 * time.Second, Partitions: 2, PartitionCapacity: 16})
	warm := r.homePass(viewers) // every row and home from the datastore
	r.clk.Advance(31 * time.Second)
	steady := r.homePass(viewers) // homes expired, rows cached: one personalisation read each
	if steady.ok != viewers || steady.reads > viewers/20 || warm.reads < viewers {
		t.Fatalf("steady state: warm %+v steady %+v", warm, steady)
	}

	r.fault("cache-0", "kill")
	r.clk.Advance(31 * time.Second)
	loss := r.homePass(viewers)
	t.Logf("home: steady %.2f ms %d reads; cache-0 lost %.2f ms %d reads", steady.meanMs, steady.reads, loss.meanMs, loss.reads)
	if loss.ok != viewers {
		t.Errorf("home availability after node loss %d/%d", loss.ok, viewers)
	}
	if loss.reads < viewers/8 {
		t.Errorf("datastore reads after node loss %d, steady %d: want a miss storm", loss.reads, steady.reads)
	}
	if loss.meanMs < 1.3*steady.meanMs {
		t.Errorf("home latency after node loss %.2f ms, steady %.2f ms: want it raised", loss.meanMs, steady.meanMs)
	}

	// Personalisation down: stale homes for known viewers, the generic
	// home for a new one; home stays available.
	r.fault("datastore", "kill")
	r.clk.Advance(time.Hour) // profiles expire: personalisation needs the datastore
	down := r.homePass(viewers)
	if down.ok != viewers || down.fallbacks["stale"] != viewers {
		t.Errorf("datastore down: %+v; want every home answered from its stale copy", down)
	}
	resp, _ := r.do("GET", r.gw.URL()+"/v1/home", r.login("newcomer"), nil)
	if resp.StatusCode != 200 || resp.Header.Get(catalog.HeaderFallback) != "generic" {
		t.Errorf("new viewer with the datastore down: %d %q; want the generic home", resp.StatusCode, resp.Header.Get(catalog.HeaderFallback))
	}
	resp, _ = r.do("GET", r.gw.URL()+"/v1/titles/title-005", r.login("viewer-1"), nil)
	if resp.StatusCode != 503 && resp.StatusCode != 200 { // 200 when cached
		t.Errorf("details with the datastore down: %d", resp.StatusCode)
	}
	r.fault("datastore", "restart")

	// Heartbeats reach the pipeline; stalled consumers let lag build up
	// until the partitions are full, then heartbeats are refused.
	r.fault(catalog.TargetConsumers, "kill")
	codes := map[int]int{}
	for i := range 40 {
		resp, _ := r.do("POST", r.gw.URL()+"/v1/heartbeat", r.login(fmt.Sprintf("viewer-%d", i)),
			catalog.Heartbeat{Session: fmt.Sprintf("s-%d", i), Title: "title-001", PositionS: float64(i)})
		codes[resp.StatusCode]++
	}
	st := r.gw.Catalog.Pipeline.Stats()
	lag := 0
	for _, l := range st.Lag {
		lag += l
	}
	if codes[202] < 30 || codes[503] == 0 || st.Accepted != int64(codes[202]) || lag < 28 || !st.Stalled {
		t.Errorf("stalled pipeline: codes %v stats %+v", codes, st)
	}
	// The refusals opened the heartbeat breaker: it sheds at once until
	// its cooldown, then a trial heartbeat closes it.
	r.fault(catalog.TargetConsumers, "restart")
	r.gw.Catalog.Pipeline.Drain()
	hb := catalog.Heartbeat{Session: "s-x", PositionS: 1}
	resp, _ = r.do("POST", r.gw.URL()+"/v1/heartbeat", r.login("viewer-1"), hb)
	if resp.StatusCode != 503 || resp.Header.Get("X-Abrkit-Breaker") != "open" {
		t.Errorf("heartbeat right after the refusals: %d %q; want the breaker open", resp.StatusCode, resp.Header.Get("X-Abrkit-Breaker"))
	}
	r.clk.Advance(topology.Default().ControlPlane.Breaker.Cooldown)
	resp, _ = r.do("POST", r.gw.URL()+"/v1/heartbeat", r.login("viewer-1"), hb)
	if resp.StatusCode != 202 {
		t.Errorf("heartbeat after restart and cooldown: %d", resp.StatusCode)
	}
	// The figures are on the admin listener's metrics.
	req, _ := http.NewRequest("GET", r.gw.AdminURL()+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+r.gw.AdminToken())
	mresp, err := r.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer mresp.Body.Close()
	m, _ := io.ReadAll(io.LimitReader(mresp.Body, 4<<20))
	for _, want := range []string{`abrkit_catalog_cache_node_up{node="cache-0"} 0`, "abrkit_datastore_reads_total", "abrkit_heartbeats_accepted_total",
		`abrkit_catalog_requests_total{outcome="stale",service="home"} 200`, `abrkit_gateway_breaker_state{service="home"} 0`} {
		if !bytes.Contains(m, []byte(want)) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// TestReleaseThroughGateway: the topology's catalog.release drops new rows
// and titles into the running backend at its time on the backend's clock;
// the homes and rows cached before are missed once, then cached again.
func TestReleaseThroughGateway(t *testing.T) {
	const viewers = 100
	topo := topology.Default()
	topo.Catalog.Release = &topology.Release{At: 20 * time.Second, Rows: 2, Titles: 5}
	r := newRigTopology(t, topo, catalog.Config{CacheTTL: time.Hour, HomeTTL: time.Hour})
	get := func(path string) (int, []byte) {
		resp, data := r.do("GET", r.gw.URL()+path, r.login("viewer-0"), nil)
		return resp.StatusCode, data
	}
	// The gateway's catalog has 100 generated titles; the last 5 are new.
	if code, _ := get("/v1/titles/title-099"); code != 404 {
		t.Errorf("new title before the release: %d; want 404", code)
	}
	if code, _ := get("/v1/rows/row-40"); code != 404 {
		t.Errorf("new row before the release: %d; want 404", code)
	}
	warm := r.homePass(viewers)
	steady := r.homePass(viewers)

	r.clk.Advance(20 * time.Second)
	cold := r.homePass(viewers)
	again := r.homePass(viewers)
	t.Logf("datastore reads per %d homes: warming %d, warm %d, after the release %d, then %d; mean home %.2f ms warm, %.2f ms after",
		viewers, warm.reads, steady.reads, cold.reads, again.reads, steady.meanMs, cold.meanMs)
	if steady.reads != 0 || again.reads != 0 || cold.reads < 10 || cold.ok != viewers || cold.fallbacks[""] != viewers {
		t.Errorf("homes: warm %+v, after the release %+v, then %+v; want reads only right after the release", steady, cold, again)
	}
	if cold.meanMs <= steady.meanMs {
		t.Errorf("mean home %.2f ms after the release, %.2f ms before: want higher", cold.meanMs, steady.meanMs)
	}
	code, data := get("/v1/home")
	var h catalog.Home
	if err := json.Unmarshal(data, &h); code != 200 || err != nil || len(h.Rows) < 4 || h.Rows[2].ID != "row-40" || h.Rows[3].ID != "row-41" {
		t.Fatalf("home after the release: %d %v %.300s", code, err, data)
	}
	if h.Rows[2].Items[0].ID < "title-095" {
		t.Errorf("new row lists %v; want the new titles", h.Rows[2].Items)
	}
	if code, _ := get("/v1/titles/title-099"); code != 200 {
		t.Errorf("new title after the release: %d", code)
	}
	if code, data := get("/v1/search?q=099"); code != 200 || !bytes.Contains(data, []byte("title-099")) {
		t.Errorf("search after the release: %d %.200s", code, data)
	}
}

// TestHeartbeatsAndEventsShareThePipeline: POST /v1/heartbeat and POST
// /v1/events go into the gateway's one telemetry pipeline: with its
// consumers stalled, heartbeats and events fill the same partition, a
// full partition refuses both kinds, and on restart both are consumed
// with the same lag.
func TestHeartbeatsAndEventsShareThePipeline(t *testing.T) {
	r := newRig(t, catalog.Config{Partitions: 1, PartitionCapacity: 4})
	if r.gw.Catalog.Pipeline != r.gw.Pipeline {
		t.Fatal("the catalog's heartbeats go into another pipeline than the gateway's")
	}
	tok := r.login("viewer-1")
	r.fault(catalog.TargetConsumers, "kill")
	heartbeat := func(i int) int {
		resp, _ := r.do("POST", r.gw.URL()+"/v1/heartbeat", tok, catalog.Heartbeat{Session: "s-1", PositionS: float64(i)})
		return resp.StatusCode
	}
	event := func() control.EventsResponse {
		resp, data := r.do("POST", r.gw.URL()+"/v1/events", tok, control.EventsRequest{Session: "s-1",
			Events: []control.Event{{Type: "stall", DurationS: 0.5}}})
		var er control.EventsResponse
		if resp.StatusCode != 202 || json.Unmarshal(data, &er) != nil {
			t.Fatalf("events: %d %s", resp.StatusCode, data)
		}
		return er
	}
	// Two of each kind fill the one partition of 4; then it refuses both.
	for i := range 2 {
		if c, er := heartbeat(i), event(); c != 202 || er.Accepted != 1 {
			t.Fatalf("round %d into a stalled pipeline with room: heartbeat %d, event %+v", i, c, er)
		}
	}
	if er := event(); er.Accepted != 0 || er.Dropped != 1 {
		t.Errorf("event into a full pipeline: %+v; want dropped", er)
	}
	if c := heartbeat(2); c != 503 {
		t.Errorf("heartbeat into a full pipeline: %d; want 503", c)
	}
	hb, ev := r.gw.Catalog.Stats().Heartbeats, r.gw.Telemetry.Stats()
	if hb.Accepted != 2 || hb.Dropped != 1 || ev.Accepted != 2 || ev.Dropped != 1 || hb.Lag[0] != 4 || ev.Queued != 4 || !hb.Stalled {
		t.Errorf("stalled: heartbeats %+v, events %+v; want 2 of each waiting in one partition of 4, one of each refused", hb, ev)
	}
	r.clk.Advance(3 * time.Second)
	r.fault(catalog.TargetConsumers, "restart")
	r.gw.Telemetry.Drain()
	hb, ev = r.gw.Catalog.Stats().Heartbeats, r.gw.Telemetry.Stats()
	if hb.Consumed != 2 || ev.Processed != 2 || ev.ByType["stall"] != 2 || ev.StallS != 1 || ev.Queued != 0 || hb.LagS != 3 {
		t.Errorf("after the restart: heartbeats %+v, events %+v; want every record consumed, lag 3 s", hb, ev)
	}
}
