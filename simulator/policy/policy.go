package policy

import (
	"errors"
	"fmt"

	"github.com/abrkit/abrkit/abr"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/simulator/backend/topology"
	"github.com/abrkit/abrkit/simulator/scenario"
)

// DefaultABR is the algorithm of a device that names none.
const DefaultABR = "auto"

// ErrLiveContent is returned for live channels a run cannot play.
var ErrLiveContent = errors.New("content.live_channels")

// BufferPolicy is the player buffer policy for a scenario: the player's
// defaults, with the goal set to session.max_buffer when given.
func BufferPolicy(s *scenario.Scenario) (player.BufferPolicy, error) {
	bp := player.NewBufferPolicy()
	if g := s.Session.MaxBuffer.D(); g > 0 {
		bp.Forward = g
		if bp.Resume >= g {
			bp.Resume = g - g/4
		}
		if err := bp.Validate(); err != nil {
			return nil, fmt.Errorf("session.max_buffer: %w", err)
		}
	}
	return bp, nil
}

// CheckContent reports whether the simulator can play the scenario's
// content: live channels are the embedded topology's.
func CheckContent(s *scenario.Scenario) error {
	c := s.Content
	if c.LiveShare == 0 {
		return nil
	}
	if s.Topology == nil {
		return fmt.Errorf("%w: live channels are those of the embedded backend's topology; this scenario has no embedded backend", ErrLiveContent)
	}
	if n := len(s.Topology.Channels); c.LiveChannels > n {
		return fmt.Errorf("%w: %d, but the topology has %d channel(s)", ErrLiveContent, c.LiveChannels, n)
	}
	return nil
}

// Channels are the live channels sessions pick from (content.live_share
// of them): the topology's first content.live_channels.
func Channels(s *scenario.Scenario) []topology.Channel {
	if s.Content.LiveShare == 0 || s.Topology == nil {
		return nil
	}
	return s.Topology.Channels[:min(s.Content.LiveChannels, len(s.Topology.Channels))]
}

// LiveChannel picks a live channel (an index into Channels) for a
// uniform x in [0,1) when x falls inside the live share: one draw, the
// same in both drivers.
func LiveChannel(x, share float64, n int) (int, bool) {
	if x >= share || n == 0 {
		return 0, false
	}
	return min(int(x/share*float64(n)), n-1), true
}

// ABRName is the algorithm a device with the given abr field plays with.
func ABRName(name string) string {
	if name == "" {
		return DefaultABR
	}
	return name
}

// NewABR returns a fresh instance of the device's algorithm (DefaultABR
// when name is empty).
func NewABR(name string) (abr.Algorithm, error) {
	return abr.New(ABRName(name))
}

// MaxBitrate is the highest video bandwidth whose height fits a device
// of the given height: the lowest rendition when none fits, 0 (no cap)
// when the height or the ladder is unknown.
func MaxBitrate(p *manifest.Presentation, height int) int {
	if p == nil || height <= 0 || len(p.Periods) == 0 {
		return 0
	}
	best, lowest := 0, 0
	for _, set := range p.Periods[0].Sets {
		if set.Type != manifest.Video {
			continue
		}
		for _, rd := range set.Renditions {
			if lowest == 0 || rd.Bandwidth < lowest {
				lowest = rd.Bandwidth
			}
			if rd.Height > 0 && rd.Height <= height && rd.Bandwidth > best {
				best = rd.Bandwidth
			}
		}
	}
	if best == 0 {
		return lowest
	}
	return best
}
