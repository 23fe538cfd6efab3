package player

import (
	"errors"

	"github.com/abrkit/abrkit/abr"
	"github.com/abrkit/abrkit/player/manifest"
)

// Constraints bound the video levels the ABR may choose: what the device
// can decode and show, or a data-saving choice. Every ABR algorithm works
// inside them: it is handed only the rungs of the ladder that satisfy
// them. A zero field sets no bound.
//
// When the bounds contradict each other or no rung satisfies them, the
// maximum bounds (device capability) win: the highest rung that fits
// them is used, else the lowest rung.
type Constraints struct {
	MinBitrate int `json:"min_bitrate,omitempty"` // bits/s
	MaxBitrate int `json:"max_bitrate,omitempty"` // bits/s (the same cap as WithMaxBitrate)
	MaxWidth   int `json:"max_width,omitempty"`   // pixels; renditions of unknown width fit
	MaxHeight  int `json:"max_height,omitempty"`  // pixels; renditions of unknown height fit
}

// ErrBadLevel is returned by Player.SetLevel for a level outside the ladder.
var ErrBadLevel = errors.New("player: no such level")

// Level is one rung of the video ladder, as Player.Levels lists it.
type Level struct {
	Index   int    `json:"index"`            // rung: 0 is the lowest bitrate; what SetLevel and events name
	Bitrate int    `json:"bitrate"`          // declared bandwidth, bits/s
	Width   int    `json:"width,omitempty"`  // pixels; 0 when not given
	Height  int    `json:"height,omitempty"` // pixels; 0 when not given
	Codecs  string `json:"codecs,omitempty"` // RFC 6381
	// Allowed reports whether the ABR may choose it under the constraints.
	Allowed bool `json:"allowed"`
}

// choices is what the user asked of a core: quality control and the audio
// track. Its zero value is automatic quality with no constraints and the
// default audio track.
type choices struct {
	cons  Constraints // MinBitrate, MaxWidth, MaxHeight; MaxBitrate lives in CoreConfig.MaxBitrate
	fixed bool        // hold level for the whole session
	level int

	lo     int                                  // first rung of the window of the current decision
	hist   [historyLen]abr.Chunk                // History renumbered into the window
	sizeFn func(index, level int) (int64, bool) // c.windowSize, bound once

	audioLang    string // preferred audio language at start-up
	audioPending bool   // a SelectAudio waits for the next segment boundary
	audioSet     int    // the set it chose, in the audio track's period
}

// SetConstraints replaces the video constraints from the next segment
// decision on (c.MaxBitrate replaces CoreConfig.MaxBitrate).
func (c *Core) SetConstraints(cons Constraints) {
	c.cfg.MaxBitrate = cons.MaxBitrate
	cons.MaxBitrate = 0
	c.user.cons = cons
}

// Constraints returns the video constraints in force.
func (c *Core) Constraints() Constraints {
	cons := c.user.cons
	cons.MaxBitrate = c.cfg.MaxBitrate
	return cons
}

// SetLevel fixes the video level (a rung of Levels, clamped to the
// ladder) from the next segment decision to the end of the session or
// the next SetAutoLevel. The ABR and download abandonment are bypassed
// and constraints do not apply: the level is used as given.
func (c *Core) SetLevel(level int) { c.user.fixed, c.user.level = true, max(level, 0) }

// SetAutoLevel returns level choice to the ABR (the default).
func (c *Core) SetAutoLevel() { c.user.fixed = false }

// FixedLevel returns the fixed level and true, or false when the ABR
// chooses.
func (c *Core) FixedLevel() (int, bool) { return c.user.level, c.user.fixed }

// Levels lists the video ladder (nil before the presentation is known or
// without video).
func (c *Core) Levels() []Level {
	t := &c.tracks[0]
	if c.pres == nil || !t.active || t.kind != TrackVideo {
		return nil
	}
	set := &c.pres.Periods[t.period].Sets[t.set]
	lo, hi := c.window(t)
	out := make([]Level, len(t.ladder))
	for i, li := range t.ladder {
		r := &set.Renditions[li]
		out[i] = Level{Index: i, Bitrate: r.Bandwidth, Width: r.Width, Height: r.Height, Codecs: r.Codecs,
			Allowed: i >= lo && i <= hi}
	}
	return out
}

// fixedRung returns the rung to hold when the user fixed the level of the
// ABR track.
func (c *Core) fixedRung(ti int) (int, bool) {
	if !c.user.fixed || ti != c.abrTrack || len(c.tracks[ti].ladder) == 0 {
		return 0, false
	}
	return min(c.user.level, len(c.tracks[ti].ladder)-1), true
}

// fitsMax reports whether r is within the maximum constraints.
func (c *Core) fitsMax(r *manifest.Rendition) bool {
	u := &c.user.cons
	switch {
	case c.cfg.MaxBitrate > 0 && r.Bandwidth > c.cfg.MaxBitrate:
		return false
	case u.MaxWidth > 0 && r.Width > u.MaxWidth:
		return false
	case u.MaxHeight > 0 && r.Height > u.MaxHeight:
		return false
	}
	return true
}

