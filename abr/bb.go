package abr

import (
	"math"
	"time"
)

// BB defaults (Pensieve's BB).
const (
	DefaultReservoir = 5 * time.Second
	DefaultCushion   = 10 * time.Second
)

// BB is the buffer-based algorithm BBA-0 (Huang et al., SIGCOMM 2014): the
// lowest level while the buffer is below the reservoir, the top level once
// it is above reservoir+cushion, and in between a level that grows linearly
// with the buffer: floor((levels-1) * (buffer-reservoir) / cushion). This
// level-linear map is the one of the Pensieve reference code.
type BB struct {
	Reservoir time.Duration // defaults to DefaultReservoir
	Cushion   time.Duration // defaults to DefaultCushion
}

var _ Algorithm = (*BB)(nil)

// NewBB returns BB with a 5 s reservoir and a 10 s cushion.
func NewBB() *BB { return &BB{Reservoir: DefaultReservoir, Cushion: DefaultCushion} }

// Name returns "bb".
func (*BB) Name() string { return "bb" }

// Choose maps the buffer level to a level.
func (b *BB) Choose(s *State) int {
	n := len(s.Bitrates)
	if n == 0 {
		return 0
	}
	r, c := b.Reservoir, b.Cushion
	if r <= 0 {
		r = DefaultReservoir
	}
	if c <= 0 {
		c = DefaultCushion
	}
	buf := s.Buffer.Seconds()
	switch {
	case buf < r.Seconds():
		return 0
	case buf >= r.Seconds()+c.Seconds():
		return n - 1
	}
	return clampLevel(s.Bitrates, int(math.Floor(float64(n-1)*(buf-r.Seconds())/c.Seconds())))
}
