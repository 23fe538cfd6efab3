package main

import (
	"bytes"
	"context"
	"image"
	"image/draw"
	_ "image/jpeg" // DASH thumbnail tiles
	_ "image/png"
	"sync"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/abrkit/abrkit/cmd/abrplay/compose"
	"github.com/abrkit/abrkit/cmd/abrplay/ffdec"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/text"
)

// subtitles is the player's TextOutput: the cues to draw now.
type subtitles struct {
	mu    sync.Mutex
	lines []string
}

func (s *subtitles) ShowCues(_ time.Duration, cues []text.Cue) {
	lines := make([]string, 0, len(cues))
	for _, c := range cues {
		lines = append(lines, c.Text)
	}
	s.mu.Lock()
	s.lines = lines
	s.mu.Unlock()
}

func (s *subtitles) current() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lines
}

// nextTextTrack selects the text track after the one shown (then none).
func nextTextTrack(p *player.Player) string {
	var ids []string
	for _, t := range p.Tracks() {
		if t.Type == "text" {
			ids = append(ids, t.ID)
		}
	}
	cur, next := p.TextTrack(), ""
	for i, id := range ids {
		if id == cur && i+1 < len(ids) {
			next = ids[i+1]
		}
	}
	if cur == "" && len(ids) > 0 {
		next = ids[0]
	}
	if err := p.SelectText(next); err != nil {
		return ""
	}
	return next
}

// thumbView fetches and decodes seek-bar thumbnails off the UI
// goroutine: one at a time, the newest request wins.
type thumbView struct {
	p      *player.Player
	ffmpeg string // "" without ffmpeg: keyframe thumbnails are skipped

	mu      sync.Mutex
	want    time.Duration
	wanted  bool
	running bool
	shown   compose.Thumb
	until   time.Time // show until (zero: while wanted)
	none    bool      // the presentation has no trick-play track
	failed  time.Duration
	failing bool // the thumbnail at failed could not be shown
}

// request asks for the thumbnail at pos, shown for hold after the last
// request (0: until clear).
func (v *thumbView) request(ctx context.Context, pos time.Duration, hold time.Duration) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.none || hold == 0 && v.failing && absDur(pos-v.failed) < time.Second {
		return
	}
	v.want, v.wanted = pos, true
	v.until = time.Time{}
	if hold > 0 {
		v.until = time.Now().Add(hold)
	}
	if !v.running {
		v.running = true
		go v.load(ctx)
	}
}

// clear hides a thumbnail requested without a hold.
func (v *thumbView) clear() {
	v.mu.Lock()
	if v.until.IsZero() {
		v.shown = compose.Thumb{}
	}
	v.mu.Unlock()
}

func (v *thumbView) current() compose.Thumb {
	v.mu.Lock()
	defer v.mu.Unlock()
	if !v.until.IsZero() && time.Now().After(v.until) {
		v.shown = compose.Thumb{}
	}
	return v.shown
}

// load serves requests until none is pending.
func (v *thumbView) load(ctx context.Context) {
	for {
		v.mu.Lock()
		if !v.wanted || ctx.Err() != nil {
			v.running = false
			v.mu.Unlock()
			return
		}
		at := v.want
		v.wanted = false
		v.mu.Unlock()
		img, err := v.picture(ctx, at)
		v.mu.Lock()
		if err == player.ErrNoThumbnails {
			v.none = true
		}
		v.failing, v.failed = img == nil, at
		if img != nil {
			v.shown = compose.Thumb{At: at, Image: img}
		}
		v.mu.Unlock()
	}
}

// picture fetches the thumbnail of at and returns its pixels.
func (v *thumbView) picture(ctx context.Context, at time.Duration) (image.Image, error) {
	th, err := v.p.ThumbnailContext(ctx, at)
	if err != nil {
		return nil, err
	}
	if th.Tile {
		img, _, err := image.Decode(bytes.NewReader(th.Data))
		if err != nil {
			return nil, err
		}
		crop := th.Crop.Intersect(img.Bounds())
		if crop.Empty() {
			return img, nil
		}
		out := image.NewRGBA(image.Rectangle{Max: crop.Size()})
		draw.Draw(out, out.Bounds(), img, crop.Min, draw.Src)
		return out, nil
	}
	if v.ffmpeg == "" {
		return nil, nil
	}
	w, h := 160, 90
	if d := th.Crop.Size(); d.X > 0 && d.Y > 0 {
		h = max(2, 160*d.Y/d.X/2*2)
	}
	s, err := ffdec.New(v.ffmpeg, w, h).Video(ctx, th.Init, th.Data)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	f, err := s.Next()
	if err != nil {
		return nil, err
	}
	return f, nil
}

// hoverThumb shows the thumbnail of the seek-bar position under the
// mouse, and hides it when the mouse leaves the bar.
func (g *game) hoverThumb(st player.Status) {
	if g.thumbs == nil || st.Duration <= 0 {
		return
	}
	x, y := ebiten.CursorPosition()
	if image.Pt(x, y).In(g.layout.SeekBar.Inset(-6)) {
		at := g.layout.SeekTarget(x, st.Duration)
		if cur := g.thumbs.current(); cur.Image == nil || absDur(cur.At-at) >= time.Second {
			g.thumbs.request(g.ctx, at, 0)
		}
		return
	}
	g.thumbs.clear()
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