// window returns the rungs [lo, hi] of t the ABR may choose: from the
// lowest rung at or above the minimum bitrate up to the last rung that
// fits the maximum bounds. Audio tracks are not constrained.
func (c *Core) window(t *track) (lo, hi int) {
	n := len(t.ladder)
	if n == 0 || t.kind != TrackVideo {
		return 0, n - 1
	}
	set := &c.pres.Periods[t.period].Sets[t.set]
	fits := func(i int) bool { return c.fitsMax(&set.Renditions[t.ladder[i]]) }
	if m := c.user.cons.MinBitrate; m > 0 {
		lo = n - 1
		for i, b := range t.bitrates {
			if b >= m {
				lo = i
				break
			}
		}
	}
	hi = -1
	for i := lo; i < n && fits(i); i++ {
		hi = i
	}
	if hi < 0 { // the minimum and the maximum bounds conflict: the maximum wins
		hi = 0
		for i := lo - 1; i >= 0; i-- {
			if fits(i) {
				hi = i
				break
			}
		}
		lo = hi
	}
	return lo, hi
}

// chooseInWindow runs the ABR on the rungs of t inside the constraints:
// the algorithm sees that part of the ladder as the whole ladder.
func (c *Core) chooseInWindow(s *abr.State, t *track) int {
	lo, hi := c.window(t)
	if lo == 0 && hi == len(t.ladder)-1 {
		return c.abr.Choose(s)
	}
	c.narrow(s, lo, hi)
	return lo + min(max(c.abr.Choose(s), 0), hi-lo)
}

// abandonInWindow asks ab whether to abandon the download p inside the
// constraints; level is a rung of the whole ladder.
func (c *Core) abandonInWindow(ab abr.Abandoner, s *abr.State, t *track, p abr.Progress) (level int, abandon bool) {
	if c.user.fixed {
		return 0, false // a fixed level holds
	}
	lo, hi := c.window(t)
	if p.Level < lo || p.Level > hi {
		return 0, false
	}
	if lo == 0 && hi == len(t.ladder)-1 {
		return ab.Abandon(s, p)
	}
	c.narrow(s, lo, hi)
	p.Level -= lo
	lvl, ok := ab.Abandon(s, p)
	return lo + min(max(lvl, 0), hi-lo), ok
}

// narrow renumbers s so that rung lo is level 0 and hi the top level.
func (c *Core) narrow(s *abr.State, lo, hi int) {
	top := hi - lo
	s.Bitrates = s.Bitrates[lo : hi+1]
	if s.Last >= 0 {
		s.Last = min(max(s.Last-lo, 0), top)
	}
	h := c.user.hist[:0]
	for _, ch := range s.History {
		ch.Level = min(max(ch.Level-lo, 0), top)
		h = append(h, ch)
	}
	s.History = h
	c.user.lo = lo
	if c.user.sizeFn == nil {
		c.user.sizeFn = c.windowSize
	}
	s.SegmentSize = c.user.sizeFn
}

// windowSize is segmentSize for levels numbered inside the window.
func (c *Core) windowSize(index, level int) (int64, bool) {
	return c.segmentSize(index, level+c.user.lo)
}

// locked runs f on the core under the player's lock and wakes the loop,
// so that a change applies to the next decision.
func (p *Player) locked(f func(c *Core) error) error {
	p.mu.Lock()
	err := f(p.core)
	p.mu.Unlock()
	p.wake()
	return err
}

// SetLevel fixes the video level (a Level.Index of Levels) from the next
// segment on, for the rest of the session or until SetAutoLevel: the ABR
// and download abandonment are bypassed and the constraints do not apply.
// Media already buffered plays out. It returns ErrBadLevel for a level
// outside the ladder (before the presentation is known, only for a
// negative level; a larger one is then clamped to the ladder).
func (p *Player) SetLevel(level int) error {
	return p.locked(func(c *Core) error {
		if level < 0 || (c.Presentation() != nil && level >= len(c.Levels())) {
			return ErrBadLevel
		}
		c.SetLevel(level)
		return nil
	})
}

// SetAutoLevel hands the choice of level back to the ABR, inside the
// constraints.
func (p *Player) SetAutoLevel() {
	_ = p.locked(func(c *Core) error { c.SetAutoLevel(); return nil })
}

// FixedLevel returns the fixed level and true, or false while the ABR
// chooses.
func (p *Player) FixedLevel() (level int, fixed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.core.FixedLevel()
}

// SetConstraints replaces the video constraints (MaxBitrate included, as
// SetMaxBitrate) from the next segment decision on. Negative fields are
// rejected with an *OptionError.
func (p *Player) SetConstraints(cons Constraints) error {
	if cons.MinBitrate < 0 || cons.MaxBitrate < 0 || cons.MaxWidth < 0 || cons.MaxHeight < 0 {
		return &OptionError{"SetConstraints", cons, "fields must be >= 0 (0: no bound)"}
	}
	return p.locked(func(c *Core) error { c.SetConstraints(cons); return nil })
}

// Constraints returns the video constraints in force.
func (p *Player) Constraints() Constraints {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.core.Constraints()
}

// Levels lists the video ladder, lowest bitrate first, with which levels
// the constraints allow (nil before Load returns, and without video).
func (p *Player) Levels() []Level {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.core.Levels()
}
