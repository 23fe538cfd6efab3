package abr

import (
	"math"
	"time"
)

// QoE is the linear QoE metric of MPC and Pensieve (QoE_lin): per segment,
// bitrate in Mbit/s, minus RebufferPenalty per second of stall, minus
// SwitchPenalty times the bitrate change in Mbit/s.
type QoE struct {
	RebufferPenalty float64 // per second of stall
	SwitchPenalty   float64 // per Mbit/s of change
}

// LinQoE returns QoE_lin for a ladder: the stall penalty equals the top
// bitrate in Mbit/s (4.3 for Pensieve's ladder), the switch penalty is 1.
func LinQoE(bitrates []int) QoE {
	top := 0.0
	if len(bitrates) > 0 {
		top = float64(bitrates[len(bitrates)-1]) / 1e6
	}
	return QoE{RebufferPenalty: top, SwitchPenalty: 1}
}

// Chunk returns the QoE of one segment at bitrate bps after prev bps
// (prev < 0: no switch penalty) with the given stall.
func (q QoE) Chunk(bps, prev int, rebuffer time.Duration) float64 {
	v := float64(bps)/1e6 - q.RebufferPenalty*rebuffer.Seconds()
	if prev >= 0 {
		v -= q.SwitchPenalty * math.Abs(float64(bps-prev)) / 1e6
	}
	return v
}
