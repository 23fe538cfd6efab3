package player

import (
	"time"

	"github.com/abrkit/abrkit/player/manifest"
)

// advance moves the playhead from the last step to now: playback time,
// stalls, the end of the presentation, rendition switches at the playhead.
func (c *Core) advance(now time.Duration) {
	if now < c.last {
		panic("player: time ran backwards")
	}
	if c.stopped {
		c.last = now // the session is over: nothing plays or stalls
		return
	}
	dt := now - c.last
	switch c.state {
	case StatePlaying:
		lat, latOK := c.latencyAt(c.last, c.pos)
		from := c.pos
		c.play(min(c.mediaOf(dt), c.ahead())) // moves c.last along with the playhead
		if latOK {
			c.lat.add(lat, c.pos-from)
		}
		if c.ahead() <= 0 {
			if c.allEnded() {
				c.state = StateEnded
				c.qoe.Ended = true
				c.emit(Event{Kind: EventEnded})
			} else {
				c.state = StateStalled
				c.stallAt = c.last
				c.starved = true
				c.qoe.Stalls++
				c.emit(Event{Kind: EventStallStart})
			}
		}
		if c.state == StateStalled {
			c.qoe.StallTime += now - c.last
		}
	case StateStalled:
		c.qoe.StallTime += dt
	}
	c.last = now
	back := c.buf.BackBuffer()
	for i := range c.tracks {
		t := &c.tracks[i]
		if t.active && !t.empty && t.bufStart < c.pos-back {
			t.bufStart = min(c.pos-back, t.bufEnd)
		}
	}
}

// play moves the playhead and the step time by d, crossing rendition
// switch points (their events carry the time they were crossed).
func (c *Core) play(d time.Duration) {
	end := c.pos + d
	c.crossSwitches(c.pos)
	for c.swLen > 0 && c.sw[c.swHead].at <= end {
		sp := c.sw[c.swHead]
		if sp.at > c.pos {
			c.moveTo(sp.at)
		}
		c.applySwitch(sp)
	}
	c.moveTo(end)
}

func (c *Core) moveTo(pos time.Duration) {
	d := pos - c.pos
	c.rateArea += float64(c.playRate) * d.Seconds()
	c.qoe.PlayTime += d
	c.pos = pos
	c.last += c.wallOf(d)
}

// crossSwitches applies switch points at or before pos (start-up, seeks).
func (c *Core) crossSwitches(pos time.Duration) {
	for c.swLen > 0 && c.sw[c.swHead].at <= pos {
		c.applySwitch(c.sw[c.swHead])
	}
}

func (c *Core) applySwitch(sp switchPoint) {
	c.swHead = (c.swHead + 1) % len(c.sw)
	c.swLen--
	lvl, rate := int(sp.level), int(sp.bitrate)
	if lvl == c.playLevel {
		return
	}
	if c.playLevel >= 0 {
		c.qoe.Switches++
		if rate > c.playRate {
			c.qoe.SwitchesUp++
		} else {
			c.qoe.SwitchesDown++
		}
		c.emit(Event{Kind: EventRenditionSwitch, Track: c.tracks[c.abrTrack].kind, FromLevel: c.playLevel, Level: lvl,
			FromBitrate: c.playRate, Bitrate: rate, Reason: "abr"})
	}
	c.playLevel, c.playRate = lvl, rate
}

// ahead is the media buffered ahead of the playhead, the minimum over tracks.
func (c *Core) ahead() time.Duration {
	a := Never
	any := false
	for i := range c.tracks {
		t := &c.tracks[i]
		if !t.active {
			continue
		}
		any = true
		if t.empty || t.bufEnd <= c.pos || t.bufStart > c.pos {
			return 0
		}
		a = min(a, t.bufEnd-c.pos)
	}
	if !any {
		return 0
	}
	return a
}

func (c *Core) allEnded() bool {
	any := false
	for i := range c.tracks {
		if c.tracks[i].active {
			any = true
			if !c.tracks[i].ended {
				return false
			}
		}
	}
	return any
}

