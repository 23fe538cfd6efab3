package player

import (
	"errors"

	"time"

	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/player/steering"
	"github.com/abrkit/abrkit/player/transport"
)

func (c *Core) fetchManifest(now time.Duration, out []Action) []Action {
	r := request{kind: transport.KindManifest, track: -1, url: c.uri}
	if c.sel != nil {
		r.server, r.url = c.route(now, c.uri)
	}
	out, i := c.issue(now, r, 0, 0, out)
	if i >= 0 {
		c.manifestDue = Never
	}
	return out
}

func (c *Core) onManifest(now time.Duration, r *request, o *Outcome) {
	if !o.ok() {
		err := c.failure(r, o)
		c.manifestFails++
		// an oversized manifest will not shrink on a retry
		if c.pres == nil && (c.manifestFails > c.cfg.MaxRetries || errors.Is(o.Err, ErrTooLarge)) {
			c.fail(err)
			return
		}
		c.emit(Event{Kind: EventError, Err: err, Category: err.Category})
		c.manifestDue = now + backoff(c.manifestFails)
		return
	}
	c.manifestFails = 0
	p := o.Presentation
	if p == nil {
		var opts []manifest.Option
		if !c.cfg.Epoch.IsZero() {
			opts = append(opts, manifest.WithNow(c.cfg.Epoch.Add(now)))
		}
		var err error
		p, err = manifest.Parse(o.Body, r.url, opts...)
		if err != nil {
			c.qoe.Errors++
			if c.pres == nil {
				c.fail(&PlaybackError{Category: ErrManifest, URL: r.url, Err: err})
			} else {
				c.emit(Event{Kind: EventError, Category: ErrManifest, Err: err})
				c.manifestDue = now + backoff(1)
			}
			return
		}
	}
	if c.pres == nil {
		c.setup(now, p)
		return
	}
	c.update(now, p)
	if c.timing && c.pres == p {
		c.timing = false // the MPD reloaded after a clock correction
		t := &c.tracks[c.abrTrack]
		if !c.posKnown && len(t.ladder) > 0 {
			if l := &t.levels[t.ladder[0]]; l.loaded && len(l.segs) > 0 {
				c.decideStart(now, c.abrTrack, l)
			}
		}
	}
}

// setup starts a session on presentation p.
func (c *Core) setup(now time.Duration, p *manifest.Presentation) {
	c.pres = p
	c.manifestAt = now
	c.live = p.Live
	if len(p.Periods) == 0 {
		c.fail(&PlaybackError{Category: ErrManifest, URL: p.URI, Err: ErrNoPlayable})
		return
	}
	if c.cfg.NewSelector != nil {
		sel, err := c.cfg.NewSelector(now, p)
		if err != nil {
			c.emit(Event{Kind: EventError, Category: ErrSteering, Err: err})
		} else {
			c.sel = sel
		}
	} else if len(c.cfg.Edges) > 0 || p.Steering != nil || multiServer(p) {
		probes := c.cfg.ProbeEdges
		if probes <= 0 {
			probes = -1 // steering's zero means its default count
		}
		m, err := steering.New(steering.Config{Edges: c.cfg.Edges, Presentation: p, ProbeCount: probes, ProbeTimeout: c.cfg.ProbeTimeout}, now)
		switch {
		case err == nil:
			c.sel = m
		case !errors.Is(err, steering.ErrNoServers):
			c.emit(Event{Kind: EventError, Category: ErrSteering, Err: err})
		}
	}
	if c.sel != nil {
		cur := c.sel.Current(now)
		c.server, c.pathway = cur.ID, cur.VariantPathway
	}
	pd := &p.Periods[0]
	video, audio := -1, -1
	for i := range pd.Sets {
		if pd.Sets[i].Type == manifest.Video && video < 0 && hasPlayable(&pd.Sets[i]) {
			video = i
		}
	}
	audio = c.preferredAudio(pd, c.audioSet(pd, video))
	if video < 0 && audio < 0 {
		c.fail(&PlaybackError{Category: ErrManifest, URL: p.URI, Err: ErrNoPlayable})
		return
	}
	c.abrTrack = 0
	if video >= 0 {
		c.bind(now, 0, 0, video)
	} else {
		c.abrTrack = 1
	}
	if audio >= 0 {
		c.bind(now, 1, 0, audio)
	}
	if p.Live && p.Format == manifest.FormatDASH && (p.MinUpdatePeriod > 0 || c.segmentsListed()) {
		c.manifestDue = now + c.mpdPeriod()
	}
	if c.sel != nil {
		if t := &c.tracks[c.abrTrack]; len(t.bitrates) > 0 {
			c.sel.SetMinThroughput(float64(t.bitrates[0]))
		}
	}
	c.state = StateBuffering
	c.emit(Event{Kind: EventManifestLoaded, Server: c.server})
	// VOD lists known up front: the start position is known too.
	t := &c.tracks[c.abrTrack]
	if len(t.ladder) > 0 {
		if l := &t.levels[t.ladder[0]]; l.loaded && (p.Format == manifest.FormatDASH || l.endList) {
			c.decideStart(now, c.abrTrack, l)
		}
	}
}

func hasPlayable(s *manifest.AdaptationSet) bool {
	for i := range s.Renditions {
		if !s.Renditions[i].IFrameOnly {
			return true
		}
	}
	return false
}

