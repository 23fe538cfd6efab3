package player

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/abrkit/abrkit/abr"
	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/player/transport"
)

// track is the loading state of one media type.
type track struct {
	kind     Track
	active   bool
	period   int
	set      int          // adaptation set index in the period
	levels   []levelState // per rendition of the set
	ladder   []int        // usable rendition indices, ascending bandwidth
	bitrates []int        // bandwidth of each ladder rung
	rung     int          // ladder index of the last requested segment; -1 before the first
	forced   int          // ladder index forced by an abandonment; -1 none
	// wholeOnly: the server answered 404 for a segment asked for early
	// (availabilityTimeOffset): it has whole segments only
	wholeOnly bool

	empty            bool
	bufStart, bufEnd time.Duration
	next             time.Duration // where to load from while empty
	loading          bool          // hysteresis state of BufferPolicy.ShouldLoad
	ended            bool          // the last segment is buffered
	lastRung         int           // rung of the last buffered segment; -1 none
	segDur           time.Duration // last segment duration seen
	segIndex         int
	segCount         int

	req     int // slot of the in-flight media or init request; -1 none
	plReq   int // slot of the in-flight media playlist request; -1 none
	fails   int
	retryAt time.Duration

	// HLS timeline anchor: segment anchorNum starts at anchorAt.
	anchored  bool
	anchorNum uint64
	anchorAt  time.Duration
}

// levelState is one rendition's segment list as this core sees it.
type levelState struct {
	segs     []manifest.Segment
	init     *manifest.InitSegment
	initKey  string        // the init segment fetched for this rendition ("" none)
	offset   time.Duration // timeline time = offset + Segment.Start
	loaded   bool
	endList  bool
	dynamic  bool          // DASH template window computed from the wall clock
	ato      time.Duration // DASH availabilityTimeOffset of that template
	changed  bool          // the last refresh brought new segments
	target   time.Duration
	holdBack time.Duration // HLS EXT-X-SERVER-CONTROL HOLD-BACK
	loadedAt time.Duration
	ll       llState // LL-HLS parts, hints and server control
	// A playlist parse shared with other players (PlaylistCache) has its
	// URIs under the stand-in directory shared; base is the directory this
	// player fetched it from. Both are "" for the player's own parse.
	shared, base string
}

// abs is uri as this player fetches it.
func (l *levelState) abs(uri string) string {
	if l.shared != "" && strings.HasPrefix(uri, l.shared) {
		return l.base + uri[len(l.shared):]
	}
	return uri
}

func (t *track) reset() {
	kind := t.kind
	*t = track{kind: kind, rung: -1, forced: -1, req: -1, plReq: -1, empty: true, lastRung: -1}
}

func (t *track) flush(pos time.Duration) {
	t.empty, t.next, t.ended, t.lastRung, t.loading = true, pos, false, -1, false
	t.req = -1
}

