package player

import (
	"net/url"
	"strconv"
	"time"

	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/player/transport"
)

// Low-latency HLS: at the live edge the core loads parts (EXT-X-PART) and
// the part a preload hint names before it is complete (the server holds
// the request), reloads playlists with blocking requests (_HLS_msn,
// _HLS_part) as soon as the last one answered, asks for delta updates
// (_HLS_skip=YES) and starts PART-HOLD-BACK behind the edge, on an
// independent part.

// llState is a level's low-latency playlist state.
type llState struct {
	partTarget time.Duration         // EXT-X-PART-INF PART-TARGET; 0: not low-latency
	pending    []manifest.Part       // parts after the last complete segment
	preload    *manifest.PreloadHint // TYPE=PART hint; nil none
	blocking   bool                  // CAN-BLOCK-RELOAD=YES
	skipUntil  time.Duration         // CAN-SKIP-UNTIL
	partHold   time.Duration         // PART-HOLD-BACK
	reports    []manifest.RenditionReport
}

// lowLatency reports whether level l is played in low-latency mode.
func (c *Core) lowLatency(l *levelState) bool {
	return l.ll.partTarget > 0 && !c.cfg.NoLowLatency && c.live && !l.endList
}

// setLL records the low-latency state of a fresh media playlist.
func (l *levelState) setLL(m *manifest.MediaPlaylist) {
	l.ll = llState{partTarget: m.PartTarget, pending: m.PendingParts, reports: m.RenditionReports}
	if h := m.PreloadHint; h != nil && h.Type == "PART" {
		l.ll.preload = h
	}
	if sc := m.ServerControl; sc != nil {
		l.ll.blocking, l.ll.skipUntil, l.ll.partHold = sc.CanBlockReload, sc.CanSkipUntil, sc.PartHoldBack
	}
}

// mergeDelta returns the segments of a delta update m on top of the
// previous list old: the skipped ones from old, the rest from m, on old's
// timeline. ok is false when old does not hold the skipped segments.
func mergeDelta(old []manifest.Segment, m *manifest.MediaPlaylist) (segs []manifest.Segment, ok bool) {
	if m.Skipped == 0 {
		return m.Segments, true
	}
	first := m.MediaSequence // the first skipped segment
	if len(old) == 0 || old[0].Number > first {
		return nil, false
	}
	i := int(first - old[0].Number)
	j := i + int(m.Skipped) // index in old of the first listed segment of m
	if j > len(old) || j == 0 {
		return nil, false
	}
	prev := &old[j-1]
	shift := prev.Start + prev.Duration
	if len(m.Segments) > 0 {
		shift -= m.Segments[0].Start
	}
	segs = make([]manifest.Segment, 0, j-i+len(m.Segments))
	segs = append(segs, old[i:j]...)
	for _, s := range m.Segments {
		s.Start += shift
		segs = append(segs, s)
	}
	return segs, true
}

// edgeLL is the end of the newest part (complete segments and pending parts).
func (c *Core) edgeLL(l *levelState) time.Duration {
	e := c.liveEdge(l)
	if c.lowLatency(l) {
		for _, p := range l.ll.pending {
			e += p.Duration
		}
	}
	return e
}

// startLL is the low-latency start: the last independent part start (or
// segment start) at or before pos.
func (c *Core) startLL(l *levelState, pos time.Duration) (time.Duration, bool) {
	best, found := time.Duration(0), false
	consider := func(at time.Duration, independent bool) {
		if independent && at <= pos && (!found || at > best) {
			best, found = at, true
		}
	}
	for i := len(l.segs) - 1; i >= 0; i-- {
		s := &l.segs[i]
		st := l.offset + s.Start
		consider(st, true)
		at := st
		for _, p := range s.Parts {
			consider(at, p.Independent)
			at += p.Duration
		}
		if st <= pos {
			break
		}
	}
	at := c.liveEdge(l)
	for _, p := range l.ll.pending {
		consider(at, p.Independent)
		at += p.Duration
	}
	return best, found
}

// partAt finds the part to load from position from of level l: inside a
// listed segment (after some of its parts were loaded), among the pending
// parts, or the preload hint. wait is true when from is at the newest
// part's end and no hint names the next: wait for the next playlist.
func (c *Core) partAt(l *levelState, from time.Duration) (p manifest.Part, num uint64, ok, wait bool) {
	eps := l.ll.partTarget / 4
	near := func(a, b time.Duration) bool { return a-b < eps && b-a < eps }
	for i := len(l.segs) - 1; i >= 0; i-- {
		s := &l.segs[i]
		st := l.offset + s.Start
		if from >= st+s.Duration-eps {
			break // after this segment: pending parts
		}
		if from < st-eps {
			continue
		}
		if near(from, st) {
			return p, 0, false, false // a segment boundary: load the whole segment
		}
		at := st
		for _, q := range s.Parts {
			if near(from, at) && !q.Gap {
				return q, s.Number, true, false
			}
			at += q.Duration
		}
		return p, 0, false, false
	}
	if len(l.segs) == 0 {
		return p, 0, false, true
	}
	at := c.liveEdge(l)
	if from < at-eps {
		return p, 0, false, false
	}
	num = l.segs[len(l.segs)-1].Number + 1
	for _, q := range l.ll.pending {
		if near(from, at) {
			return q, num, !q.Gap, q.Gap
		}
		at += q.Duration
	}
	if near(from, at) && l.ll.preload != nil {
		return manifest.Part{URI: l.ll.preload.URI, Range: l.ll.preload.Range, Duration: l.ll.partTarget}, num, true, false
	}
	return p, 0, false, true
}

