package control

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/simulator/backend/edge"
	"github.com/abrkit/abrkit/simulator/backend/origin"
	"github.com/abrkit/abrkit/simulator/backend/signing"
	"github.com/abrkit/abrkit/simulator/backend/topology"
)

var licenseCases = []struct {
	name, body string
	ok         bool
	kids       int
}{
	{"one kid", `{"kids":["AAECAwQFBgcICQoLDA0ODw"],"type":"temporary"}`, true, 1},
	{"type defaults", `{"kids":["AAECAwQFBgcICQoLDA0ODw"]}`, true, 1},
	{"persistent", `{"kids":["AAECAwQFBgcICQoLDA0ODw","_____________________w"],"type":"persistent-license"}`, true, 2},
	{"no kids", `{"kids":[],"type":"temporary"}`, false, 0},
	{"kids missing", `{"type":"temporary"}`, false, 0},
	{"padded base64", `{"kids":["AAECAwQFBgcICQoLDA0ODw=="]}`, false, 0},
	{"std base64", `{"kids":["+++++++++++++++++++++w"]}`, false, 0},
	{"short kid", `{"kids":["AAECAw"]}`, false, 0},
	{"bad type", `{"kids":["AAECAwQFBgcICQoLDA0ODw"],"type":"forever"}`, false, 0},
	{"too many kids", `{"kids":[` + strings.Repeat(`"AAECAwQFBgcICQoLDA0ODw",`, MaxLicenseKIDs) + `"AAECAwQFBgcICQoLDA0ODw"]}`, false, 0},
	{"not JSON", `kids=1`, false, 0},
	{"trailing", `{"kids":["AAECAwQFBgcICQoLDA0ODw"]} {}`, false, 0},
	{"kids not strings", `{"kids":[1]}`, false, 0},
}

func TestDecodeLicense(t *testing.T) {
	for _, tc := range licenseCases {
		r, kids, err := DecodeLicense([]byte(tc.body))
		if (err == nil) != tc.ok {
			t.Errorf("%s: DecodeLicense = %v; want ok %v", tc.name, err, tc.ok)
			continue
		}
		if tc.ok && (len(kids) != tc.kids || r.Type == "") {
			t.Errorf("%s: %d kids, type %q; want %d kids and a type", tc.name, len(kids), r.Type, tc.kids)
		}
	}
}

func FuzzDecodeLicense(f *testing.F) {
	for _, c := range licenseCases {
		f.Add([]byte(c.body))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, kids, err := DecodeLicense(data)
		if err != nil {
			return
		}
		if len(kids) == 0 || len(kids) > MaxLicenseKIDs || len(kids) != len(r.KIDs) {
			t.Fatalf("DecodeLicense accepted %d kids (%d strings)", len(kids), len(r.KIDs))
		}
		if r.Type != "temporary" && r.Type != "persistent-license" {
			t.Fatalf("DecodeLicense accepted type %q", r.Type)
		}
	})
}

// keyGateway is a gateway with a clear, an AES-128 and a CENC title.
func keyGateway(t *testing.T) (*Gateway, *topology.Topology, string) {
	t.Helper()
	topo, err := topology.Parse([]byte("regions:\n  - id: eu\n    edges: [{id: eu-1}]\ncontrol_plane:\n  rate_limit: {per_second: -1}\n"), "keys.yaml")
	if err != nil {
		t.Fatal(err)
	}
	topo.SigningKey = "a master key of at least thirty-two bytes"
	g, err := New(Config{Topology: topo, Clock: clock.NewFake(t0), Titles: []origin.TitleInfo{
		{ID: "clear", HLS: "master.m3u8", DASH: "manifest.mpd"},
		{ID: "hls", HLS: "master.m3u8", Encryption: EncryptionAES128},
		{ID: "dash", DASH: "manifest.mpd", Encryption: EncryptionCENC},
		{ID: "both", HLS: "master.m3u8", DASH: "manifest.mpd", Encryption: EncryptionCBCS},
	}})
	if err != nil {
		t.Fatal(err)
	}
	g.Steering.Report(edge.Report{ID: "eu-1", Region: "eu", URL: "https://127.0.0.1:1", HTTP3: true, Healthy: true})
	tok := signing.New(topo.SigningKey).Token(signing.Claims{User: "u", Expires: t0.Add(time.Hour)})
	return g, topo, tok
}

