package player

import (
	"errors"
	"fmt"
	"time"

	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/player/transport"
)

// DefaultStartupTimeout is how long a Player waits for the first frame
// before the session fails (WithStartupTimeout).
const DefaultStartupTimeout = 20 * time.Second

// ErrStartupTimeout is wrapped by the fatal error of a session whose
// first frame did not come within the start-up time-out.
var ErrStartupTimeout = errors.New("player: playback did not start")

// resyncThreshold is the clock correction above which a DASH live MPD
// parsed with the uncorrected clock is loaded again.
const resyncThreshold = time.Second

// checkStartup fails a session that has not started within the
// start-up time-out (only while it wants to play).
func (c *Core) checkStartup(now time.Duration) {
	d := c.cfg.StartupTimeout
	if d <= 0 || c.started || !c.wantPlay || c.state == StateFailed || c.state == StateEnded || c.stopped {
		return
	}
	if now-c.loadAt < d {
		return
	}
	why := "no manifest"
	if c.pres != nil {
		why = "no segment available"
		t := &c.tracks[c.abrTrack]
		for _, li := range t.ladder {
			if len(t.levels[li].segs) > 0 {
				why = "no media buffered"
			}
		}
	}
	c.fail(&PlaybackError{Category: ErrMedia, URL: c.uri,
		Err: fmt.Errorf("%w within %v (%s)", ErrStartupTimeout, d, why)})
}

// startupDue is when checkStartup must run (Never when it need not).
func (c *Core) startupDue() time.Duration {
	if c.cfg.StartupTimeout <= 0 || c.started || !c.wantPlay || c.state == StateFailed {
		return Never
	}
	return c.loadAt + c.cfg.StartupTimeout
}

// startTiming picks the clock of a DASH live presentation from its
// UTCTiming elements in order: direct sets it at once, http-xsdate and
// http-iso ask the time source named (the presentation's own; no other
// server is ever asked) and hold media requests until it answers, none
// or nothing known keeps the local clock. Without an Epoch the core has
// no wall clock to correct and nothing happens.
func (c *Core) startTiming(now time.Duration, out []Action) []Action {
	p := c.pres
	if c.timed || c.cfg.Epoch.IsZero() || p == nil || !p.Live || p.Format != manifest.FormatDASH {
		return out
	}
	c.timed = true
	for _, ut := range p.UTCTiming {
		switch ut.Scheme {
		case manifest.TimingDirect:
			if t, err := manifest.ParseTime([]byte(ut.Value)); err == nil {
				c.setClock(now, t.Add(-now))
				return out
			}
		case manifest.TimingHTTPXSDate, manifest.TimingHTTPISO:
			var slot int
			r := request{kind: transport.KindManifest, track: -1, timing: true, url: ut.Value}
			out, slot = c.issue(now, r, 0, 0, out)
			c.timing = slot >= 0
			return out
		case manifest.TimingNone:
			return out
		}
	}
	return out
}

// onTiming reads the time source's answer; on failure the local clock stays.
func (c *Core) onTiming(now time.Duration, r *request, o *Outcome) {
	c.timing = false
	if !o.ok() {
		err := c.failure(r, o)
		c.emit(Event{Kind: EventError, Err: err, Category: err.Category})
		return
	}
	t, err := manifest.ParseTime(o.Body)
	if err != nil {
		c.qoe.Errors++
		c.emit(Event{Kind: EventError, Category: ErrManifest, Err: &PlaybackError{Category: ErrManifest, URL: r.url, Err: err}})
		return
	}
	// the answer was written about half-way through the request
	c.setClock(now, t.Add(-(r.startedAt + (now-r.startedAt)/2)))
}

// setClock corrects the wall clock to epoch and moves the live windows
// that were computed with the old one.
func (c *Core) setClock(now time.Duration, epoch time.Time) {
	delta := epoch.Sub(c.cfg.Epoch)
	c.cfg.Epoch = epoch
	if delta > -resyncThreshold/10 && delta < resyncThreshold/10 {
		return
	}
	listed := false
	for ti := range c.tracks {
		t := &c.tracks[ti]
		if !t.active {
			continue
		}
		set := &c.pres.Periods[t.period].Sets[t.set]
		for i := range t.levels {
			if l := &t.levels[i]; l.dynamic {
				l.segs, l.loaded, l.loadedAt = c.liveWindow(now, &set.Renditions[i], l), true, now
			} else {
				listed = true
			}
		}
	}
	reload := listed && (delta >= resyncThreshold || delta <= -resyncThreshold)
	if reload {
		// the MPD was read with the wrong clock: media waits for it again
		c.timing = true
		if c.slotOf(transport.KindManifest, -1) < 0 {
			c.manifestDue = now
		}
	}
	if !c.started && c.tracks[0].empty && c.tracks[1].empty {
		c.posKnown = false
		if reload {
			return // decided on the reloaded MPD
		}
		t := &c.tracks[c.abrTrack]
		if len(t.ladder) > 0 {
			if l := &t.levels[t.ladder[0]]; l.loaded && len(l.segs) > 0 {
				c.decideStart(now, c.abrTrack, l)
			}
		}
	}
}

