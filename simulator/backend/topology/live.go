package topology

import (
	"fmt"
	"time"
)

// Defaults of live channels and of the edges' handling of live objects.
const (
	DefaultChannelID      = "live"
	DefaultChannelSegment = 2 * time.Second
	DefaultChannelPart    = 500 * time.Millisecond
	DefaultChannelWindow  = 30 * time.Second
	// DefaultPlaylistTTL is how long an edge serves a live playlist it
	// fetched before asking the origin again.
	DefaultPlaylistTTL = 250 * time.Millisecond
)

// DefaultChannelLadder is the ladder of a channel that names none.
func DefaultChannelLadder() []int { return []int{400, 1200, 3000} }

// Channel is a live channel, packaged by the origin from the clock as
// HLS, LL-HLS, DASH and LL-DASH.
type Channel struct {
	ID string `yaml:"id"`
	// SegmentDuration defaults to 2s.
	SegmentDuration time.Duration `yaml:"segment_duration,omitempty"`
	// PartDuration is the LL-HLS part and LL-DASH chunk duration; equal to
	// SegmentDuration for plain live. Defaults to 500ms.
	PartDuration time.Duration `yaml:"part_duration,omitempty"`
	// Window is the DVR window of the playlists; defaults to 30s.
	Window time.Duration `yaml:"window,omitempty"`
	// LatencyTarget is the latency advertised to players (LL-HLS
	// PART-HOLD-BACK, DASH ServiceDescription); defaults to three parts.
	LatencyTarget time.Duration `yaml:"latency_target,omitempty"`
	// LadderKbps is the source ladder; defaults to 400, 1200, 3000.
	LadderKbps []int `yaml:"ladder_kbps,omitempty"`
	Seed       int64 `yaml:"seed,omitempty"`
	// Source is a directory of real CMAF (the output of make content,
	// relative to the topology file) played in a loop with continuous
	// timestamps instead of synthetic frames. The segment duration and
	// ladder are then the source's, and part_duration defaults to the
	// longest whole number of frames up to 500ms dividing a segment.
	Source string `yaml:"source,omitempty"`
}

// LiveEdges sets how edges treat live objects.
type LiveEdges struct {
	// Collapse makes concurrent requests for the same live object share
	// one origin fetch; defaults to true.
	Collapse *bool `yaml:"collapse,omitempty"`
	// PlaylistTTL is how long a live playlist is served from the edge;
	// defaults to 250ms.
	PlaylistTTL time.Duration `yaml:"playlist_ttl,omitempty"`
}

// Collapsing reports whether edges collapse concurrent live requests.
func (l LiveEdges) Collapsing() bool { return l.Collapse == nil || *l.Collapse }

// DefaultChannel is the LL-HLS channel of the default topology.
func DefaultChannel() Channel {
	return Channel{ID: DefaultChannelID, SegmentDuration: DefaultChannelSegment, PartDuration: DefaultChannelPart,
		Window: DefaultChannelWindow, LatencyTarget: 3 * DefaultChannelPart, LadderKbps: DefaultChannelLadder(), Seed: 1}
}

func (t *Topology) applyLiveDefaults() {
	for i := range t.Channels {
		c := &t.Channels[i]
		if c.Source != "" { // the source sets the grid; the packager checks it
			setDur(&c.Window, max(DefaultChannelWindow, 3*c.SegmentDuration))
			continue
		}
		setDur(&c.SegmentDuration, DefaultChannelSegment)
		setDur(&c.PartDuration, min(DefaultChannelPart, c.SegmentDuration))
		setDur(&c.Window, max(DefaultChannelWindow, 3*c.SegmentDuration))
		setDur(&c.LatencyTarget, 3*c.PartDuration)
		if len(c.LadderKbps) == 0 {
			c.LadderKbps = DefaultChannelLadder()
		}
	}
	setDur(&t.LiveEdges.PlaylistTTL, DefaultPlaylistTTL)
}

// validateLive checks the channels; titles are the inline catalog's ids.
func (t *Topology) validateLive(titles map[string]bool) error {
	bad := func(field, format string, a ...any) error {
		return &Error{Field: field, Msg: fmt.Sprintf(format, a...)}
	}
	seen := map[string]bool{}
	for i, c := range t.Channels {
		f := fmt.Sprintf("channels[%d]", i)
		switch {
		case !validID(c.ID):
			return bad(f+".id", "%q is not a valid id (letters, digits, '-', '_', '.')", c.ID)
		case seen[c.ID] || titles[c.ID]:
			return bad(f+".id", "duplicate title %q", c.ID)
		case c.Source != "" && len(c.LadderKbps) > 0:
			return bad(f+".ladder_kbps", "a channel with a source plays the source's ladder")
		case c.Source != "" && (c.SegmentDuration < 0 || c.PartDuration < 0 || c.LatencyTarget < 0 || c.Window < 3*c.SegmentDuration):
			return bad(f, "durations must not be negative and window must hold three segments")
		case c.Source != "":
			// segment and part durations are checked against the source
		case c.SegmentDuration < 100*time.Millisecond:
			return bad(f+".segment_duration", "must be at least 100ms, not %v", c.SegmentDuration)
		case c.PartDuration <= 0 || c.PartDuration > c.SegmentDuration:
			return bad(f+".part_duration", "must be positive and at most segment_duration, not %v", c.PartDuration)
		case c.SegmentDuration%c.PartDuration != 0:
			return bad(f+".part_duration", "%v does not divide segment_duration %v", c.PartDuration, c.SegmentDuration)
		case c.Window < 3*c.SegmentDuration:
			return bad(f+".window", "must hold at least three segments, not %v", c.Window)
		case c.LatencyTarget < 0:
			return bad(f+".latency_target", "must not be negative")
		}
		seen[c.ID] = true
		for j, k := range c.LadderKbps {
			if k <= 0 {
				return bad(fmt.Sprintf("%s.ladder_kbps[%d]", f, j), "must be positive, not %d", k)
			}
		}
	}
	if t.LiveEdges.PlaylistTTL < 0 {
		return bad("live_edges.playlist_ttl", "must not be negative")
	}
	return nil
}

// IsChannel reports whether id is a live channel of the topology.
func (t *Topology) IsChannel(id string) bool {
	for _, c := range t.Channels {
		if c.ID == id {
			return true
		}
	}
	return false
}
