package player

import (
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/player/text"
	"github.com/abrkit/abrkit/player/text/cea608"
	"github.com/abrkit/abrkit/player/transport"
)

// Closed captions: when the manifest signals CEA-608 captions in the
// video (manifest.Captions), the caption data of every downloaded video
// segment is kept (a few bytes per frame, maxCaptionSegments segments),
// so a caption track selected mid-play shows the captions of the video
// already buffered. The selected channel's decoder turns them into cues
// of the text track "CC1" to "CC4".

// maxCaptionSegments bounds the video segments whose caption data is kept.
const maxCaptionSegments = 256

// captionState is the closed-caption side of a Player.
type captionState struct {
	mu    sync.Mutex // guards the fields below
	track *cea608.Track
	segs  []captionSegment // by start
	// the decoder of the channel shown, fed segments in order
	channel int
	dec     *cea608.Decoder
	fedEnd  time.Duration // end of the last segment fed (-1: none)
	open    *text.Cue     // the cue being shown, placed in the text cues until fedEnd
	seen    map[cueKey]bool
	// mapping of the stream's timestamps to the presentation timeline
	offset     time.Duration
	haveOffset bool
}

// captionSegment is the caption data of one video segment, on the
// presentation timeline.
type captionSegment struct {
	start, end time.Duration
	frames     []cea608.Frame
}

// captionID is the text track ID of caption channel ch.
func captionID(ch int) string { return "CC" + strconv.Itoa(ch) }

// captionChannel is the channel (1-4) text track id names when the
// period signals it, 0 otherwise.
func captionChannel(pd *manifest.Period, id string) int {
	if pd == nil {
		return 0
	}
	for _, c := range pd.Captions {
		if captionID(c.Channel) == id {
			return c.Channel
		}
	}
	return 0
}

// captionsWanted reports whether fetch should keep the body of a for
// its captions.
func (p *Player) captionsWanted(a *Action) bool {
	if a.Track != TrackVideo || a.Index || a.Kind != transport.KindMedia && a.Kind != transport.KindInit {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	pd := textPeriod(p.core)
	return pd != nil && len(pd.Captions) > 0
}

// captionSegment takes the caption data of a downloaded video init or
// media segment (on a fetch goroutine). Segments it cannot read carry no
// captions; captions never fail playback.
func (p *Player) captionSegment(a *Action, data []byte) {
	cs := &p.captions
	if a.Kind == transport.KindInit {
		tr, err := cea608.ParseInit(data)
		cs.mu.Lock()
		if err == nil {
			cs.track = tr
		}
		cs.mu.Unlock()
		return
	}
	cs.mu.Lock()
	tr := cs.track
	cs.mu.Unlock()
	var frames []cea608.Frame
	var err error
	switch {
	case len(data) > 0 && data[0] == 0x47:
		frames, err = cea608.FromTS(data)
	case tr != nil:
		frames, err = cea608.FromMP4(tr, data)
	default:
		return
	}
	if err != nil || len(frames) == 0 {
		return
	}
	cs.mu.Lock()
	// the stream's own timestamps are kept while they agree with the
	// manifest's segment times; a jump (discontinuity) re-anchors them
	if d := frames[0].PTS + cs.offset - a.Start; !cs.haveOffset || d > time.Second || d < -time.Second {
		cs.offset, cs.haveOffset = a.Start-frames[0].PTS, true
	}
	seg := captionSegment{start: a.Start, end: a.Start + a.Duration, frames: frames}
	for i := range seg.frames {
		seg.frames[i].PTS += cs.offset
	}
	if last := seg.frames[len(seg.frames)-1].PTS; seg.end <= last {
		seg.end = last + time.Second/30
	}
	i := sort.Search(len(cs.segs), func(i int) bool { return cs.segs[i].start >= seg.start })
	if i < len(cs.segs) && cs.segs[i].start == seg.start {
		cs.segs[i] = seg // downloaded again (another rendition)
	} else {
		cs.segs = append(cs.segs, captionSegment{})
		copy(cs.segs[i+1:], cs.segs[i:])
		cs.segs[i] = seg
	}
	if len(cs.segs) > maxCaptionSegments {
		cs.segs = cs.segs[1:]
	}
	cs.mu.Unlock()
	p.feedCaptions()
}

// restartCaptions makes the next feedCaptions decode the kept caption
// data afresh (the text cues were cleared for another track).
func (p *Player) restartCaptions() {
	p.captions.mu.Lock()
	p.captions.dec = nil
	p.captions.mu.Unlock()
}

// feedCaptions decodes the kept caption data not yet decoded for the
// channel of the selected text track and adds the cues to it.
func (p *Player) feedCaptions() {
	s, cs := &p.text, &p.captions
	s.mu.Lock()
	defer s.mu.Unlock()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	ch := 0
	if len(s.want) == 3 && s.want[:2] == "CC" {
		ch = int(s.want[2] - '0') // SelectText checked it against the manifest
	}
	if ch != cs.channel || cs.dec == nil {
		cs.channel, cs.dec, cs.fedEnd, cs.open, cs.seen = ch, nil, -1, nil, map[cueKey]bool{}
		if ch < 1 || ch > 4 {
			return
		}
		cs.dec = cea608.NewDecoder(ch)
	}
	fed := false
	for _, seg := range cs.segs {
		if seg.end <= cs.fedEnd {
			continue
		}
		if d := seg.start - cs.fedEnd; cs.fedEnd >= 0 && (d > 100*time.Millisecond || d < -100*time.Millisecond) {
			// not the next segment (a seek): the screen starts afresh
			cs.dec.Flush(cs.fedEnd)
			cs.dec.Reset()
		}
		for _, f := range seg.frames {
			if cea608.Field(ch) == 1 {
				cs.dec.Decode(f.PTS, f.Field1)
			} else {
				cs.dec.Decode(f.PTS, f.Field2)
			}
		}
		cs.fedEnd, fed = seg.end, true
	}
	if !fed {
		return
	}
	if cs.open != nil {
		for i := range s.cues {
			if s.cues[i] == *cs.open {
				s.cues = append(s.cues[:i], s.cues[i+1:]...)
				break
			}
		}
		cs.open = nil
	}
	for _, c := range cs.dec.Take() {
		k := cueKey{c.Start, c.End, c.Text}
		if cs.seen[k] || len(s.cues) >= maxTextCues {
			continue
		}
		cs.seen[k] = true
		s.cues = append(s.cues, c)
	}
	if c, ok := cs.dec.Showing(cs.fedEnd); ok && len(s.cues) < maxTextCues {
		cs.open = &c
		s.cues = append(s.cues, c)
	}
	text.Sort(s.cues)
	s.poke()
}
