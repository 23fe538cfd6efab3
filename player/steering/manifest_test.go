package steering

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// manifestCases feeds the parse test and the fuzz seeds.
var manifestCases = []struct {
	name  string
	in    string
	want  *Manifest
	field string // for errors: want ManifestError.Field
}{
	{"hls spec example", `{
	  "VERSION": 1, "TTL": 300,
	  "RELOAD-URI": "https://example.com/steering?video=00012&session=123",
	  "PATHWAY-PRIORITY": ["CDN-A", "CDN-B"],
	  "PATHWAY-CLONES": [{"BASE-ID": "CDN-A", "ID": "CDN-C",
	    "URI-REPLACEMENT": {"HOST": "backup.example.com", "PARAMS": {"token-for-backup": "7bbd-12ac"}}}]}`,
		&Manifest{Version: 1, TTL: 300 * time.Second, ReloadURI: "https://example.com/steering?video=00012&session=123",
			Priority: []string{"CDN-A", "CDN-B"},
			Clones: []Clone{{BaseID: "CDN-A", ID: "CDN-C", Replacement: URIReplacement{Host: "backup.example.com",
				Params: []Param{{"token-for-backup", "7bbd-12ac"}}}}}}, ""},
	{"dash", `{"VERSION":1,"TTL":10.5,"SERVICE-LOCATION-PRIORITY":["beta","alpha","beta"]}`,
		&Manifest{Version: 1, TTL: 10500 * time.Millisecond, Priority: []string{"beta", "alpha"}}, ""},
	{"unknown keys ignored", `{"VERSION":1,"X-FOO":{"a":[1,2]}}`, &Manifest{Version: 1}, ""},
	{"per uris", `{"VERSION":1,"PATHWAY-CLONES":[{"BASE-ID":"a","ID":"b","URI-REPLACEMENT":{"PER-VARIANT-URIS":{"v1":"https://x/1.m3u8"},"PER-RENDITION-URIS":{"r1":"https://x/r.m3u8"},"PARAMS":{"z":"1","a":"2"}}}]}`,
		&Manifest{Version: 1, Clones: []Clone{{BaseID: "a", ID: "b", Replacement: URIReplacement{
			Params:           []Param{{"a", "2"}, {"z", "1"}},
			PerVariantURIs:   map[string]string{"v1": "https://x/1.m3u8"},
			PerRenditionURIs: map[string]string{"r1": "https://x/r.m3u8"}}}}}, ""},
	{"missing version", `{"TTL":1}`, nil, "VERSION"},
	{"version 2", `{"VERSION":2}`, nil, "VERSION"},
	{"negative ttl", `{"VERSION":1,"TTL":-5}`, nil, "TTL"},
	{"ttl type", `{"VERSION":1,"TTL":"300"}`, nil, "TTL"},
	{"empty pathway", `{"VERSION":1,"PATHWAY-PRIORITY":["a",""]}`, nil, "PATHWAY-PRIORITY[1]"},
	{"clone without id", `{"VERSION":1,"PATHWAY-CLONES":[{"BASE-ID":"a","URI-REPLACEMENT":{}}]}`, nil, "PATHWAY-CLONES[0].ID"},
	{"clone without base", `{"VERSION":1,"PATHWAY-CLONES":[{"ID":"a","URI-REPLACEMENT":{}}]}`, nil, "PATHWAY-CLONES[0].BASE-ID"},
	{"clone without replacement", `{"VERSION":1,"PATHWAY-CLONES":[{"ID":"a","BASE-ID":"b"}]}`, nil, "PATHWAY-CLONES[0].URI-REPLACEMENT"},
	{"trailing", `{"VERSION":1} {}`, nil, ""},
	{"not json", `<xml/>`, nil, ""},
	{"empty", ``, nil, ""},
}

func TestParseManifest(t *testing.T) {
	for _, tc := range manifestCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseManifest([]byte(tc.in))
			if tc.want == nil {
				var me *ManifestError
				if !errors.As(err, &me) || !errors.Is(err, ErrBadManifest) {
					t.Fatalf("ParseManifest = %v, %v; want *ManifestError wrapping ErrBadManifest", got, err)
				}
				if me.Field != tc.field {
					t.Fatalf("ParseManifest error field = %q (%v); want %q", me.Field, err, tc.field)
				}
				if tc.field != "" && !strings.Contains(err.Error(), tc.field) {
					t.Fatalf("error %q does not name field %s", err, tc.field)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseManifest: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ParseManifest = %+v; want %+v", got, tc.want)
			}
		})
	}
}

func TestParseManifestTooLarge(t *testing.T) {
	big := make([]byte, maxManifestBytes+1)
	if _, err := ParseManifest(big); !errors.Is(err, ErrBadManifest) {
		t.Fatalf("ParseManifest(too large) = %v; want ErrBadManifest", err)
	}
}

// TestFuzzSeeds checks that every table case is committed as a fuzz seed.
func TestFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzParseManifest")
	for _, tc := range manifestCases {
		name := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_"))
		want := "go test fuzz v1\n[]byte(" + quote(tc.in) + ")\n"
		if *update {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(name, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(name)
		if err != nil || string(got) != want {
			t.Errorf("seed %s missing or stale (run go test -run TestFuzzSeeds -update)", name)
		}
	}
}

func FuzzParseManifest(f *testing.F) {
	for _, tc := range manifestCases {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err != nil {
			if !errors.Is(err, ErrBadManifest) {
				t.Fatalf("error %v does not wrap ErrBadManifest", err)
			}
			return
		}
		if m.Version != 1 || m.TTL < 0 {
			t.Fatalf("accepted %+v", m)
		}
		// applying any valid manifest must keep the selector consistent
		sel := newEdgesF(t)
		r, _ := sel.NextReload(0)
		_ = r
		if err := sel.ReloadDone(0, ReloadResponse{Status: 200, Body: data}); err != nil {
			t.Fatalf("ReloadDone rejected what ParseManifest accepted: %v", err)
		}
		if len(sel.order) != len(sel.entries) || len(sel.entries) > maxEntries {
			t.Fatalf("order %v for %d entries", sel.order, len(sel.entries))
		}
		cur := sel.Current(time.Second)
		_ = sel.Resolve("https://a.example.net/t/42/seg.m4s")
		_ = sel.ResolveStable("https://a.example.net/t/42/seg.m4s", "v1", false)
		if sel.find(cur.ID) < 0 {
			t.Fatalf("Current = %q, not a known server", cur.ID)
		}
	})
}

func newEdgesF(t *testing.T) *Manager {
	m, err := New(Config{Edges: edges("a", "b"), SteeringURI: "https://s.example/x", ProbeCount: -1}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
