package abr

import "time"

// Dynamic defaults (dash.js).
const (
	DefaultSwitchOn            = 12 * time.Second // BOLA from this buffer level...
	DefaultSwitchOff           = 6 * time.Second  // ...back to throughput below this one
	DefaultInsufficientSafety  = 0.5              // InsufficientBufferRule
	DefaultSwitchHistorySample = 6                // SwitchHistoryRule
	DefaultSwitchHistoryRatio  = 0.075
	DefaultSwitchHistoryDepth  = 8 // requests remembered
)

// Dynamic is dash.js's DYNAMIC strategy: the throughput rule while the
// buffer is low and BOLA once it is above SwitchOn (back below SwitchOff),
// capped by the insufficient-buffer rule (what 0.5 x estimate can fetch
// within the buffer) and the switch-history rule (stay below a level that
// was left downwards too often).
type Dynamic struct {
	SwitchOn  time.Duration // defaults to DefaultSwitchOn
	SwitchOff time.Duration // defaults to DefaultSwitchOff

	bola    *BOLA
	thr     *Throughput
	useBola bool
	history [][2]int // recent (from, to) switch requests
}

var (
	_ Algorithm = (*Dynamic)(nil)
	_ Abandoner = (*Dynamic)(nil)
)

// NewDynamic returns dash.js's DYNAMIC strategy with its defaults.
func NewDynamic() *Dynamic {
	return &Dynamic{SwitchOn: DefaultSwitchOn, SwitchOff: DefaultSwitchOff, bola: NewBOLA(), thr: NewThroughput()}
}

// Name returns "dynamic".
func (*Dynamic) Name() string { return "dynamic" }

// Choose picks throughput or BOLA by buffer level, then applies the guards.
func (d *Dynamic) Choose(s *State) int {
	n := len(s.Bitrates)
	if n == 0 {
		return 0
	}
	if d.bola == nil {
		d.bola, d.thr = NewBOLA(), NewThroughput()
	}
	on, off := d.SwitchOn, d.SwitchOff
	if on <= 0 {
		on = DefaultSwitchOn
	}
	if off <= 0 {
		off = DefaultSwitchOff
	}
	if d.useBola && s.Buffer < off {
		d.useBola = false
	} else if !d.useBola && s.Buffer >= on {
		d.useBola = true
	}
	qb := d.bola.Choose(s) // keep BOLA's state current either way
	q := d.thr.Choose(s)
	if d.useBola {
		q = qb
	}
	// InsufficientBufferRule.
	if est, ok := s.estimate(); ok {
		if s.Buffer <= 0 && !s.Startup {
			q = 0
		} else if !s.Startup && len(s.History) > 0 {
			capBps := est * DefaultInsufficientSafety * s.Buffer.Seconds() / s.segDur()
			q = min(q, levelBelow(s.Bitrates, capBps))
		}
	}
	// SwitchHistoryRule.
	drops, noDrops := make([]int, n), make([]int, n)
	for _, h := range d.history {
		if h[0] >= n {
			continue
		}
		if h[1] < h[0] {
			drops[h[0]]++
		} else {
			noDrops[h[0]]++
		}
	}
	for i := range n {
		if drops[i]+noDrops[i] >= DefaultSwitchHistorySample &&
			float64(drops[i]) > DefaultSwitchHistoryRatio*float64(noDrops[i]) {
			q = min(q, max(i-1, 0))
			break
		}
	}
	if s.Last >= 0 && s.Last < n {
		d.history = append(d.history, [2]int{s.Last, q})
		if len(d.history) > DefaultSwitchHistoryDepth {
			d.history = d.history[1:]
		}
	}
	return clampLevel(s.Bitrates, q)
}

// Abandon gives up a download that would outlast the buffer.
func (*Dynamic) Abandon(s *State, p Progress) (int, bool) { return abandonForStall(s, p) }
