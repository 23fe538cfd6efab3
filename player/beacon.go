package player

import "time"

// beacons appends the start, periodic and end beacons that are due.
func (c *Core) beacons(now time.Duration, out []Action) []Action {
	if c.cfg.BeaconInterval < 0 || c.beaconFinal {
		return out
	}
	if c.started && !c.beaconStart {
		c.beaconStart = true
		out = append(out, Action{Op: OpBeacon, Beacon: BeaconStart})
	}
	if c.state == StateEnded {
		return c.finalBeacon(BeaconEnd, out)
	}
	if now >= c.beaconAt {
		out = append(out, Action{Op: OpBeacon, Beacon: BeaconPeriodic})
		// one beacon however late the poll: no burst after a long gap
		c.beaconAt = max(c.beaconAt+c.cfg.BeaconInterval, now+1)
	}
	return out
}

// finalBeacon appends the session's last beacon, once.
func (c *Core) finalBeacon(k BeaconKind, out []Action) []Action {
	if c.cfg.BeaconInterval < 0 || c.beaconFinal || c.state == StateIdle {
		return out
	}
	c.beaconFinal, c.beaconAt = true, Never
	return append(out, Action{Op: OpBeacon, Beacon: k})
}

// End ends the session at now, as when the viewer or the app stops
// watching: it appends to out a cancel for every fetch in flight and the
// final beacon (BeaconEnd, unless the session already sent its end or
// error beacon). Afterwards time stands still for the core: Poll returns
// nothing and QoE reports the account at now. Calling End again appends
// nothing.
func (c *Core) End(now time.Duration, out []Action) []Action {
	c.advance(now)
	if c.stopped {
		return out
	}
	for i := 0; i < c.nCancel; i++ {
		out = append(out, Action{Op: OpCancel, ID: c.cancels[i]})
	}
	c.nCancel = 0
	for i := range c.reqs {
		if c.reqs[i].id != 0 {
			out = append(out, Action{Op: OpCancel, ID: c.reqs[i].id})
			c.reqs[i] = request{}
		}
	}
	kind := BeaconEnd
	if c.state == StateFailed {
		kind = BeaconError
	}
	if c.cfg.BeaconInterval >= 0 && c.started && !c.beaconStart && !c.beaconFinal {
		c.beaconStart = true // due but not polled yet: it goes first
		out = append(out, Action{Op: OpBeacon, Beacon: BeaconStart})
	}
	out = c.finalBeacon(kind, out)
	c.stopped = true
	return out
}
