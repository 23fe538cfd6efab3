package player

import (
	"strings"

	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/player/transport"
)

// fillCMCD writes what the core knows about request r into m: only values
// and strings that already exist, so it does not allocate.
func (c *Core) fillCMCD(m *transport.CMCD, r *request) {
	m.SessionID, m.ContentID = c.cfg.SessionID, c.cfg.ContentID
	m.Startup = !c.started || c.seeking || c.state == StateStalled
	m.Starved, c.starved = c.starved, false
	if est, ok := c.est.Estimate(); ok {
		m.Throughput = est
	}
	if c.pres != nil {
		m.Format, m.StreamType = transport.FormatHLS, transport.StreamVOD
		if c.pres.Format == manifest.FormatDASH {
			m.Format = transport.FormatDASH
		}
		if c.live {
			m.StreamType = transport.StreamLive
		}
	}
	m.ObjectType = transport.ObjectOther
	switch r.kind {
	case transport.KindManifest:
		m.ObjectType = transport.ObjectManifest
	case transport.KindInit:
		m.ObjectType = transport.ObjectInit
	}
	if r.track < 0 {
		return
	}
	t := &c.tracks[r.track]
	if r.rung >= 0 && r.rung < len(t.bitrates) {
		m.Bitrate = t.bitrates[r.rung]
	}
	if n := len(t.bitrates); n > 0 {
		top := n - 1
		if c.cfg.MaxBitrate > 0 && t.kind == TrackVideo {
			top = rungBelow(t.bitrates, c.cfg.MaxBitrate)
		}
		m.TopBitrate = t.bitrates[top]
	}
	if r.kind != transport.KindMedia {
		return
	}
	m.ObjectType = transport.ObjectVideo
	if t.kind == TrackAudio {
		m.ObjectType = transport.ObjectAudio
	}
	m.Duration = r.dur
	if !t.empty {
		m.BufferLength = max(0, t.bufEnd-c.pos)
	}
	if c.state == StatePlaying {
		m.Deadline = m.BufferLength // at playback rate 1
	}
	m.NextObject = c.nextObject(t, r)
}

// nextObject is the URI of the segment after r relative to r's, when both
// sit in the same directory (a substring: no allocation); "" otherwise.
func (c *Core) nextObject(t *track, r *request) string {
	if r.level < 0 || r.level >= len(t.levels) {
		return ""
	}
	l := &t.levels[r.level]
	i := t.segIndex
	if i < 0 || i+1 >= len(l.segs) || l.segs[i].Number != r.num {
		return ""
	}
	cur, next := l.segs[i].URI, l.segs[i+1].URI
	if q := strings.IndexByte(cur, '?'); q >= 0 {
		cur = cur[:q]
	}
	k := strings.LastIndexByte(cur, '/') + 1
	if k == 0 || !strings.HasPrefix(next, cur[:k]) || len(next) == k {
		return ""
	}
	return next[k:]
}
