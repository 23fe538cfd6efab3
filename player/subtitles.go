package player

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/player/text"
	"github.com/abrkit/abrkit/player/transport"
)

// TextOutput receives the subtitles to show. ShowCues is called on the
// player's text goroutine each time the cues active at the playhead
// change (cues is empty when nothing is to be shown), with the playhead
// it was decided at. It must not block for long.
type TextOutput interface {
	ShowCues(pos time.Duration, cues []text.Cue)
}

// TextOutputFunc adapts a function to TextOutput.
type TextOutputFunc func(pos time.Duration, cues []text.Cue)

// ShowCues calls f.
func (f TextOutputFunc) ShowCues(pos time.Duration, cues []text.Cue) { f(pos, cues) }

// Subtitle delivery tuning.
const (
	// TextLookahead is how far ahead of the playhead text segments are
	// fetched.
	TextLookahead = 30 * time.Second
	// TextPollInterval bounds how long the text goroutine waits before it
	// looks at the playhead again (seeks and pauses are noticed within it).
	TextPollInterval = 100 * time.Millisecond
	// maxTextCues bounds the cues kept for the selected track.
	maxTextCues = 50000
	// mpegtsWrap is the period of 33-bit MPEG-2 timestamps.
	mpegtsWrap = 1 << 33
	// textRetries is how often a text segment is retried before it is
	// skipped; subtitles never fail playback.
	textRetries = 3
)

// textState is the subtitle side of a Player: the selected text track,
// the cues loaded for it and the goroutine that loads and shows them.
type textState struct {
	mu       sync.Mutex // guards the fields below
	want     string     // selected text set ID ("" off)
	explicit bool       // want was set by SelectText (else: WithTextLanguage decides at load)
	cues     []text.Cue // of the track being shown, sorted
	shown    []text.Cue // last delivered to the output

	kick    chan struct{}
	done    chan struct{} // closed when the goroutine exits; nil when not started
	gid     atomic.Uint64
	started bool
}

// SelectText shows the text track id (a TrackInfo.ID of Tracks with
// Type "text": a subtitle track, or closed captions "CC1" to "CC4");
// "" turns subtitles off. Before Load returns the choice is
// kept and checked when the presentation is known; after, an unknown ID
// gives ErrNoTrack.
func (p *Player) SelectText(id string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	pres := p.core.Presentation()
	if pres != nil && id != "" && textSetIndex(p.core, id) < 0 && captionChannel(textPeriod(p.core), id) == 0 {
		return ErrNoTrack
	}
	s := &p.text
	s.mu.Lock()
	defer s.mu.Unlock()
	s.want, s.explicit = id, true
	if s.started && s.done == nil && id != "" && !p.closed {
		p.goText() // the first track after Load
		return nil
	}
	s.poke()
	return nil
}

// TextTrack returns the ID of the text track being shown ("" for none).
func (p *Player) TextTrack() string {
	p.text.mu.Lock()
	defer p.text.mu.Unlock()
	return p.text.want
}

// Cues returns the cues of the selected text track active at media time
// at, among those loaded (the player loads TextLookahead ahead of the
// playhead).
func (p *Player) Cues(at time.Duration) []text.Cue {
	p.text.mu.Lock()
	defer p.text.mu.Unlock()
	return activeCues(p.text.cues, at, nil)
}

// seeked wakes the text goroutine so the cues of the new position show
// at once.
func (s *textState) seeked() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.poke()
}

