package backend

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/abrkit/abrkit/simulator/backend/control"
	"github.com/abrkit/abrkit/simulator/backend/edge"
	"github.com/abrkit/abrkit/simulator/backend/faults"
	"github.com/abrkit/abrkit/simulator/backend/signing"
	"github.com/abrkit/abrkit/simulator/backend/topology"
)

// The tests below replay the hostile inputs of a review of the backend;
// each states the safe outcome expected.

// Without a configured key each start signs with its own random key, so
// what the published demo key (or another run) signed is refused.
func TestAdversarialDemoKeyRefused(t *testing.T) {
	h := start(t, smallTopology(t, nil), nil)
	if h.b.KeySource != KeyRandom || h.b.Topology.SigningKey == topology.RefusedSigningKey {
		t.Fatalf("key source %q; want a random key", h.b.KeySource)
	}
	demo := signing.New(topology.RefusedSigningKey)
	tok := demo.Token(signing.Claims{User: "ghost", Expires: t0.Add(time.Hour)})
	if resp, _ := h.do("POST", h.b.GatewayURL()+"/v1/play", tok, `{"title":"t1"}`); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("play with a demo-key token = %d; want 401", resp.StatusCode)
	}
	u := h.b.Edges[0].URL() + demo.Path("t1", "master.m3u8", t0.Add(time.Hour))
	if resp, _ := h.do("GET", u, "", ""); resp.StatusCode != http.StatusForbidden {
		t.Errorf("GET a demo-key URL = %d; want 403", resp.StatusCode)
	}
	other := start(t, smallTopology(t, nil), nil)
	if other.b.Topology.SigningKey == h.b.Topology.SigningKey {
		t.Error("two starts share a key")
	}
	for _, key := range []string{topology.RefusedSigningKey, "short"} {
		topo := smallTopology(t, func(tp *topology.Topology) { tp.SigningKey = key })
		if _, err := Start(context.Background(), Options{Topology: topo, Manual: true}); err == nil {
			t.Errorf("Start with key %q succeeded; want refused", key)
		}
	}
}

// A forged report must not put an attacker's edge in the ranking.
func TestAdversarialForgedReport(t *testing.T) {
	h := start(t, smallTopology(t, nil), nil)
	forged := func(id string) []byte {
		b, _ := json.Marshal(edge.Report{ID: id, Region: "eu", URL: "http://203.0.113.9", Healthy: true, MaxConnections: 10})
		return b
	}
	key := h.b.Topology.SigningKey
	tests := []struct {
		name, base, sig string
		body            []byte
		want            int
	}{
		{"on the gateway address", h.b.GatewayURL(), signing.SignReport(key, forged("eu-1")), forged("eu-1"), 404},
		{"unsigned", h.b.InternalURL(), "", forged("eu-1"), 401},
		{"demo key", h.b.InternalURL(), signing.SignReport(topology.RefusedSigningKey, forged("eu-1")), forged("eu-1"), 401},
		{"signed with the master key itself", h.b.InternalURL(), hmacHex(key, forged("eu-1")), forged("eu-1"), 401},
		{"edge not in the topology", h.b.InternalURL(), signing.SignReport(key, forged("evil")), forged("evil"), 403},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest("POST", tt.base+"/internal/v1/edges/report", strings.NewReader(string(tt.body)))
		req.Header.Set(edge.ReportHeader, tt.sig)
		resp, err := h.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s: report = %d; want %d", tt.name, resp.StatusCode, tt.want)
		}
	}
	h.login()
	_, pr := h.play("t1")
	for _, e := range pr.Edges {
		if strings.Contains(e.URL, "203.0.113.9") {
			t.Fatalf("play ranks the forged edge: %+v", e)
		}
	}
}