// schedulePart issues the part request from position from, if any.
// handled is true when the track must not go on to load a whole segment.
func (c *Core) schedulePart(now time.Duration, ti, li, rung int, l *levelState, from time.Duration, out []Action) ([]Action, bool) {
	part, num, ok, wait := c.partAt(l, from)
	if wait {
		return out, true
	}
	if !ok {
		return out, false
	}
	t := &c.tracks[ti]
	rend := &c.pres.Periods[t.period].Sets[t.set].Renditions[li]
	if init := l.init; init != nil && initKey(init) != l.initKey {
		return c.fetchInit(now, ti, li, rung, init, nil, out), true
	}
	t.rung, t.forced = rung, -1
	t.segDur = part.Duration
	r := request{kind: transport.KindMedia, track: int8(ti), level: li, rung: rung, num: num, start: from, dur: part.Duration, part: true}
	var off, n int64
	if part.Range != nil {
		off, n = part.Range.Offset, part.Range.Length
		r.size = n
	}
	if r.size <= 0 {
		r.size = int64(float64(rend.Bandwidth) * part.Duration.Seconds() / 8)
	}
	r.server, r.url = c.route(now, part.URI)
	var slot int
	out, slot = c.issue(now, r, off, n, out)
	t.req = slot
	return out, true
}

// blockingURL adds the blocking-reload and delta-update directives for
// the playlist after the one level l holds.
func (c *Core) blockingURL(uri string, l *levelState) (string, bool) {
	if !l.loaded || !c.lowLatency(l) || !l.ll.blocking || len(l.segs) == 0 {
		return uri, false
	}
	u, err := url.Parse(uri)
	if err != nil {
		return uri, false
	}
	q := u.Query()
	q.Set("_HLS_msn", strconv.FormatUint(l.segs[len(l.segs)-1].Number+1, 10))
	q.Set("_HLS_part", strconv.Itoa(len(l.ll.pending)))
	if l.ll.skipUntil > 0 {
		q.Set("_HLS_skip", "YES")
	}
	u.RawQuery = q.Encode()
	return u.String(), true
}

// reportURL asks for the playlist at uri (another level of track t) with
// a blocking request for the newest part the current level's rendition
// report gives: on a switch the answer is that rendition as it stands,
// never an older copy a cache kept.
func (c *Core) reportURL(t *track, uri string) (string, bool) {
	if t.rung < 0 {
		return uri, false
	}
	cur := &t.levels[t.ladder[t.rung]]
	if !c.lowLatency(cur) || !cur.ll.blocking {
		return uri, false
	}
	for _, rr := range cur.ll.reports {
		if rr.URI != uri {
			continue
		}
		u, err := url.Parse(uri)
		if err != nil {
			return uri, false
		}
		q := u.Query()
		q.Set("_HLS_msn", strconv.FormatUint(rr.LastMSN, 10))
		if rr.LastPart >= 0 {
			q.Set("_HLS_part", strconv.Itoa(rr.LastPart))
		}
		u.RawQuery = q.Encode()
		return u.String(), true
	}
	return uri, false
}

// Playback-rate catch-up bounds and gain.
const (
	minRate      = 0.95
	maxRate      = 1.05
	rateDeadband = 200 * time.Millisecond // latency error left alone
	rateGain     = 0.05                   // rate change per second of latency error
)

// mediaOf is the media time played in wall time d at the current rate.
func (c *Core) mediaOf(d time.Duration) time.Duration {
	if c.rate == 1 {
		return d
	}
	return time.Duration(float64(d) * c.rate)
}

// wallOf is the wall time media time d takes at the current rate.
func (c *Core) wallOf(d time.Duration) time.Duration {
	if c.rate == 1 || d >= Never/2 {
		return d
	}
	return time.Duration(float64(d) / c.rate)
}

// Rate returns the playback rate (1 unless catching up with the target latency).
func (c *Core) Rate() float64 { return c.rate }

// adjustRate steers the playback rate towards the target latency (the
// TargetLatency option, or for low-latency streams the start delay):
// up to 5% faster when behind, up to 5% slower when too close to the
// edge, and never faster with less than a part or a second buffered.
func (c *Core) adjustRate(now time.Duration, l *levelState) {
	if c.cfg.TargetLatency <= 0 && !c.lowLatency(l) {
		return
	}
	rate := 1.0
	if c.state == StatePlaying {
		behind := c.edgeLL(l) + max(0, now-l.loadedAt) - c.pos
		diff := behind - c.liveDelay(l)
		if diff > rateDeadband || diff < -rateDeadband {
			rate = min(maxRate, max(minRate, 1+diff.Seconds()*rateGain))
		}
		low := time.Second
		if l.ll.partTarget > 0 {
			low = l.ll.partTarget
		}
		if rate > 1 && c.ahead() < low {
			rate = 1
		}
	}
	c.rate = rate
}