// poke wakes the text goroutine (if started); s.mu is held.
func (s *textState) poke() {
	if s.kick == nil {
		return
	}
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// textSetIndex is the index of the text set id in the period being
// played, -1 when there is none.
func textSetIndex(c *Core, id string) int {
	pd := textPeriod(c)
	if pd == nil {
		return -1
	}
	for i := range pd.Sets {
		if pd.Sets[i].Type == manifest.Text && pd.Sets[i].ID == id && len(pd.Sets[i].Renditions) > 0 {
			return i
		}
	}
	return -1
}

// textPeriod is the period the video (else audio) track plays.
func textPeriod(c *Core) *manifest.Period {
	i := textPeriodIndex(c)
	if i < 0 {
		return nil
	}
	return &c.pres.Periods[i]
}

// textPeriodIndex is the index of textPeriod, -1 when there is none.
func textPeriodIndex(c *Core) int {
	if c.pres == nil || len(c.pres.Periods) == 0 {
		return -1
	}
	period := 0
	switch {
	case c.tracks[0].active:
		period = c.tracks[0].period
	case c.tracks[1].active:
		period = c.tracks[1].period
	}
	if period >= len(c.pres.Periods) {
		return -1
	}
	return period
}

// startText picks the text track (WithTextLanguage unless SelectText
// chose) and starts the text goroutine when there is an output for cues
// or a track is selected. p.mu is held; the presentation is known.
func (p *Player) startText() {
	s := &p.text
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || p.closed {
		return
	}
	if !s.explicit && p.o.textLang != "" {
		if pd := textPeriod(p.core); pd != nil {
			best := -1
			for i := range pd.Sets {
				set := &pd.Sets[i]
				if set.Type != manifest.Text || len(set.Renditions) == 0 || !langMatch(set.Lang, p.o.textLang) {
					continue
				}
				if best < 0 || set.Default && !pd.Sets[best].Default {
					best = i
				}
			}
			if best >= 0 {
				s.want = pd.Sets[best].ID
			} else {
				// no subtitles in the language: captions in it
				for _, c := range pd.Captions {
					if langMatch(c.Lang, p.o.textLang) {
						s.want = captionID(c.Channel)
						break
					}
				}
			}
		}
	}
	if s.want != "" && textSetIndex(p.core, s.want) < 0 && captionChannel(textPeriod(p.core), s.want) == 0 {
		s.want = ""
	}
	s.started = true
	if s.want != "" || p.o.textOut != nil {
		p.goText()
	}
	// else the goroutine starts with the first SelectText: a player
	// without subtitles keeps no idle goroutine
}

// goText starts the text goroutine; p.mu and p.text.mu are held.
func (p *Player) goText() {
	s := &p.text
	s.kick = make(chan struct{}, 1)
	s.done = make(chan struct{})
	go p.runText()
}

// waitText waits for the text goroutine to exit (not when called on it,
// from a TextOutput).
func (p *Player) waitText() {
	s := &p.text
	s.mu.Lock()
	done := s.done
	s.mu.Unlock()
	if done != nil && s.gid.Load() != goroutineID() {
		<-done
	}
}

// textView is what the text goroutine needs from the core: the playhead,
// and a private copy of the selected text rendition when it changed.
type textView struct {
	pos    time.Duration
	period int // index of the period being loaded
	closed bool
}

func (p *Player) textPos() textView {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.core.State() == StateFailed {
		return textView{closed: true}
	}
	return textView{pos: p.core.Position(p.now()), period: textPeriodIndex(p.core)}
}

// textTrack is the private state of the text track being loaded.
type textTrack struct {
	id          string
	lang        string             // of the set, to follow it into later periods
	r           manifest.Rendition // copy: the core may refresh the shared one
	periodStart time.Duration
	vars        map[string]string
	hls         bool
	loaded      bool   // playlist known (HLS) / segments resolved
	done        []bool // per segment: fetched and parsed (or given up)
	fails       []int
	live        *textLive          // a live HLS playlist: reloaded (subtitles_live.go)
	mp4         *text.MP4TextTrack // fMP4 text (stpp, wvtt): from the init segment
	tsBase      uint64             // MPEG-TS time of media 0 (see text.VTT.MediaCues)
	haveBase    bool
	retryAt     time.Duration // no request before this clock time since Load (backoff)
	plFails     int           // failures of the playlist
	dead        bool          // the track cannot be loaded; cues stay empty
	seen        map[cueKey]bool
}

type cueKey struct {
	start, end time.Duration
	text       string
}

// bindText copies the rendition of text set id, or when the period has
// none (a new DASH period) of the set in lang, of the period being
// loaded (p.mu is taken). nil when there is none.
func (p *Player) bindText(id, lang string) *textTrack {
	p.mu.Lock()
	defer p.mu.Unlock()
	pd := textPeriod(p.core)
	i := textSetIndex(p.core, id)
	if i < 0 && lang != "" && pd != nil {
		for j := range pd.Sets {
			if set := &pd.Sets[j]; set.Type == manifest.Text && len(set.Renditions) > 0 && langMatch(set.Lang, lang) {
				i = j
				break
			}
		}
	}
	if i < 0 {
		return nil
	}
	src := &pd.Sets[i].Renditions[0]
	t := &textTrack{id: id, lang: pd.Sets[i].Lang, r: *src, periodStart: pd.Start, vars: p.core.pres.Variables,
		hls: p.core.pres.Format == manifest.FormatHLS, seen: map[cueKey]bool{}}
	t.r.Segments = append([]manifest.Segment(nil), src.Segments...)
	t.loaded = !t.hls || src.Loaded
	t.done, t.fails = make([]bool, len(t.r.Segments)), make([]int, len(t.r.Segments))
	return t
}

// runText is the text goroutine: it loads the selected track's segments
// ahead of the playhead and shows the cues active at it.
func (p *Player) runText() {
	s := &p.text
	s.gid.Store(goroutineID())
	defer close(s.done)
	var cur *textTrack
	bound, boundPeriod, lang := "", -1, ""
	for {
		v := p.textPos()
		if v.closed || p.ctx.Err() != nil {
			return
		}
		s.mu.Lock()
		want := s.want
		s.mu.Unlock()
		if want != bound || v.period != boundPeriod {
			if want != bound {
				// another track: its cues replace the old ones
				s.mu.Lock()
				s.cues = nil
				s.mu.Unlock()
				lang = ""
				p.restartCaptions()
				p.feedCaptions() // closed captions: from the video already downloaded
			}
			// a new period keeps the cues and follows the language
			bound, boundPeriod, cur = want, v.period, nil
			if want != "" {
				if cur = p.bindText(want, lang); cur != nil {
					lang = cur.lang
				}
			}
		}
		busy := false
		if cur != nil && !cur.dead && p.now0() >= cur.retryAt {
			busy = p.loadText(cur, v.pos)
		}
		if v = p.textPos(); v.closed {
			return
		}
		next := p.showText(v.pos)
		if busy {
			continue // more to load: no wait
		}
		if want == "" {
			// nothing selected: sleep until SelectText
			select {
			case <-p.ctx.Done():
				return
			case <-s.kick:
			}
			continue
		}
		wait := TextPollInterval
		if next > v.pos {
			wait = min(wait, next-v.pos)
		}
		t := p.o.clock.NewTimer(wait)
		select {
		case <-p.ctx.Done():
			t.Stop()
			return
		case <-s.kick:
		case <-t.C():
		}
		t.Stop()
	}
}

// now0 is clock time since Load.
func (p *Player) now0() time.Duration { return p.o.clock.Now().Sub(p.t0) }

// showText delivers the cues active at pos when they changed and returns
// the next time the active set changes (0 when none is known).
func (p *Player) showText(pos time.Duration) (next time.Duration) {
	s := &p.text
	s.mu.Lock()
	act := activeCues(s.cues, pos, nil)
	changed := !sameCues(act, s.shown)
	if changed {
		s.shown = act
	}
	for _, c := range s.cues {
		for _, t := range [2]time.Duration{c.Start, c.End} {
			if t > pos && (next == 0 || t < next) {
				next = t
			}
		}
	}
	s.mu.Unlock()
	if changed && p.o.textOut != nil {
		p.o.textOut.ShowCues(pos, act)
	}
	return next
}

func activeCues(cues []text.Cue, at time.Duration, dst []text.Cue) []text.Cue {
	for _, c := range cues {
		if c.Start > at {
			break // sorted by start
		}
		if c.Active(at) {
			dst = append(dst, c)
		}
	}
	return dst
}

func sameCues(a, b []text.Cue) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// loadText does one step of loading t: its playlist, or the next segment
// within TextLookahead of pos. It reports whether there may be more to do
// at once.
func (p *Player) loadText(t *textTrack, pos time.Duration) bool {
	if !t.loaded || t.live != nil && p.now0() >= t.live.reloadAt {
		data, err := p.fetchText(t.r.PlaylistURI, transport.KindManifest, nil, MaxManifestBytes)
		if err == nil {
			var m *manifest.MediaPlaylist
			if m, err = manifest.ParseHLSMediaWithVars(data, t.r.PlaylistURI, t.vars); err == nil {
				t.r.ApplyMedia(m)
				first := !t.loaded
				t.loaded = true
				t.done, t.fails = make([]bool, len(t.r.Segments)), make([]int, len(t.r.Segments))
				if !m.EndList || t.live != nil {
					p.liveText(t)
				}
				return first
			}
		}
		if t.loaded {
			t.live.reloadAt = p.now0() + t.live.interval(t) // a failed reload: the next one in time
			return false
		}
		return p.textFailed(t, -1, err)
	}
	if t.live != nil && !t.live.placed {
		return false // not on the timeline yet: the next reload tries again
	}
	for i := range t.r.Segments {
		seg := &t.r.Segments[i]
		abs := t.periodStart + seg.Start
		if t.done[i] || seg.Gap || seg.Duration > 0 && abs+seg.Duration <= pos {
			continue
		}
		if abs > pos+TextLookahead {
			return false
		}
		if err := p.loadTextSegment(t, seg); err != nil {
			return p.textFailed(t, i, err)
		}
		t.markDone(i)
		return true
	}
	return false
}

// textFailed counts a failure of segment i (-1: the playlist); after
// textRetries the segment is skipped (the playlist: the track is given
// up). Subtitles never fail playback.
func (p *Player) textFailed(t *textTrack, i int, err error) bool {
	if p.ctx.Err() != nil {
		return false
	}
	n := 0
	if i >= 0 {
		t.fails[i]++
		n = t.fails[i]
	} else {
		t.plFails++
		n = t.plFails
	}
	if n >= textRetries {
		if i < 0 {
			t.dead = true
		} else {
			t.markDone(i)
		}
		p.textError(err)
		return i >= 0
	}
	t.retryAt = p.now0() + time.Duration(n)*500*time.Millisecond
	return false
}

// textError reports a failed subtitle load as a non-fatal error event.
func (p *Player) textError(err error) {
	cat := ErrNetwork
	var he *transport.HTTPError
	var pe *manifest.ParseError
	switch {
	case errors.As(err, &he):
		cat = ErrHTTP
	case errors.As(err, &pe):
		cat = ErrManifest
	case errors.Is(err, text.ErrSyntax), errors.Is(err, text.ErrTooLarge), errors.Is(err, errTextFormat), errors.Is(err, ErrTooLarge):
		cat = ErrMedia
	}
	p.mu.Lock()
	if !p.closed {
		p.pending = append(p.pending, Event{Kind: EventError, At: p.now(), Position: p.core.Position(p.now()),
			Err: fmt.Errorf("subtitles: %w", err), Category: cat, Reason: "text"})
	}
	p.mu.Unlock()
	p.wake()
}

// fetchText fetches url (rg: a byte range, nil for all) through the
// player's fetcher, up to limit bytes.
func (p *Player) fetchText(url string, kind transport.Kind, rg *manifest.ByteRange, limit int64) ([]byte, error) {
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	return p.fetchBytes(ctx, url, kind, rg, limit)
}

// errTextFormat is returned for text segments in a format the player
// does not read.
var errTextFormat = errors.New("unsupported subtitle format")

// loadTextSegment fetches and parses one text segment and adds its cues.
func (p *Player) loadTextSegment(t *textTrack, seg *manifest.Segment) error {
	data, err := p.fetchText(seg.URI, transport.KindMedia, seg.Range, text.MaxDocumentBytes)
	if err != nil {
		return err
	}
	cues, err := p.parseTextSegment(t, seg, data)
	if err != nil {
		return err
	}
	end := t.periodStart + seg.Start + seg.Duration
	s := &p.text
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.want != t.id {
		return nil // switched meanwhile
	}
	for _, c := range cues {
		if c.End == text.Unbounded && seg.Duration > 0 {
			c.End = end
		}
		k := cueKey{c.Start, c.End, c.Text}
		if t.seen[k] || len(s.cues) >= maxTextCues {
			continue // segmented WebVTT repeats cues that span segments
		}
		t.seen[k] = true
		s.cues = append(s.cues, c)
	}
	text.Sort(s.cues)
	return nil
}

// parseTextSegment recognises WebVTT, TTML and fMP4 text ('stpp',
// 'wvtt') and returns the cues on the presentation timeline.
func (p *Player) parseTextSegment(t *textTrack, seg *manifest.Segment, data []byte) ([]text.Cue, error) {
	body := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case bytes.HasPrefix(body, []byte("WEBVTT")):
		v, err := text.ParseVTT(data)
		if err != nil {
			return nil, err
		}
		if v.Map != nil && !t.haveBase {
			if len(v.Cues) == 0 {
				return nil, nil // nothing to place; anchor on a segment with cues
			}
			t.tsBase, t.haveBase = vttBase(v, seg), true
		}
		if v.Map == nil && t.live != nil {
			return text.Shift(v.MediaCues(0), t.periodStart+t.live.unmapped(v, seg)), nil
		}
		return text.Shift(v.MediaCues(t.tsBase), t.periodStart), nil
	case bytes.HasPrefix(body, []byte("<")):
		cues, err := text.ParseTTML(data)
		if err != nil {
			return nil, err
		}
		return text.Shift(cues, t.periodStart-t.r.PresentationTimeOffset), nil
	case len(data) >= 8 && isBox(data[4:8]):
		if t.mp4 == nil {
			init := seg.Init
			if init == nil {
				init = t.r.Init
			}
			if init == nil {
				return nil, fmt.Errorf("%w: fMP4 text without an init segment", errTextFormat)
			}
			b, err := p.fetchText(init.URI, transport.KindInit, init.Range, text.MaxDocumentBytes)
			if err != nil {
				return nil, err
			}
			if t.mp4, err = text.ParseMP4TextInit(b); err != nil {
				return nil, fmt.Errorf("%w: %v", errTextFormat, err)
			}
		}
		cues, err := text.ParseMP4Text(t.mp4, data)
		if err != nil {
			return nil, err
		}
		return text.Shift(cues, t.periodStart-t.r.PresentationTimeOffset), nil
	}
	return nil, errTextFormat
}