// find returns the index of the segment to load for position pos:
// containing pos when the buffer is empty (seek, start), else the first
// whose middle lies after pos (the continuation of the buffer).
// len(l.segs) means pos is past the last segment.
func (t *track) find(l *levelState, pos time.Duration, containing bool) int {
	segs := l.segs
	lo, hi := 0, len(segs)
	if !containing {
		// most often the segment after the last one scheduled
		if i := t.segIndex + 1; i > 0 && i < len(segs) && t.segCount == len(segs) &&
			l.offset+segs[i-1].Start+segs[i-1].Duration/2 <= pos && l.offset+segs[i].Start+segs[i].Duration/2 > pos {
			return i
		}
	}
	if containing {
		// first segment starting after pos, minus one
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if l.offset+segs[m].Start <= pos {
				lo = m + 1
			} else {
				hi = m
			}
		}
		i := lo - 1
		if i < 0 {
			return 0
		}
		if l.offset+segs[i].Start+segs[i].Duration <= pos {
			return i + 1
		}
		return i
	}
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if l.offset+segs[m].Start+segs[m].Duration/2 <= pos {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// bind points the track at set s of period p and builds its ladder.
func (c *Core) bind(now time.Duration, ti int, p, s int) {
	t := &c.tracks[ti]
	set := &c.pres.Periods[p].Sets[s]
	t.active, t.period, t.set = true, p, s
	if cap(t.levels) >= len(set.Renditions) {
		t.levels = t.levels[:len(set.Renditions)]
		clear(t.levels)
	} else {
		t.levels = make([]levelState, len(set.Renditions))
	}
	for i := range set.Renditions {
		r := &set.Renditions[i]
		l := &t.levels[i]
		l.init, l.target, l.endList = r.Init, r.TargetDuration, r.EndList
		switch {
		case c.pres.Format == manifest.FormatDASH && r.Template != nil && r.Template.Dynamic &&
			(!r.Loaded || r.Template.Timeline == nil && !c.cfg.Epoch.IsZero()):
			// a $Number$/$Time$ window moves with the clock, not with MPD
			// updates (minimumUpdatePeriod may be minutes)
			l.dynamic, l.ato = true, r.Template.AvailabilityTimeOffset
			if t.wholeOnly {
				l.ato = 0
			}
			l.offset = c.pres.Periods[p].Start
			if !c.cfg.Epoch.IsZero() {
				l.segs = c.liveWindow(now, r, l)
				l.loaded, l.loadedAt = true, now
			}
		case c.pres.Format == manifest.FormatDASH:
			l.segs, l.loaded = r.Segments, len(r.Segments) > 0 || (r.Loaded && r.IndexRange == nil)
			l.offset = c.pres.Periods[p].Start
			l.loadedAt = now
			if !c.pres.Live {
				l.endList = true
			}
		case r.Loaded:
			l.segs, l.loaded, l.loadedAt = r.Segments, true, now
			if r.ServerControl != nil {
				l.holdBack = r.ServerControl.HoldBack
			}
			t.anchor(l)
		}
	}
	c.buildLadder(ti)
}

// buildLadder fills the ladder with the renditions usable on the current
// server, by ascending bandwidth, and maps the current rung onto it.
func (c *Core) buildLadder(ti int) {
	t := &c.tracks[ti]
	set := &c.pres.Periods[t.period].Sets[t.set]
	prev := 0
	if t.rung >= 0 && t.rung < len(t.bitrates) {
		prev = t.bitrates[t.rung]
	}
	t.ladder = t.ladder[:0]
	if c.sel != nil && ti == 0 {
		c.usable = c.sel.Usable(c.usable[:0], set.Renditions)
		for _, i := range c.usable {
			if inLadder(set, i) {
				t.ladder = append(t.ladder, i)
			}
		}
	}
	if len(t.ladder) == 0 {
		for i := range set.Renditions {
			if inLadder(set, i) {
				t.ladder = append(t.ladder, i)
			}
		}
	}
	rs := set.Renditions
	slices.SortStableFunc(t.ladder, func(a, b int) int { return rs[a].Bandwidth - rs[b].Bandwidth })
	t.bitrates = t.bitrates[:0]
	for _, i := range t.ladder {
		t.bitrates = append(t.bitrates, rs[i].Bandwidth)
	}
	if t.rung >= 0 {
		t.rung = rungBelow(t.bitrates, prev)
	}
	if t.lastRung >= len(t.ladder) {
		t.lastRung = -1
	}
	t.forced = -1
}

// rungBelow returns the highest rung with bitrate <= bps, at least 0.
func rungBelow(bitrates []int, bps int) int {
	r := 0
	for i, b := range bitrates {
		if b <= bps {
			r = i
		}
	}
	return r
}

// anchor places an HLS media playlist on the track's timeline so that
// segments of every level with equal numbers line up.
func (t *track) anchor(l *levelState) {
	segs := l.segs
	if len(segs) == 0 {
		return
	}
	if !t.anchored {
		t.anchored, t.anchorNum, t.anchorAt = true, segs[0].Number, 0
	}
	first, lastN := segs[0].Number, segs[len(segs)-1].Number
	switch {
	case t.anchorNum >= first && t.anchorNum <= lastN && segs[t.anchorNum-first].Number == t.anchorNum:
		l.offset = t.anchorAt - segs[t.anchorNum-first].Start
	default:
		tgt := l.target
		if tgt <= 0 {
			tgt = segs[0].Duration
		}
		k := time.Duration(int64(first) - int64(t.anchorNum))
		l.offset = t.anchorAt + k*tgt - segs[0].Start
	}
	lastSeg := &segs[len(segs)-1]
	t.anchorNum, t.anchorAt = lastSeg.Number, l.offset+lastSeg.Start
}

// chooseRung runs the ABR (or keeps the fixed choice for other tracks).
func (c *Core) chooseRung(now time.Duration, ti int) int {
	t := &c.tracks[ti]
	if r, ok := c.fixedRung(ti); ok {
		return r
	}
	if t.forced >= 0 {
		return min(t.forced, len(t.ladder)-1) // reset when the media request goes out
	}
	var rung int
	if ti != c.abrTrack {
		if t.rung >= 0 {
			return t.rung
		}
		// other tracks: the best rung within a tenth of the start bitrate
		rung = rungBelow(t.bitrates, c.cfg.StartBitrate/10)
	} else {
		remaining := -1
		if !c.live && t.segCount > 0 {
			remaining = t.segCount - t.segIndex
		}
		rung = c.chooseInWindow(c.abrState(now, t, t.segDur, remaining), t)
	}
	if rung < 0 {
		rung = 0
	}
	if rung >= len(t.ladder) {
		rung = len(t.ladder) - 1
	}
	if c.cfg.MaxBitrate > 0 && ti == 0 {
		rung = min(rung, rungBelow(t.bitrates, c.cfg.MaxBitrate))
	}
	return rung
}

func (c *Core) abrState(now time.Duration, t *track, segDur time.Duration, remaining int) *abr.State {
	s := &c.st
	s.Now = now
	s.Buffer = 0
	if !t.empty {
		s.Buffer = max(0, t.bufEnd-c.pos)
	}
	s.MaxBuffer = c.buf.Goal()
	s.SegmentDuration = segDur
	if s.SegmentDuration <= 0 {
		s.SegmentDuration = 4 * time.Second
	}
	s.Bitrates = t.bitrates
	s.Last = t.rung
	s.Index = t.segIndex
	s.Remaining = remaining
	s.Estimate, s.EstimateOK = c.est.Estimate()
	if !s.EstimateOK {
		// start-up: a sensible level from the assumed start bandwidth
		s.Estimate, s.EstimateOK = float64(c.cfg.StartBitrate), true
	}
	s.History = c.hist[:c.nHist]
	s.SegmentSize = c.sizeFn
	s.Live = c.live
	s.Startup = !c.started
	s.Rebuffering = c.state == StateStalled
	return s
}

// schedule issues the next playlist, init or media request of track ti.
func (c *Core) schedule(now time.Duration, ti int, out []Action) []Action {
	t := &c.tracks[ti]
	if !t.active || t.req >= 0 || t.ended || now < t.retryAt || len(t.ladder) == 0 {
		return out
	}
	if t.plReq >= 0 && !c.reqs[t.plReq].hold {
		return out // media waits for the playlist (a blocking reload does not hold it up)
	}
	if !c.posKnown && ti != c.abrTrack {
		return out
	}
	buffered := time.Duration(0)
	if !t.empty {
		buffered = max(0, t.bufEnd-c.pos)
	}
	t.loading = c.buf.ShouldLoad(buffered, t.loading)
	if !t.loading {
		return out
	}
	rung := c.chooseRung(now, ti)
	li := t.ladder[rung]
	l := &t.levels[li]
	if !l.loaded {
		if l.dynamic {
			return out // DASH live template without an epoch: nothing to load
		}
		if r := &c.pres.Periods[t.period].Sets[t.set].Renditions[li]; r.IndexRange != nil && r.MediaURI != "" {
			return c.fetchIndex(now, ti, li, rung, r, out)
		}
		return c.fetchPlaylist(now, ti, li, rung, out)
	}
	if c.live && !l.endList && rung != t.rung {
		switch {
		case l.dynamic:
			// a template window: computed from the clock, never stale
			rend := &c.pres.Periods[t.period].Sets[t.set].Renditions[li]
			l.segs, l.loadedAt = c.liveWindow(now, rend, l), now
		case c.pres.Format == manifest.FormatDASH:
			// every level comes from the MPD: a stale one means a stale MPD
			if now-c.manifestAt > c.mpdPeriod() && c.slotOf(transport.KindManifest, -1) < 0 {
				c.manifestDue = now
			}
		case now-l.loadedAt > l.target:
			return c.fetchPlaylist(now, ti, li, rung, out) // a stale level: refresh before use
		}
	}
	if !c.posKnown {
		c.decideStart(now, ti, l)
	}
	from := t.next
	if !t.empty {
		from = t.bufEnd
	}
	if c.lowLatency(l) {
		var done bool
		if out, done = c.schedulePart(now, ti, li, rung, l, from, out); done {
			return out
		}
	}
	i := t.find(l, from, t.empty)
	if i >= len(l.segs) {
		if c.live && !l.endList {
			return out // wait for the next refresh
		}
		if p := t.period + 1; p < len(c.pres.Periods) {
			if s := setOf(&c.pres.Periods[p], t.kind, &c.pres.Periods[t.period].Sets[t.set]); s >= 0 {
				c.bind(now, ti, p, s)
				return c.schedule(now, ti, out)
			}
		}
		t.ended = true
		return out
	}
	seg := &l.segs[i]
	segStart := l.offset + seg.Start
	if !t.empty && segStart > t.bufEnd+seg.Duration/2 && c.live {
		// fell out of the live window: jump to its start
		c.jump(now, segStart, "catch_up")
		return out
	}
	t.segDur, t.segIndex, t.segCount = seg.Duration, i, len(l.segs)
	set := &c.pres.Periods[t.period].Sets[t.set]
	rend := &set.Renditions[li]
	init := seg.Init
	if init == nil {
		init = l.init
	}
	if init != nil && initKey(init) != l.initKey {
		return c.fetchInit(now, ti, li, rung, init, seg.Key, out)
	}
	t.rung, t.forced = rung, -1
	r := request{kind: transport.KindMedia, track: int8(ti), level: li, rung: rung, num: seg.Number,
		start: segStart, dur: seg.Duration, chunked: l.ato > 0, key: seg.Key}
	var off, n int64
	if seg.Range != nil {
		off, n = seg.Range.Offset, seg.Range.Length
		r.size = n
	}
	if r.size <= 0 {
		r.size = int64(float64(rend.Bandwidth) * seg.Duration.Seconds() / 8)
	}
	r.last = i == len(l.segs)-1 && (!c.live || l.endList) && t.period == len(c.pres.Periods)-1
	r.server, r.url = c.route(now, l.abs(seg.URI))
	var slot int
	out, slot = c.issue(now, r, off, n, out)
	t.req = slot
	return out
}

// fetchInit issues the init segment request of level li. key is the HLS
// key of the segment that needs it (SAMPLE-AES of fMP4 is CENC with that
// key).
func (c *Core) fetchInit(now time.Duration, ti, li, rung int, init *manifest.InitSegment, key *manifest.Key, out []Action) []Action {
	r := request{kind: transport.KindInit, track: int8(ti), level: li, rung: rung, init: init, key: key}
	var off, n int64
	if init.Range != nil {
		off, n = init.Range.Offset, init.Range.Length
		r.size = n
	}
	r.server, r.url = c.route(now, c.tracks[ti].levels[li].abs(init.URI))
	var slot int
	out, slot = c.issue(now, r, off, n, out)
	c.tracks[ti].req = slot
	return out
}

// initKey names an init segment by URI and byte range: a refreshed
// playlist gives the same init again, which is not fetched again.
func initKey(s *manifest.InitSegment) string {
	if s.Range == nil {
		return s.URI
	}
	return fmt.Sprintf("%s@%d+%d", s.URI, s.Range.Offset, s.Range.Length)
}

// setOf finds the set of kind in p most like prev (same ID, else the
// same language, so a chosen audio track carries over, else the first).
func setOf(p *manifest.Period, kind Track, prev *manifest.AdaptationSet) int {
	first, lang := -1, -1
	for i := range p.Sets {
		s := &p.Sets[i]
		if s.Type != mediaType(kind) {
			continue
		}
		if s.ID == prev.ID && s.ID != "" {
			return i
		}
		if lang < 0 && s.Lang != "" && s.Lang == prev.Lang {
			lang = i
		}
		if first < 0 {
			first = i
		}
	}
	if lang >= 0 {
		return lang
	}
	return first
}

func mediaType(t Track) manifest.MediaType {
	if t == TrackAudio {
		return manifest.Audio
	}
	return manifest.Video
}

func (c *Core) fetchPlaylist(now time.Duration, ti, li, rung int, out []Action) []Action {
	return c.fetchPlaylistURL(now, ti, li, rung, false, out)
}

// fetchPlaylistURL loads the media playlist of level li; block asks for
// the next one with a blocking reload when the level offers it.
func (c *Core) fetchPlaylistURL(now time.Duration, ti, li, rung int, block bool, out []Action) []Action {
	t := &c.tracks[ti]
	rend := &c.pres.Periods[t.period].Sets[t.set].Renditions[li]
	if rend.PlaylistURI == "" {
		c.fail(&PlaybackError{Category: ErrManifest, Err: ErrNoPlayable})
		return out
	}
	if t.plReq >= 0 {
		c.cancel(t.plReq) // a blocking reload of another level
	}
	uri, hold := rend.PlaylistURI, false
	if block {
		uri, hold = c.blockingURL(uri, &t.levels[li])
	}
	if !hold && c.live {
		uri, hold = c.reportURL(t, uri)
	}
	r := request{kind: transport.KindManifest, playlist: true, track: int8(ti), level: li, rung: rung, hold: hold}
	r.server, r.url = c.route(now, uri)
	var slot int
	out, slot = c.issue(now, r, 0, 0, out)
	t.plReq = slot
	return out
}

// fetchIndex asks for the sidx of a DASH SegmentBase rendition.
func (c *Core) fetchIndex(now time.Duration, ti, li, rung int, rend *manifest.Rendition, out []Action) []Action {
	t := &c.tracks[ti]
	r := request{kind: transport.KindInit, index: true, track: int8(ti), level: li, rung: rung, size: rend.IndexRange.Length}
	r.server, r.url = c.route(now, rend.MediaURI)
	var slot int
	out, slot = c.issue(now, r, rend.IndexRange.Offset, rend.IndexRange.Length, out)
	t.plReq = slot
	return out
}

func (c *Core) onIndex(now time.Duration, r *request, o *Outcome) {
	t := &c.tracks[r.track]
	t.plReq = -1
	c.report(now, r, o)
	if !o.ok() {
		c.retry(now, t, r, o)
		return
	}
	rend := &c.pres.Periods[t.period].Sets[t.set].Renditions[r.level]
	segs, err := manifest.ParseSidx(o.Body, rend.MediaURI, *rend.IndexRange)
	if err != nil {
		c.qoe.Errors++
		c.fail(&PlaybackError{Category: ErrMedia, URL: r.url, Err: err})
		return
	}
	t.fails = 0
	l := &t.levels[r.level]
	l.segs, l.loaded, l.endList, l.loadedAt = segs, true, true, now
	l.offset = c.pres.Periods[t.period].Start
	if !c.posKnown && int(r.track) == c.abrTrack {
		c.decideStart(now, int(r.track), l)
	}
}

// refresh reloads the live playlist of the track's current level when due.
func (c *Core) refresh(now time.Duration, ti int, out []Action) []Action {
	t := &c.tracks[ti]
	if !c.live || !t.active || t.plReq >= 0 || t.rung < 0 {
		return out
	}
	li := t.ladder[t.rung]
	l := &t.levels[li]
	if !l.loaded || l.endList || now < l.refreshAt(c.lowLatency(l)) {
		return out
	}
	if l.dynamic {
		r := &c.pres.Periods[t.period].Sets[t.set].Renditions[li]
		l.segs, l.loadedAt = c.liveWindow(now, r, l), now
		return out
	}
	if c.pres.Format == manifest.FormatDASH {
		return out // the MPD refresh updates DASH lists
	}
	if now < t.retryAt {
		return out
	}
	return c.fetchPlaylistURL(now, ti, li, t.rung, true, out)
}

// refreshAt is when a live list should be reloaded: after a target
// duration, or half of it when the last reload brought nothing new.
func (l *levelState) refreshAt(lowLatency bool) time.Duration {
	if lowLatency && l.ll.blocking {
		return l.loadedAt // the server holds the request until there is news
	}
	d := l.target
	if d <= 0 {
		d = 2 * time.Second
	}
	if !l.changed {
		d /= 2
	}
	return l.loadedAt + d
}

func (c *Core) onPlaylist(now time.Duration, r *request, o *Outcome) {
	t := &c.tracks[r.track]
	if t.plReq >= 0 && c.reqs[t.plReq].id == 0 {
		t.plReq = -1
	}
	t.plReq = -1
	c.report(now, r, o)
	if !o.ok() {
		c.retry(now, t, r, o)
		return
	}
	m := o.Media
	if m == nil {
		var err error
		m, err = manifest.ParseHLSMedia(o.Body, r.url)
		if err != nil {
			c.qoe.Errors++
			c.fail(&PlaybackError{Category: ErrManifest, URL: r.url, Err: err})
			return
		}
	}
	t.fails = 0
	if r.level >= len(t.levels) {
		return
	}
	l := &t.levels[r.level]
	oldLast := uint64(0)
	if n := len(l.segs); n > 0 {
		oldLast = l.segs[n-1].Number
	}
	segs, ok := mergeDelta(l.segs, m)
	if !ok {
		// a delta update that does not fit the list held: load it whole
		l.ll.skipUntil = 0
		return
	}
	l.segs, l.init, l.endList, l.target = segs, m.Init, m.EndList, m.TargetDuration
	l.shared, l.base = "", ""
	if m.URI != r.url {
		l.shared, l.base = urlDir(m.URI), urlDir(r.url)
	}
	l.setLL(m)
	l.loaded, l.loadedAt = true, now
	if m.ServerControl != nil {
		l.holdBack = m.ServerControl.HoldBack
	}
	l.changed = len(m.Segments) > 0 && m.Segments[len(m.Segments)-1].Number != oldLast
	t.anchor(l)
	if !c.posKnown && r.track == int8(c.abrTrack) {
		c.live = !m.EndList
		c.decideStart(now, int(r.track), l)
	}
}

// decideStart sets the start position once the first list is known: the
// configured start for VOD, the live edge minus the delay for live.
func (c *Core) decideStart(now time.Duration, ti int, l *levelState) {
	c.posKnown = true
	pos := c.cfg.StartPosition
	if c.live && len(l.segs) > 0 && c.lowLatency(l) {
		pos = c.edgeLL(l) - c.liveDelay(l)
		if p, ok := c.startLL(l, pos); ok {
			pos = max(p, l.offset+l.segs[0].Start)
		} else {
			pos = l.offset + l.segs[0].Start
		}
	} else if c.live && len(l.segs) > 0 {
		edge := c.liveEdge(l)
		pos = edge - c.liveDelay(l)
		t := &c.tracks[ti]
		i := t.find(l, pos, true)
		if i >= len(l.segs) {
			i = len(l.segs) - 1
		}
		if l.ato == 0 {
			// whole segments: start on a boundary
			pos = max(l.offset+l.segs[i].Start, l.offset+l.segs[0].Start)
		} else {
			// LL-DASH: the edge is the clock, inside the segment being made
			pos = max(pos, l.offset+l.segs[0].Start)
		}
	}
	c.pos = pos
	for i := range c.tracks {
		if c.tracks[i].empty {
			c.tracks[i].next = pos
		}
	}
}

// liveWindow is the live segment list of level l (rendition r's dynamic
// template) at now. After the server showed it has no segment before it
// is whole (l.ato dropped to 0), availabilityTimeOffset is ignored.
func (c *Core) liveWindow(now time.Duration, r *manifest.Rendition, l *levelState) []manifest.Segment {
	at := c.cfg.Epoch.Add(now)
	if r.Template != nil && l.ato == 0 {
		at = at.Add(-r.Template.AvailabilityTimeOffset)
	}
	return r.SegmentsAtReusing(at, l.segs)
}

func (c *Core) liveEdge(l *levelState) time.Duration {
	s := &l.segs[len(l.segs)-1]
	end := l.offset + s.Start + s.Duration
	if l.ato > 0 && c.pres != nil && !c.pres.AvailabilityStart.IsZero() {
		// LL-DASH lists the segment being made: the edge is what the
		// clock says has been captured
		return min(end, c.cfg.Epoch.Add(c.last).Sub(c.pres.AvailabilityStart))
	}
	return end
}

func (c *Core) liveDelay(l *levelState) time.Duration {
	tgt := l.target
	if tgt <= 0 && len(l.segs) > 0 {
		tgt = l.segs[0].Duration
	}
	switch {
	case c.cfg.LiveDelay > 0:
		return c.cfg.LiveDelay
	case c.cfg.TargetLatency > 0:
		return c.cfg.TargetLatency
	case c.lowLatency(l) && l.ll.partHold > 0:
		return l.ll.partHold
	case c.lowLatency(l):
		return 3 * l.ll.partTarget
	case l.holdBack > 0:
		return l.holdBack
	case c.pres.SuggestedDelay > 0 && l.ato > 0:
		// LL-DASH: the server answers a segment as it is made
		return c.pres.SuggestedDelay
	case c.pres.SuggestedDelay > 0:
		// a segment still being written is not whole on a plain file
		// server: stay two segments behind at least
		return max(c.pres.SuggestedDelay, 2*tgt)
	}
	return 3 * tgt
}

// catchUp jumps forward when playback drifted far behind the live edge.
func (c *Core) catchUp(now time.Duration) {
	t := &c.tracks[c.abrTrack]
	if !c.posKnown || !c.started || t.rung < 0 || c.state != StatePlaying {
		return
	}
	l := &t.levels[t.ladder[t.rung]]
	if len(l.segs) == 0 || l.endList || c.shifted {
		c.rate = 1
		return
	}
	c.adjustRate(now, l)
	edge, delay := c.liveEdge(l), c.liveDelay(l)
	if edge-c.pos > 2*delay+liveCatchUpMin {
		c.jump(now, edge-delay, "catch_up")
	}
}

func (c *Core) onSegment(now time.Duration, r *request, o *Outcome) {
	t := &c.tracks[r.track]
	t.req = -1
	c.report(now, r, o)
	if !o.ok() {
		if o.Status == 404 && r.kind == transport.KindMedia && int(r.level) < len(t.levels) && t.levels[r.level].ato > 0 {
			// an LL-DASH segment asked for early is not there: this server
			// has whole segments only (a plain file server behind an
			// encoder that announces availabilityTimeOffset)
			t.wholeOnly = true
			for i := range t.levels {
				t.levels[i].ato = 0
			}
		}
		if r.got > 0 && t.bufEnd == r.start+r.got {
			t.bufEnd = r.start // its chunks played are fetched again whole
		}
		c.retry(now, t, r, o)
		return
	}
	t.fails = 0
	if r.kind == transport.KindInit {
		if int(r.level) < len(t.levels) {
			t.levels[r.level].initKey = initKey(r.init)
		}
		c.qoe.MediaBytes += o.Bytes
		return
	}
	c.qoe.MediaBytes += o.Bytes
	c.qoe.Segments++
	d := o.Duration
	held := r.part || int(r.level) < len(t.levels) && t.levels[r.level].ato > 0
	switch {
	case r.chunked && o.Active > 0:
		d = o.Active // chunks sent as they are made: only their transfers count
	case held && o.TTFB > 0 && o.TTFB < d:
		// a part, or an LL-DASH segment asked for early, may wait at the
		// server until it is made: only the transfer counts
		d -= o.TTFB
	}
	if d > 0 && o.Bytes > 0 {
		c.est.Add(abr.Sample{Bytes: o.Bytes, Duration: d})
	}
	ch := abr.Chunk{Level: r.rung, Bytes: o.Bytes, Download: d, Rebuffer: c.qoe.StallTime - r.stallAt}
	if c.nHist == historyLen {
		copy(c.hist[:], c.hist[1:])
		c.nHist--
	}
	c.hist[c.nHist] = ch
	c.nHist++
	if t.empty {
		t.bufStart, t.empty = r.start, false
	}
	t.bufEnd = r.start + r.dur
	if r.last {
		t.ended = true
	}
	if int(r.track) == c.abrTrack && r.rung != t.lastRung {
		c.pushSwitch(r.start, r.rung, t.bitrates[r.rung])
	}
	t.lastRung = r.rung
	c.emit(Event{Kind: EventSegmentLoaded, Track: t.kind, Level: r.rung, Bitrate: t.bitrates[r.rung], Bytes: o.Bytes})
}

// retry schedules another attempt of a failed request, or fails the
// session after MaxRetries consecutive failures.
func (c *Core) retry(now time.Duration, t *track, r *request, o *Outcome) {
	err := c.failure(r, o)
	t.fails++
	if t.fails > c.cfg.MaxRetries {
		c.fail(err)
		return
	}
	c.emit(Event{Kind: EventError, Err: err, Category: err.Category})
	t.retryAt = now + backoff(t.fails)
	if c.sel != nil {
		if cur := c.sel.Current(now); cur.ID != r.server {
			t.retryAt = now // another server is available right away
		}
	}
}

func (c *Core) pushSwitch(at time.Duration, rung, bitrate int) {
	if c.swLen == len(c.sw) {
		c.swHead = (c.swHead + 1) % len(c.sw)
		c.swLen--
	}
	c.sw[(c.swHead+c.swLen)%len(c.sw)] = switchPoint{at: at, level: int32(rung), bitrate: int32(bitrate)}
	c.swLen++
}

// segmentSize gives ABR the exact size of segment index at ladder level
// of the ABR track when the manifest has byte ranges (sidx, SegmentList).
func (c *Core) segmentSize(index, level int) (int64, bool) {
	t := &c.tracks[c.abrTrack]
	if level < 0 || level >= len(t.ladder) {
		return 0, false
	}
	l := &t.levels[t.ladder[level]]
	if index < 0 || index >= len(l.segs) {
		return 0, false
	}
	if r := l.segs[index].Range; r != nil && r.Length > 0 {
		return r.Length, true
	}
	return 0, false
}
