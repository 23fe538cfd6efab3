package control

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/simulator/backend/edge"
	"github.com/abrkit/abrkit/simulator/backend/faults"
	"github.com/abrkit/abrkit/simulator/backend/origin"
	"github.com/abrkit/abrkit/simulator/backend/signing"
	"github.com/abrkit/abrkit/simulator/backend/topology"
)

func fuzzGateway(t testing.TB) (*Gateway, string) {
	topo, err := topology.Parse([]byte("regions:\n  - id: eu\n    edges: [{id: eu-1}]\ncontrol_plane:\n  rate_limit: {per_second: -1}\n"), "fuzz.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fc := clock.NewFake(t0)
	g, err := New(Config{Topology: topo, Titles: []origin.TitleInfo{{ID: "t1", HLS: "master.m3u8", DASH: "manifest.mpd"},
		{ID: "c1", DASH: "manifest.mpd", Encryption: EncryptionCENC}, {ID: "h1", HLS: "master.m3u8", Encryption: EncryptionAES128}}, Clock: fc, Faults: faults.NewController()})
	if err != nil {
		t.Fatal(err)
	}
	g.Steering.Report(edge.Report{ID: "eu-1", Region: "eu", URL: "http://127.0.0.1:1", Healthy: true})
	tok := signing.New(topo.SigningKey).Token(signing.Claims{User: "u", Expires: t0.Add(time.Hour)})
	return g, tok
}

// FuzzGatewayRequest sends arbitrary bodies to every endpoint, with and
// without a token: the answer is never a panic nor a 500.
func FuzzGatewayRequest(f *testing.F) {
	seeds := []struct {
		route uint8
		body  string
	}{
		{0, `{"user":"a","password":"b"}`},
		{1, `{"title":"t1"}`},
		{2, `{"events":[{"type":"start"}]}`},
		{3, `{"id":"eu-1","url":"http://x"}`},
		{4, `{"target":"eu-1","kind":"kill"}`},
		{5, ``},
		{1, `{"title":"../../etc/passwd"}`},
		{7, `{"kids":["AAECAwQFBgcICQoLDA0ODw"],"type":"temporary"}`},
		{8, ``},
	}
	for _, s := range seeds {
		f.Add(s.route, true, []byte(s.body))
	}
	g, tok := fuzzGateway(f)
	routes := []struct{ method, path string }{
		{"POST", "/v1/login"}, {"POST", "/v1/play"}, {"POST", "/v1/events"},
		{"POST", "/internal/v1/edges/report"}, {"POST", "/admin/v1/faults"}, {"GET", "/v1/steering/t1?region=eu"},
		{"GET", "/v1/titles"}, {"POST", "/v1/license/c1"}, {"GET", "/v1/keys/h1"},
	}
	f.Fuzz(func(t *testing.T, route uint8, auth bool, body []byte) {
		r := routes[int(route)%len(routes)]
		req := httptest.NewRequest(r.method, r.path, bytes.NewReader(body))
		if auth {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		rec := httptest.NewRecorder()
		g.ServeHTTP(rec, req)
		if rec.Code >= 500 && rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("%s %s %q = %d %s", r.method, r.path, body, rec.Code, rec.Body)
		}
	})
}
