package player

import (
	"time"

	"github.com/abrkit/abrkit/player/steering"
	"github.com/abrkit/abrkit/player/transport"
)

// probe starts start-up probing once, when configured and the selector
// can probe: a small fetch to each top-ranked server, holding media
// requests until every probe answered or ProbeTimeout passed. It ends
// probing when that happens.
func (c *Core) probe(now time.Duration, out []Action) []Action {
	if c.probing {
		if now >= c.probeEnd || c.slotOf(transport.KindProbe, -1) < 0 {
			c.endProbing(now)
		}
		return out
	}
	if c.probed || c.cfg.ProbeEdges <= 0 {
		return out
	}
	c.probed = true
	pr, ok := c.sel.(steering.Prober)
	uri := c.probeURI()
	if !ok || uri == "" {
		return out
	}
	for _, p := range pr.Probes(now, uri) {
		out, _ = c.issue(now, request{kind: transport.KindProbe, track: -1, server: p.ServerID, url: p.URL}, 0, 0, out)
	}
	if c.slotOf(transport.KindProbe, -1) >= 0 {
		c.probing, c.probeEnd = true, now+c.cfg.ProbeTimeout
	}
	return out
}

// endProbing cancels the probes still in flight and starts on the
// selector's choice (made at its deadline, or when every probe reported).
func (c *Core) endProbing(now time.Duration) {
	c.probing = false
	for i := range c.reqs {
		if c.reqs[i].id != 0 && c.reqs[i].kind == transport.KindProbe {
			c.cancel(i)
		}
	}
	c.moveServer(now, true)
}

// probeURI is a small resource of the lowest video rendition: its init
// segment, else its media playlist, else its first segment.
func (c *Core) probeURI() string {
	t := &c.tracks[c.abrTrack]
	if len(t.ladder) == 0 {
		return ""
	}
	li := t.ladder[0]
	if l := &t.levels[li]; l.init != nil && l.init.Range == nil {
		return l.abs(l.init.URI)
	}
	r := &c.pres.Periods[t.period].Sets[t.set].Renditions[li]
	if r.PlaylistURI != "" {
		return r.PlaylistURI
	}
	if l := &t.levels[li]; len(l.segs) > 0 && l.segs[0].Range == nil {
		return l.abs(l.segs[0].URI)
	}
	return ""
}

func (c *Core) onProbe(now time.Duration, r *request, o *Outcome) {
	pr, ok := c.sel.(steering.Prober)
	if !ok {
		return
	}
	_ = pr.ProbeDone(now, r.server, steeringOutcome(o)) // the server came from the selector: never unknown
}
