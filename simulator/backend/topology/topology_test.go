package topology

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestDefault(t *testing.T) {
	d := Default()
	if err := d.validate(); err != nil {
		t.Fatalf("Default().validate() = %v; want nil", err)
	}
	if got := len(d.Edges()); got != 9 {
		t.Errorf("len(Default().Edges()) = %d; want 9", got)
	}
	if d.Catalog.Generate != 20 {
		t.Errorf("Default().Catalog.Generate = %d; want 20", d.Catalog.Generate)
	}
	if e, ok := d.Edge("us-2"); !ok || e.Region != "us" || e.Capacity != Gbps {
		t.Errorf("Default().Edge(us-2) = %+v, %v; want region us, 1Gbps", e, ok)
	}
	if _, ok := d.Edge("nope"); ok {
		t.Error("Default().Edge(nope) found; want missing")
	}
}

// TestDefaultFile checks that the shipped example equals Default().
func TestDefaultFile(t *testing.T) {
	golden := filepath.Join("testdata", "default.yaml")
	if *update {
		data, err := yaml.Marshal(Default())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Load(golden)
	if err != nil {
		t.Fatalf("Load(%s) = %v", golden, err)
	}
	if want := Default(); !reflect.DeepEqual(got, want) {
		t.Errorf("Load(%s) = %+v; want Default() %+v", golden, got, want)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		line       int
		field      string
	}{
		{"unknown top field", "regions: []\nbogus: 1\n", 2, "bogus"},
		{"unknown edge field", "regions:\n  - id: eu\n    edges:\n      - id: e1\n        capacty: 1Gbps\n", 5, "capacty"},
		{"bad bitrate", "regions:\n  - id: eu\n    edges:\n      - id: e1\n        capacity: fast\n", 5, ""},
		{"no regions", "name: x\n", 1, "regions"},
		{"duplicate edge", "regions:\n  - id: eu\n    edges:\n      - id: e1\n      - id: e1\n", 5, "regions[0].edges[1].id"},
		{"bad edge id", "regions:\n  - id: eu\n    edges:\n      - id: ../x\n", 4, "regions[0].edges[0].id"},
		{"empty region", "regions:\n  - id: eu\n    edges: []\n", 3, "regions[0].edges"},
		{"two catalogs", "catalog:\n  file: c.yaml\n  generate: 3\nregions:\n  - id: eu\n    edges: [{id: e1}]\n", 1, "catalog"},
		{"title no duration", "catalog:\n  titles:\n    - id: t1\nregions:\n  - id: eu\n    edges: [{id: e1}]\n", 3, "catalog.titles[0].duration"},
		{"title bad encryption", "catalog:\n  titles:\n    - id: t1\n      duration: 8s\n      encryption: fairplay\nregions:\n  - id: eu\n    edges: [{id: e1}]\n", 5, "catalog.titles[0].encryption"},
		{"bad duration", "health_interval: soon\nregions:\n  - id: eu\n    edges: [{id: e1}]\n", 1, ""},
		{"p99 below median", "control_plane:\n  services:\n    playback:\n      service_time: {median: 10ms, p99: 1ms}\nregions:\n  - id: eu\n    edges: [{id: e1}]\n", 4, "control_plane.services.playback.service_time"},
		{"user unknown region", "users:\n  - {name: a, password: b, region: mars}\nregions:\n  - id: eu\n    edges: [{id: e1}]\n", 2, "users[0].region"},
		{"syntax", "regions: [\n", 1, ""},
		{"release all titles", "catalog:\n  generate: 4\n  release: {at: 1m, titles: 4}\nregions:\n  - id: eu\n    edges: [{id: e1}]\n", 3, "catalog.release.titles"},
		{"empty release", "catalog:\n  release:\n    at: 1m\nregions:\n  - id: eu\n    edges: [{id: e1}]\n", 2, "catalog.release"},
		{"release rows", "catalog:\n  release:\n    at: 1m\n    rows: 5000\nregions:\n  - id: eu\n    edges: [{id: e1}]\n", 4, "catalog.release.rows"},
		{"demo key", "signing_key: abrkit-demo-signing-key\nregions:\n  - id: eu\n    edges: [{id: e1}]\n", 1, "signing_key"},
		{"short key", "signing_key: change-me\nregions:\n  - id: eu\n    edges: [{id: e1}]\n", 1, "signing_key"},
		{"not a bcrypt hash", "users:\n  - {name: a, password_hash: md5x}\nregions:\n  - id: eu\n    edges: [{id: e1}]\n", 2, "users[0].password_hash"},
		{"hash and password", "users:\n  - {name: a, password: b, password_hash: $2a$x}\nregions:\n  - id: eu\n    edges: [{id: e1}]\n", 2, "users[0].password"},
		{"no password", "users:\n  - {name: a}\nregions:\n  - id: eu\n    edges: [{id: e1}]\n", 2, "users[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), "topo.yaml")
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse() = %v; want *Error", err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("errors.Is(%v, ErrInvalid) = false", err)
			}
			if e.File != "topo.yaml" || e.Line != tt.line || e.Field != tt.field {
				t.Errorf("Parse() error = %q (line %d field %q); want line %d field %q", err, e.Line, e.Field, tt.line, tt.field)
			}
			if !strings.HasPrefix(err.Error(), "topo.yaml:") {
				t.Errorf("error %q does not start with the file name", err)
			}
		})
	}
}