// hmacHex signs as early releases did: HMAC-SHA256 under the master key.
func hmacHex(key string, body []byte) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// The admin API is apart, authenticated, JSON only, and cannot take down
// the listener it is served on.
func TestAdversarialAdminAPI(t *testing.T) {
	h := start(t, smallTopology(t, nil), nil)
	kill := `{"target":"gateway","kind":"kill"}`
	send := func(base, ctype, origin, token, body string) int {
		req, _ := http.NewRequest("POST", base+"/admin/v1/faults", strings.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := h.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	tok, adm := h.b.AdminToken(), h.b.AdminURL()
	tests := []struct {
		name, base, ctype, origin, token string
		want                             int
	}{
		{"on the gateway address", h.b.GatewayURL(), "application/json", "", tok, 404},
		{"no token", adm, "application/json", "", "", 401},
		{"wrong token", adm, "application/json", "", "nope", 401},
		{"text/plain", adm, "text/plain", "", tok, 415},
		{"form", adm, "application/x-www-form-urlencoded", "", tok, 415},
		{"foreign origin", adm, "application/json", "https://evil.example", tok, 403},
	}
	for _, tt := range tests {
		if got := send(tt.base, tt.ctype, tt.origin, tt.token, kill); got != tt.want {
			t.Errorf("%s: POST kill = %d; want %d", tt.name, got, tt.want)
		}
	}
	if resp, _ := h.do("GET", h.b.GatewayURL()+"/healthz", "", ""); resp.StatusCode != 200 {
		t.Fatalf("gateway after refused kills = %d; want up", resp.StatusCode)
	}
	if got := send(adm, "application/json", "", tok, kill); got != 200 {
		t.Fatalf("authorised kill = %d; want 200", got)
	}
	if _, err := h.hc.Get(h.b.GatewayURL() + "/healthz"); err == nil {
		t.Error("gateway still answers after kill")
	}
	if got := send(adm, "application/json", "", tok, `{"target":"gateway","kind":"restart"}`); got != 200 {
		t.Fatalf("restart through the admin listener = %d; want 200 (the admin plane outlives the gateway)", got)
	}
	if resp, _ := h.do("GET", h.b.GatewayURL()+"/healthz", "", ""); resp.StatusCode != 200 {
		t.Errorf("gateway after restart = %d; want 200", resp.StatusCode)
	}
	for _, p := range []string{"/metrics", "/admin/v1/faults"} {
		if resp, _ := h.do("GET", adm+p, "", ""); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET %s without token = %d; want 401", p, resp.StatusCode)
		}
		if resp, _ := h.do("GET", h.b.GatewayURL()+p, "", ""); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s on the gateway = %d; want 404", p, resp.StatusCode)
		}
	}
}

// Slow request bodies hold connections, never request slots: /v1/titles
// keeps answering, and the slow senders are cut at the read deadline.
func TestAdversarialSlowBodies(t *testing.T) {
	const slow = 300 // the review held every slot of the gateway with 300
	topo := smallTopology(t, func(tp *topology.Topology) { tp.ControlPlane.MaxInFlight = 4 })
	h := startWith(t, topo, Options{BodyTimeout: 500 * time.Millisecond})
	addr := strings.TrimPrefix(h.b.GatewayURL(), "http://")
	conns := make([]net.Conn, 0, slow)
	for range slow {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := io.WriteString(c, "POST /v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	if resp, data := h.do("GET", h.b.GatewayURL()+"/v1/titles", "", ""); resp.StatusCode != 200 {
		t.Fatalf("GET /v1/titles with %d slow bodies = %d %s; want 200", slow, resp.StatusCode, data)
	}
	for i, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, err := io.Copy(io.Discard, c)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("slow connection %d still open after 10 s; want it cut at the 500 ms read deadline", i)
		}
	}
}

// The fault schedule is bounded in count and horizon.
func TestAdversarialFaultSchedule(t *testing.T) {
	h := start(t, smallTopology(t, nil), nil)
	if resp, data := h.admin("POST", "/admin/v1/faults", `{"target":"eu-1","kind":"kill","in":"100000h"}`); resp.StatusCode != 400 {
		t.Errorf("fault 100000 h ahead = %d %s; want 400", resp.StatusCode, data)
	}
	for i := range faults.MaxPending {
		if err := h.b.Faults.Schedule(t0.Add(time.Duration(i+1)*time.Second), faults.Fault{Target: "eu-1", Kind: faults.Clear}); err != nil {
			t.Fatalf("schedule %d: %v", i, err)
		}
	}
	if resp, data := h.admin("POST", "/admin/v1/faults", `{"target":"eu-1","kind":"kill","in":"1h"}`); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("fault beyond %d pending = %d %s; want 429", faults.MaxPending, resp.StatusCode, data)
	}
}