func serve(g *Gateway, method, path, token string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	g.ServeHTTP(rec, req)
	return rec
}

// TestKeyServer checks the HLS key and ClearKey license endpoints:
// keys only with a valid token, only for the title's own key id and
// scheme, bodies capped, and the keys are the packager's (ContentKey).
func TestKeyServer(t *testing.T) {
	g, topo, tok := keyGateway(t)
	expired := signing.New(topo.SigningKey).Token(signing.Claims{User: "u", Expires: t0.Add(-time.Second)})
	forged := signing.New("another master key of thirty-two bytes+").Token(signing.Claims{User: "u", Expires: t0.Add(time.Hour)})
	kid, key, _ := signing.ContentKey(topo.SigningKey, "dash")
	kidBoth, _, _ := signing.ContentKey(topo.SigningKey, "both")
	req := func(kids ...[16]byte) []byte {
		var r LicenseRequest
		for _, k := range kids {
			r.KIDs = append(r.KIDs, b64.EncodeToString(k[:]))
		}
		r.Type = "temporary"
		b, _ := json.Marshal(r)
		return b
	}
	other := [16]byte{1, 2, 3}
	tests := []struct {
		name, method, path, token string
		body                      []byte
		code                      int
	}{
		{"key", "GET", "/v1/keys/hls", tok, nil, 200},
		{"key without token", "GET", "/v1/keys/hls", "", nil, 401},
		{"key expired token", "GET", "/v1/keys/hls", expired, nil, 401},
		{"key forged token", "GET", "/v1/keys/hls", forged, nil, 401},
		{"key of a clear title", "GET", "/v1/keys/clear", tok, nil, 404},
		{"key of a CENC title", "GET", "/v1/keys/dash", tok, nil, 404},
		{"key of an unknown title", "GET", "/v1/keys/nope", tok, nil, 404},
		{"license", "POST", "/v1/license/dash", tok, req(kid), 200},
		{"license among other kids", "POST", "/v1/license/dash", tok, req(other, kid), 200},
		{"license without token", "POST", "/v1/license/dash", "", req(kid), 401},
		{"license expired token", "POST", "/v1/license/dash", expired, req(kid), 401},
		{"license of another kid", "POST", "/v1/license/dash", tok, req(other), 404},
		{"license of an HLS title", "POST", "/v1/license/hls", tok, req(kid), 404},
		{"license malformed", "POST", "/v1/license/dash", tok, []byte(`{"kids":"x"}`), 400},
		{"license too large", "POST", "/v1/license/dash", tok, append([]byte(`{"kids":["`), bytes.Repeat([]byte("A"), MaxLicenseBytes)...), 413},
		{"license by GET", "GET", "/v1/license/dash", tok, nil, 405},
		{"cbcs key", "GET", "/v1/keys/both", tok, nil, 200},
		{"cbcs license", "POST", "/v1/license/both", tok, req(kidBoth), 200},
		{"cbcs license with another title's kid", "POST", "/v1/license/both", tok, req(kid), 404},
	}
	for _, tc := range tests {
		rec := serve(g, tc.method, tc.path, tc.token, tc.body)
		if rec.Code != tc.code {
			t.Errorf("%s: %s %s = %d %s; want %d", tc.name, tc.method, tc.path, rec.Code, rec.Body, tc.code)
			continue
		}
		if tc.code != 200 {
			if bytes.Contains(rec.Body.Bytes(), key[:]) || bytes.Contains(rec.Body.Bytes(), []byte(b64.EncodeToString(key[:]))) {
				t.Errorf("%s: a refusal carries the key", tc.name)
			}
			continue
		}
		if rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q; want no-store", tc.name, rec.Header().Get("Cache-Control"))
		}
		kid, key, _ := signing.ContentKey(topo.SigningKey, path.Base(tc.path))
		if strings.HasPrefix(tc.path, "/v1/keys/") {
			if !bytes.Equal(rec.Body.Bytes(), key[:]) {
				t.Errorf("%s: body %x; want the title's key", tc.name, rec.Body.Bytes())
			}
			continue
		}
		var lr LicenseResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &lr); err != nil {
			t.Fatal(err)
		}
		want := LicenseKey{Kty: "oct", KID: b64.EncodeToString(kid[:]), K: b64.EncodeToString(key[:])}
		if len(lr.Keys) != 1 || lr.Keys[0] != want || lr.Type != "temporary" {
			t.Errorf("%s: license %+v; want %+v", tc.name, lr, want)
		}
	}
}

