package player

import (
	"math"
	"time"

	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/player/text"
)

// Live subtitles: a live HLS subtitle playlist is reloaded every target
// duration (half of it when a reload brought nothing new, as for the
// other live playlists); segments are known by media sequence number, so
// each is fetched once; and the playlist is placed on the video's
// timeline by media sequence number (the segment of a number starts
// where the video segment of that number does), else by its own previous
// reload.

// textLive is the live state of an HLS text track.
type textLive struct {
	reloadAt time.Duration            // clock time since Load of the next reload
	fresh    bool                     // the last reload brought new segments
	done     map[uint64]bool          // segments fetched (or given up), by number
	starts   map[uint64]time.Duration // timeline start of the segments of the last reload
	placed   bool                     // starts is on the timeline
	shift    time.Duration            // of WebVTT without X-TIMESTAMP-MAP (see unmapped)
	shifted  bool
}

// unmapped is the shift of the cues of a live WebVTT segment without an
// X-TIMESTAMP-MAP. Their times are media times from the start of the
// stream; the first segment with cues decides: when its cues fall in the
// segment counted from sequence number 0 (number times its duration, as
// ffmpeg writes them) and not where the playlist places it, the shift
// puts that time at the segment's start; else the times are taken as
// they are.
func (l *textLive) unmapped(v *text.VTT, seg *manifest.Segment) time.Duration {
	if l.shifted || len(v.Cues) == 0 {
		return l.shift
	}
	l.shifted = true
	const slack = 500 * time.Millisecond
	from := time.Duration(seg.Number) * seg.Duration
	c := v.Cues[0]
	if (c.Start < seg.Start-slack || c.Start > seg.Start+seg.Duration+slack) && c.Start >= from-slack && c.Start < from+seg.Duration+slack {
		l.shift = seg.Start - from
	}
	return l.shift
}

// maxLiveTextSegments bounds the numbers remembered as done.
const maxLiveTextSegments = 4096

// interval is the time to the next reload.
func (l *textLive) interval(t *textTrack) time.Duration {
	d := t.r.TargetDuration
	if d <= 0 {
		d = 2 * time.Second
	}
	if !l.fresh {
		d /= 2
	}
	return d
}

// markDone records segment i of t as fetched (or given up).
func (t *textTrack) markDone(i int) {
	t.done[i] = true
	if t.live != nil {
		if len(t.live.done) >= maxLiveTextSegments {
			clear(t.live.done)
		}
		t.live.done[t.r.Segments[i].Number] = true
	}
}

// liveText handles a (re)load of t's live playlist: it places the
// segments on the timeline, marks those fetched before and schedules the
// next reload. When the playlist has ended, this is its last reload.
func (p *Player) liveText(t *textTrack) {
	if t.live == nil {
		t.live = &textLive{done: map[uint64]bool{}}
	}
	l := t.live
	segs := t.r.Segments
	offset, ok := time.Duration(0), false
	for i := range segs {
		if at, seen := l.starts[segs[i].Number]; seen && l.placed {
			offset, ok = at-segs[i].Start, true
			break
		}
	}
	if !ok && len(segs) > 0 {
		p.mu.Lock()
		for i := range segs {
			if at, found := p.core.videoSegmentStart(segs[i].Number); found {
				offset, ok = at-segs[i].Start-t.periodStart, true
				break
			}
		}
		p.mu.Unlock()
	}
	l.placed = l.placed || ok
	fresh := false
	l.starts = make(map[uint64]time.Duration, len(segs))
	for i := range segs {
		segs[i].Start += offset
		l.starts[segs[i].Number] = segs[i].Start
		if l.done[segs[i].Number] {
			t.done[i] = true
		} else {
			fresh = true
		}
	}
	l.fresh = fresh
	l.reloadAt = p.now0() + l.interval(t)
	if !l.placed {
		l.reloadAt = p.now0() + TextPollInterval // the video playlist is due
	}
	if t.r.EndList {
		l.reloadAt = math.MaxInt64 // ended: no more reloads
	}
}

// videoSegmentStart is the timeline start of the HLS video segment
// number n of any loaded rendition (false when none lists it).
func (c *Core) videoSegmentStart(n uint64) (time.Duration, bool) {
	if c.pres == nil || c.pres.Format != manifest.FormatHLS {
		return 0, false
	}
	t := &c.tracks[0]
	if !t.active {
		return 0, false
	}
	for i := range t.levels {
		l := &t.levels[i]
		if !l.loaded || len(l.segs) == 0 {
			continue
		}
		first := l.segs[0].Number
		if n >= first && n-first < uint64(len(l.segs)) && l.segs[n-first].Number == n {
			return l.offset + l.segs[n-first].Start, true
		}
	}
	return 0, false
}