// Guessing passwords slows down per user and per client address;
// passwords are bcrypt hashes.
func TestAdversarialLoginBackoff(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("right"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	topo := smallTopology(t, func(tp *topology.Topology) {
		tp.Users = []topology.User{{Name: "ann", PasswordHash: string(hash)}, {Name: "bob", PasswordHash: string(hash)}}
	})
	h := start(t, topo, nil)
	login := func(user, pw string) *http.Response {
		resp, _ := h.do("POST", h.b.GatewayURL()+"/v1/login", "", fmt.Sprintf(`{"user":%q,"password":%q}`, user, pw))
		return resp
	}
	if r := login("ann", "right"); r.StatusCode != 200 {
		t.Fatalf("login with the hashed password = %d; want 200", r.StatusCode)
	}
	for i := 0; i <= control.FreeFailures; i++ {
		if r := login("ann", "wrong"); r.StatusCode != 401 {
			t.Fatalf("guess %d = %d; want 401", i, r.StatusCode)
		}
	}
	r := login("ann", "right")
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Errorf("login after %d failures = %d; want 429 with Retry-After", control.FreeFailures+1, r.StatusCode)
	}
	if r := login("bob", "right"); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("another user from the same client = %d; want 429 (per-client back-off)", r.StatusCode)
	}
	h.clock.Advance(2 * control.BackoffBase)
	if r := login("ann", "right"); r.StatusCode != 200 {
		t.Errorf("login after the back-off = %d; want 200", r.StatusCode)
	}
	plain := smallTopology(t, func(tp *topology.Topology) { tp.Users = []topology.User{{Name: "c", Password: "p"}} })
	if w := plain.Warnings(); len(w) != 1 || !strings.Contains(w[0], "hash-password") {
		t.Errorf("Warnings() for a plain-text password = %q; want one naming hash-password", w)
	}
}

// The gateway answers CORS for the configured origins only.
func TestAdversarialGatewayCORS(t *testing.T) {
	h := startWith(t, smallTopology(t, nil), Options{CORSOrigins: []string{"https://app.example"}})
	pre := func(origin string) *http.Response {
		req, _ := http.NewRequest("OPTIONS", h.b.GatewayURL()+"/v1/login", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type,authorization")
		resp, err := h.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := pre("https://app.example"); r.StatusCode != 204 || r.Header.Get("Access-Control-Allow-Origin") != "https://app.example" ||
		!strings.Contains(r.Header.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Errorf("preflight from the allowed origin = %d %v", r.StatusCode, r.Header)
	}
	if r := pre("https://evil.example"); r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from another origin allowed: %v", r.Header)
	}
}

// What edges learn from CMCD reaches steering: an edge whose viewers
// starve ranks below its healthy peer; play answers an events URL and the
// admin metrics count the events posted.
func TestAdversarialCMCDSteeringAndEvents(t *testing.T) {
	h := start(t, smallTopology(t, nil), nil)
	h.login()
	_, pr := h.play("t1")
	if pr.EventsURL != h.b.GatewayURL()+"/v1/events" {
		t.Errorf("events_url = %q; want %s/v1/events", pr.EventsURL, h.b.GatewayURL())
	}
	top := pr.Edges[0]
	if top.Region != "eu" && top.Region != "us" {
		t.Fatalf("top edge %+v", top)
	}
	for i := range 10 {
		if resp, _ := h.do("GET", top.HLS+`?CMCD=ot%3Dm%2Cbs%2Csid%3D%22s`+fmt.Sprint(i)+`%22`, "", ""); resp.StatusCode != 200 {
			t.Fatalf("GET with CMCD = %d", resp.StatusCode)
		}
	}
	h.b.HealthTick()
	_, again := h.play("t1")
	var pos int
	for i, e := range again.Edges {
		if e.ID == top.ID {
			pos = i
		}
	}
	if again.Edges[0].ID == top.ID || again.Edges[0].Region != top.Region {
		t.Errorf("after its viewers starved, %s ranks %d (first: %s); want a same-region peer first", top.ID, pos, again.Edges[0].ID)
	}
	resp, _ := h.do("POST", pr.EventsURL, h.token, `{"session":"`+pr.Session+`","events":[{"type":"start","t":0.5}]}`)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST events_url = %d; want 202", resp.StatusCode)
	}
	_, m := h.admin("GET", "/metrics", "")
	for _, want := range []string{`abrkit_telemetry_events_total{outcome="accepted"} 1`, `abrkit_edge_cmcd_requests_total{bs="true",edge="` + top.ID} {
		if !strings.Contains(string(m), want) {
			t.Errorf("admin /metrics lack %s", want)
		}
	}
}

// One client address cannot take every connection of an edge or the
// gateway.
func TestAdversarialPerClientCap(t *testing.T) {
	h := startWith(t, smallTopology(t, nil), Options{MaxConnsPerClient: 2})
	for _, base := range []string{h.b.GatewayURL(), h.b.Edges[0].URL()} {
		addr := strings.TrimPrefix(base, "http://")
		for range 2 {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
		}
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		_, _ = io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		if n, err := c.Read(make([]byte, 64)); err == nil {
			t.Errorf("%s: third connection from one address read %d bytes; want it closed", base, n)
		}
		c.Close()
	}
}
