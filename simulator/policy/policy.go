package policy

import (
	"errors"
	"fmt"

	"github.com/abrkit/abrkit/abr"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/simulator/scenario"
)

// DefaultABR is the algorithm of a device that names none.
const DefaultABR = "auto"

// ErrLiveContent is returned for scenarios with live channels.
var ErrLiveContent = errors.New("live channels (content.live_share) are not modelled yet: the reference packager makes VOD titles")

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
// content.
func CheckContent(s *scenario.Scenario) error {
	if s.Content.LiveShare > 0 {
		return ErrLiveContent
	}
	return nil
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