func TestParseFull(t *testing.T) {
	src := `
name: small
health_interval: 500ms
catalog:
  titles:
    - {id: t1, duration: 60s, segment_duration: 4s, ladder_kbps: [400, 1200]}
    - {id: t2, duration: 60s}
  release: {at: 2m, rows: 3, titles: 1}
regions:
  - id: eu
    edges:
      - {id: eu-a, capacity: 100Mbps, max_connections: 8, cache_size: 64MiB}
users:
  - {name: alice, password: secret, region: eu}
control_plane:
  max_in_flight: 4
  rate_limit: {per_second: 2, burst: 3}
  breaker: {failures: 2, cooldown: 1s}
`
	topo, err := Parse([]byte(src), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	e, _ := topo.Edge("eu-a")
	if e.Capacity != 100*Mbps || e.MaxConnections != 8 || e.CacheSize != 64*MiB {
		t.Errorf("edge = %+v; want 100Mbps, 8 connections, 64MiB", e)
	}
	if topo.HealthInterval != 500*time.Millisecond || topo.ControlPlane.MaxInFlight != 4 || topo.ControlPlane.Breaker.Failures != 2 {
		t.Errorf("topology = %+v", topo)
	}
	if topo.Catalog.Generate != 0 || len(topo.Catalog.Titles) != 2 {
		t.Errorf("catalog = %+v; want the inline titles only", topo.Catalog)
	}
	if r := topo.Catalog.Release; r == nil || *r != (Release{At: 2 * time.Minute, Rows: 3, Titles: 1}) {
		t.Errorf("catalog.release = %+v; want at 2m, 3 rows, 1 title", r)
	}
}

func TestUnits(t *testing.T) {
	rates := []struct {
		in   string
		want Bitrate
	}{{"1200", 1200}, {"800kbps", 800 * Kbps}, {"1.5Mbps", 1500 * Kbps}, {"10 Gbps", 10 * Gbps}}
	for _, tt := range rates {
		got, err := ParseBitrate(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseBitrate(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
		back, _ := ParseBitrate(got.String())
		if back != got {
			t.Errorf("ParseBitrate(%v.String()) = %v; want round trip", got, back)
		}
	}
	sizes := []struct {
		in   string
		want ByteSize
	}{{"10", 10}, {"1KiB", 1024}, {"64MiB", 64 * MiB}, {"1GB", 1e9}, {"2GiB", 2 * GiB}}
	for _, tt := range sizes {
		got, err := ParseByteSize(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseByteSize(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "-1", "fast", "1e400", "NaN"} {
		if _, err := ParseBitrate(bad); err == nil {
			t.Errorf("ParseBitrate(%q) = nil error; want error", bad)
		}
	}
}

func TestServiceTime(t *testing.T) {
	s := ServiceTime{Median: 10 * time.Millisecond, P99: 50 * time.Millisecond}
	if got := s.Quantile(0); got != 10*time.Millisecond {
		t.Errorf("Quantile(0) = %v; want 10ms", got)
	}
	if got := s.Quantile(z99); got < 49*time.Millisecond || got > 51*time.Millisecond {
		t.Errorf("Quantile(z99) = %v; want 50ms", got)
	}
	if got := (ServiceTime{}).Quantile(3); got != 0 {
		t.Errorf("zero ServiceTime.Quantile(3) = %v; want 0", got)
	}
}
