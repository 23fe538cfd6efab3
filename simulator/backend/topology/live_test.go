package topology

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestParseChannels(t *testing.T) {
	src := "channels:\n  - id: news\n    segment_duration: 4s\n  - {id: sport, part_duration: 250ms}\nlive_edges:\n  collapse: false\nregions:\n  - id: eu\n    edges: [{id: e1}]\n"
	top, err := Parse([]byte(src), "topo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(top.Channels) != 2 {
		t.Fatalf("Parse() channels = %+v; want 2", top.Channels)
	}
	news, sport := top.Channels[0], top.Channels[1]
	if news.PartDuration != 500*time.Millisecond || news.Window != 30*time.Second || news.LatencyTarget != 1500*time.Millisecond || len(news.LadderKbps) != 3 {
		t.Errorf("news defaults = %+v", news)
	}
	if sport.SegmentDuration != 2*time.Second || sport.LatencyTarget != 750*time.Millisecond {
		t.Errorf("sport defaults = %+v", sport)
	}
	if top.LiveEdges.Collapsing() || top.LiveEdges.PlaylistTTL != DefaultPlaylistTTL {
		t.Errorf("live_edges = %+v; want collapse off, default TTL", top.LiveEdges)
	}
	if !Default().LiveEdges.Collapsing() {
		t.Errorf("Default() does not collapse live requests")
	}
}

// TestLoadChannelSource: a channel's source is relative to the topology
// file, and its grid is left to the source.
func TestLoadChannelSource(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "topo.yaml")
	src := "channels:\n  - {id: feed, source: content}\nregions:\n  - id: eu\n    edges: [{id: e1}]\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	top, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	c := top.Channels[0]
	if c.Source != filepath.Join(dir, "content") || c.SegmentDuration != 0 || c.PartDuration != 0 || c.Window != DefaultChannelWindow {
		t.Errorf("channel = %+v; want the source under %s, segment and part left to it, the default window", c, dir)
	}
}

func TestParseChannelErrors(t *testing.T) {
	const regions = "regions:\n  - id: eu\n    edges: [{id: e1}]\n"
	tests := []struct {
		name, yaml string
		line       int
		field      string
	}{
		{"unknown field", "channels:\n  - id: a\n    segement_duration: 2s\n" + regions, 3, "segement_duration"},
		{"bad id", "channels:\n  - id: ../a\n" + regions, 2, "channels[0].id"},
		{"duplicate", "channels:\n  - id: a\n  - id: a\n" + regions, 3, "channels[1].id"},
		{"clashes with a title", "catalog:\n  titles:\n    - {id: a, duration: 10s}\nchannels:\n  - id: a\n" + regions, 5, "channels[0].id"},
		{"part over segment", "channels:\n  - id: a\n    part_duration: 3s\n" + regions, 3, "channels[0].part_duration"},
		{"part does not divide", "channels:\n  - id: a\n    part_duration: 300ms\n" + regions, 3, "channels[0].part_duration"},
		{"short window", "channels:\n  - id: a\n    window: 4s\n" + regions, 3, "channels[0].window"},
		{"bad rung", "channels:\n  - id: a\n    ladder_kbps: [400, -1]\n" + regions, 3, "channels[0].ladder_kbps[1]"},
		{"ladder with a source", "channels:\n  - id: a\n    source: content\n    ladder_kbps: [400]\n" + regions, 4, "channels[0].ladder_kbps"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), "topo.yaml")
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse() = %v; want *Error", err)
			}
			if e.Line != tt.line || e.Field != tt.field {
				t.Errorf("Parse() error = %q (line %d field %q); want line %d field %q", err, e.Line, e.Field, tt.line, tt.field)
			}
		})
	}
}