// tryStart starts playback (first frame), ends a stall or a seek when the
// buffer policy allows.
func (c *Core) tryStart(now time.Duration) {
	if c.state != StateBuffering && c.state != StateStalled {
		return
	}
	a := c.ahead()
	if a <= 0 {
		if c.allEnded() && c.pres != nil {
			c.state = StateEnded
			c.qoe.Ended = true
			c.emit(Event{Kind: EventEnded})
		}
		return
	}
	if !c.buf.ShouldStart(a, c.state == StateStalled, c.allEnded()) && !c.lowLatencyStart(a) {
		return
	}
	if !c.wantPlay {
		c.state = StatePaused
		return
	}
	c.crossSwitches(c.pos)
	if c.state == StateStalled {
		c.endStall(now)
	}
	c.state = StatePlaying
	if !c.started {
		c.started = true
		c.qoe.Started = true
		c.qoe.StartupTime = now - c.loadAt
		c.emit(Event{Kind: EventFirstFrame, Stall: c.qoe.StartupTime, Level: c.playLevel, Bitrate: c.playRate})
	}
	if c.seeking {
		c.seeking = false
		c.emit(Event{Kind: EventSeekDone, Reason: c.seekWhy})
	}
	c.emit(Event{Kind: EventPlaying})
}

// lowLatencyStart reports whether a first start at the live edge of a
// low-latency stream (LL-HLS parts, LL-DASH chunks) may go with a buffers
// ahead: the latency target is often below the start buffer, and
// waiting for it would only add its difference to the latency. Half the
// target is enough there.
func (c *Core) lowLatencyStart(a time.Duration) bool {
	if c.started || c.shifted || !c.live || c.abrTrack < 0 {
		return false
	}
	t := &c.tracks[c.abrTrack]
	if t.rung < 0 || t.rung >= len(t.ladder) {
		return false
	}
	l := &t.levels[t.ladder[t.rung]]
	if !c.lowLatency(l) && l.ato == 0 {
		return false
	}
	return a >= c.liveDelay(l)/2
}

// endStall closes a stall (stall time is already accounted by advance).
func (c *Core) endStall(now time.Duration) {
	if c.state != StateStalled {
		return
	}
	c.state = StateBuffering
	c.emit(Event{Kind: EventStallEnd, Stall: now - c.stallAt})
}

// clamp limits a seek target to the presentation (VOD) or window (live).
func (c *Core) clamp(pos time.Duration) time.Duration {
	pos = max(pos, 0)
	t := &c.tracks[c.abrTrack]
	if t.rung < 0 && len(t.ladder) > 0 {
		t.rung = 0
	}
	if t.rung < 0 {
		return pos
	}
	l := &t.levels[t.ladder[t.rung]]
	if len(l.segs) == 0 {
		return pos
	}
	first := l.offset + l.segs[0].Start
	end := c.edgeLL(l) // LL-HLS: parts are media too
	if c.live && !l.endList {
		end -= c.liveDelay(l) / 2
	} else if c.pres.Duration > 0 && len(c.pres.Periods) > 1 {
		end = c.pres.Duration
	}
	if len(c.pres.Periods) == 1 || c.live {
		pos = max(pos, first)
	}
	return max(min(pos, end-time.Millisecond), 0)
}

// wake is the next time Poll has something to do without a completion.
func (c *Core) wake(now time.Duration) time.Duration {
	w := min(c.manifestDue, c.startupDue())
	if !c.beaconFinal {
		w = min(w, c.beaconAt)
	}
	if c.pres == nil {
		return max(w, now)
	}
	if c.state == StatePlaying {
		a := c.ahead()
		w = min(w, now+c.wallOf(a))
		if c.swLen > 0 && c.sw[c.swHead].at > c.pos {
			w = min(w, now+c.wallOf(c.sw[c.swHead].at-c.pos))
		}
		for i := range c.tracks {
			t := &c.tracks[i]
			if t.active && !t.loading && !t.ended && !t.empty && t.req < 0 {
				w = min(w, now+c.wallOf(max(0, t.bufEnd-c.pos-c.buf.ResumeLevel())))
			}
		}
	}
	for i := range c.tracks {
		t := &c.tracks[i]
		if !t.active {
			continue
		}
		if t.retryAt > now {
			w = min(w, t.retryAt)
		}
		if c.live && t.rung >= 0 && t.plReq < 0 {
			l := &t.levels[t.ladder[t.rung]]
			if l.loaded && !l.endList && (l.dynamic || c.pres.Format != manifest.FormatDASH) {
				w = min(w, max(l.refreshAt(c.lowLatency(l)), now))
			}
		}
	}
	if c.sel != nil && c.steerAt < Never {
		w = min(w, max(c.steerAt, now))
	}
	if c.probing {
		w = min(w, max(c.probeEnd, now))
	}
	return w
}