// defaultMPDPeriod is how often a dynamic MPD that lists its segments but
// gives no minimumUpdatePeriod is loaded again.
const defaultMPDPeriod = 2 * time.Second

// mpdPeriod is the refresh period of a live MPD.
func (c *Core) mpdPeriod() time.Duration {
	if c.pres != nil && c.pres.MinUpdatePeriod > 0 {
		return c.pres.MinUpdatePeriod
	}
	return defaultMPDPeriod
}

// segmentsListed reports whether an active track has a level whose segments the
// MPD lists (a timeline or list, not a template computed from the clock).
func (c *Core) segmentsListed() bool {
	for ti := range c.tracks {
		t := &c.tracks[ti]
		for i := range t.levels {
			if t.active && !t.levels[i].dynamic {
				return true
			}
		}
	}
	return false
}

// Live latency is accounted in bins of latencyBin up to latencyBins bins
// (the last is open), weighted by play time: a few kilobytes, and only
// for live sessions with a wall clock.
const (
	latencyBin  = 100 * time.Millisecond
	latencyBins = 600
)

// latencyStats is the play-time-weighted distribution of live latency.
type latencyStats struct {
	played time.Duration // play time with a known latency
	sum    float64       // latency seconds x play seconds
	bins   []uint32      // play milliseconds per bin
}

func (s *latencyStats) add(lat, d time.Duration) {
	if d <= 0 {
		return
	}
	if s.bins == nil {
		s.bins = make([]uint32, latencyBins)
	}
	i := min(max(int(lat/latencyBin), 0), latencyBins-1)
	s.bins[i] += uint32(d.Milliseconds())
	s.played += d
	s.sum += lat.Seconds() * d.Seconds()
}

// mean and quantile q (0-1) in seconds; ok false before any sample.
func (s *latencyStats) summary(q float64) (mean, quant float64, ok bool) {
	if s.played <= 0 {
		return 0, 0, false
	}
	var total uint64
	for _, b := range s.bins {
		total += uint64(b)
	}
	need := uint64(q * float64(total))
	var acc uint64
	quant = float64(latencyBins) * latencyBin.Seconds()
	for i, b := range s.bins {
		acc += uint64(b)
		if acc >= need && b > 0 {
			quant = float64(i+1) * latencyBin.Seconds() // the bin's upper edge
			break
		}
	}
	return s.sum / s.played.Seconds(), quant, true
}

// latencyAt is the live latency of the frame at pos played at core time
// now: the wall clock minus the time the frame was captured (DASH: the
// availabilityStartTime plus its presentation time; HLS: its
// EXT-X-PROGRAM-DATE-TIME). ok is false without a wall clock or times.
func (c *Core) latencyAt(now, pos time.Duration) (time.Duration, bool) {
	if !c.live || c.cfg.Epoch.IsZero() || c.pres == nil {
		return 0, false
	}
	wall := c.cfg.Epoch.Add(now)
	if c.pres.Format == manifest.FormatDASH {
		if c.pres.AvailabilityStart.IsZero() {
			return 0, false
		}
		return wall.Sub(c.pres.AvailabilityStart.Add(pos)), true
	}
	t := &c.tracks[c.abrTrack]
	if t.rung < 0 || t.rung >= len(t.ladder) {
		return 0, false
	}
	l := &t.levels[t.ladder[t.rung]]
	if len(l.segs) == 0 {
		return 0, false
	}
	i := min(t.find(l, pos, true), len(l.segs)-1)
	s := &l.segs[i]
	if s.ProgramDateTime.IsZero() {
		return 0, false
	}
	return wall.Sub(s.ProgramDateTime.Add(pos - l.offset - s.Start)), true
}