// audioSet picks a separate audio set: DASH the first audio set, HLS the
// group of the first video variant when its renditions have URIs.
func (c *Core) audioSet(pd *manifest.Period, video int) int {
	group := ""
	if video >= 0 && len(pd.Sets[video].Renditions) > 0 {
		group = pd.Sets[video].Renditions[0].AudioGroup
	}
	for i := range pd.Sets {
		s := &pd.Sets[i]
		if s.Type != manifest.Audio || len(s.Renditions) == 0 {
			continue
		}
		if c.pres.Format == manifest.FormatDASH {
			return i
		}
		if (group == "" || s.GroupID == group) && s.Renditions[0].PlaylistURI != "" {
			return i
		}
	}
	return -1
}

// multiServer reports whether the presentation offers more than one
// server (HLS pathways, DASH BaseURLs).
func multiServer(p *manifest.Presentation) bool {
	for _, pd := range p.Periods {
		for _, s := range pd.Sets {
			for _, r := range s.Renditions {
				if r.PathwayID != "" || len(r.BaseURLs) > 1 {
					return true
				}
			}
		}
	}
	return false
}

// update applies a refreshed (DASH live) presentation.
func (c *Core) update(now time.Duration, p *manifest.Presentation) {
	c.pres = p
	c.manifestAt = now
	c.live = p.Live
	if p.Live && (p.MinUpdatePeriod > 0 || c.segmentsListed()) {
		c.manifestDue = now + c.mpdPeriod()
	}
	for ti := range c.tracks {
		t := &c.tracks[ti]
		if !t.active {
			continue
		}
		if t.period >= len(p.Periods) || t.set >= len(p.Periods[t.period].Sets) ||
			len(p.Periods[t.period].Sets[t.set].Renditions) != len(t.levels) {
			continue
		}
		set := &p.Periods[t.period].Sets[t.set]
		for i := range t.levels {
			l := &t.levels[i]
			if l.dynamic {
				continue
			}
			l.segs, l.loadedAt, l.endList = set.Renditions[i].Segments, now, !p.Live
			l.offset = p.Periods[t.period].Start
		}
	}
}

// route picks the server for uri and maps uri onto it.
func (c *Core) route(now time.Duration, uri string) (server, url string) {
	if c.sel == nil {
		return "", uri
	}
	c.checkServer(now)
	return c.server, c.sel.Resolve(uri)
}

// report feeds the outcome of a request to the selector.
func (c *Core) report(now time.Duration, r *request, o *Outcome) {
	if c.sel == nil || r.server == "" {
		return
	}
	_ = c.sel.Report(now, r.server, steeringOutcome(o))
	c.checkServer(now)
}

// steeringOutcome is o as the selector sees it: a 5xx is a server failure.
func steeringOutcome(o *Outcome) steering.Outcome {
	so := steering.Outcome{Err: o.Err, Status: o.Status, Bytes: o.Bytes, TTFB: o.TTFB, Duration: o.Duration}
	if o.Err == nil && o.Status/100 == 5 {
		so.Err = ErrStatus
	}
	return so
}

// checkServer notices a change of server and announces it.
func (c *Core) checkServer(now time.Duration) { c.moveServer(now, false) }

// moveServer follows the selector's current server. probed marks the end
// of start-up probing: its choice is where the session starts, announced
// with reason "probe" but not counted as a change.
func (c *Core) moveServer(now time.Duration, probed bool) {
	cur := c.sel.Current(now)
	if cur.ID == c.server {
		return
	}
	from := c.server
	c.server = cur.ID
	reason := "steering"
	if sw, ok := c.sel.LastSwitch(); ok && sw.To == cur.ID {
		reason = sw.Reason.String()
	}
	if probed {
		reason = steering.ReasonProbe.String()
	} else if from != "" {
		c.qoe.ServerChanges++
	}
	c.emit(Event{Kind: EventServerChange, FromServer: from, Server: cur.ID, Reason: reason})
	if cur.VariantPathway != c.pathway {
		c.pathway = cur.VariantPathway
		if c.tracks[0].active {
			c.buildLadder(0)
		}
	}
}

// steer issues the steering manifest reload when due.
func (c *Core) steer(now time.Duration, out []Action) []Action {
	c.steerAt = Never
	if c.slotOf(transport.KindSteering, -1) >= 0 {
		return out
	}
	r, ok := c.sel.NextReload(now)
	if !ok {
		return out
	}
	if !r.Due {
		c.steerAt = r.At
		return out
	}
	out, _ = c.issue(now, request{kind: transport.KindSteering, track: -1, url: r.URI}, 0, 0, out)
	return out
}

func (c *Core) onSteering(now time.Duration, r *request, o *Outcome) {
	if c.sel == nil {
		return
	}
	resp := steering.ReloadResponse{Err: o.Err, Status: o.Status, RetryAfter: o.RetryAfter, Body: o.Body}
	if resp.Status == 0 && resp.Err == nil {
		resp.Status = 200
	}
	if err := c.sel.ReloadDone(now, resp); err != nil || !o.ok() {
		c.qoe.Errors++
		if err == nil {
			err = &PlaybackError{Category: ErrSteering, URL: r.url, Status: o.Status, Err: o.Err}
		}
		c.emit(Event{Kind: EventError, Category: ErrSteering, Err: err})
	}
	c.checkServer(now)
}