// vttBase picks the MPEG-2 time of media time 0 from the first WebVTT
// segment with a map and cues. Packagers write the map one of two ways:
// cue times are media times and the map ties them to the video's PTS
// (Apple; the same map in every segment), or each segment's cues start
// from 0 and its map gives the segment's own PTS. The first reading is
// taken unless it puts the cues outside their segment and the second
// does not, so playback may start in any segment.
func vttBase(v *text.VTT, seg *manifest.Segment) uint64 {
	ticks := func(d time.Duration) uint64 { return uint64(d*90000/time.Second) % mpegtsWrap }
	media := (v.Map.MPEGTS + mpegtsWrap - ticks(v.Map.Local)) % mpegtsWrap
	own := (v.Map.MPEGTS + mpegtsWrap - ticks(seg.Start)) % mpegtsWrap
	inSegment := func(base uint64) bool {
		const slack = 500 * time.Millisecond
		for _, c := range v.MediaCues(base) {
			if c.End > seg.Start-slack && c.Start < seg.Start+seg.Duration+slack {
				return true
			}
		}
		return false
	}
	if !inSegment(media) && inSegment(own) {
		return own
	}
	return media
}

func isBox(typ []byte) bool {
	switch string(typ) {
	case "ftyp", "styp", "moof", "moov", "sidx", "emsg", "prft":
		return true
	}
	return false
}