// TestPlayProtected checks that the playback API names the key server
// for protected titles and marks edges that serve HTTP/3.
func TestPlayProtected(t *testing.T) {
	g, topo, tok := keyGateway(t)
	kid, _, _ := signing.ContentKey(topo.SigningKey, "dash")
	kidBoth, _, _ := signing.ContentKey(topo.SigningKey, "both")
	tests := []struct {
		title                        string
		encryption, keyPath, licPath string
		keyIDs                       []string
	}{
		{"clear", "", "", "", nil},
		{"hls", EncryptionAES128, KeyPath("hls"), "", nil},
		{"dash", EncryptionCENC, "", LicensePath("dash"), []string{hex.EncodeToString(kid[:])}},
		{"both", EncryptionCBCS, KeyPath("both"), LicensePath("both"), []string{hex.EncodeToString(kidBoth[:])}},
	}
	for _, tc := range tests {
		rec := serve(g, "POST", "/v1/play", tok, []byte(`{"title":"`+tc.title+`"}`))
		if rec.Code != http.StatusOK {
			t.Fatalf("play %s = %d %s", tc.title, rec.Code, rec.Body)
		}
		var pr PlayResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &pr); err != nil {
			t.Fatal(err)
		}
		suffix := func(u, p string) bool { return (p == "" && u == "") || (p != "" && strings.HasSuffix(u, p)) }
		if pr.Encryption != tc.encryption || !suffix(pr.KeyURL, tc.keyPath) || !suffix(pr.LicenseURL, tc.licPath) || strings.Join(pr.KeyIDs, ",") != strings.Join(tc.keyIDs, ",") {
			t.Errorf("play %s: encryption %q key %q license %q kids %v; want %q %q %q %v", tc.title, pr.Encryption, pr.KeyURL, pr.LicenseURL, pr.KeyIDs,
				tc.encryption, tc.keyPath, tc.licPath, tc.keyIDs)
		}
		if e := pr.Edges[0]; !e.H3 || strings.Join(e.Protocols, ",") != "h3,h2,http/1.1" {
			t.Errorf("play %s: edge h3 %v protocols %v; want h3 first", tc.title, e.H3, e.Protocols)
		}
	}
}

func TestEdgeProtocols(t *testing.T) {
	tests := []struct {
		url  string
		h3   bool
		want string
	}{
		{"http://127.0.0.1:1", false, "http/1.1"},
		{"http://127.0.0.1:1", true, "http/1.1"}, // no QUIC without TLS
		{"https://127.0.0.1:1", false, "h2,http/1.1"},
		{"https://127.0.0.1:1", true, "h3,h2,http/1.1"},
	}
	for _, tc := range tests {
		if got := strings.Join(edgeProtocols(tc.url, tc.h3), ","); got != tc.want {
			t.Errorf("edgeProtocols(%s, %v) = %s; want %s", tc.url, tc.h3, got, tc.want)
		}
	}
}
