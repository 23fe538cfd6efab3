package main

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"

	"github.com/abrkit/abrkit/abr"
	"github.com/abrkit/abrkit/cmd/abrplay/compose"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/manifest"
)

// history keeps the chart series and stall marks; the player's listener
// writes stalls from its goroutine, the game loop reads.
type history struct {
	mu         sync.Mutex
	throughput []compose.Point
	bitrate    []compose.Point
	buffer     []compose.Point
	stalls     []time.Duration
	note       string
	noteAt     time.Time
}

const historyCap = 600 // 150 s of 250 ms samples

func (h *history) add(at time.Duration, st player.Status) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.throughput = appendCapped(h.throughput, compose.Point{At: at, Value: st.Throughput})
	h.bitrate = appendCapped(h.bitrate, compose.Point{At: at, Value: float64(st.Bitrate)})
	h.buffer = appendCapped(h.buffer, compose.Point{At: at, Value: st.Buffered.Seconds()})
}

func appendCapped(s []compose.Point, p compose.Point) []compose.Point {
	if len(s) >= historyCap {
		s = append(s[:0], s[len(s)-historyCap/2:]...)
	}
	return append(s, p)
}

func (h *history) stall(at time.Duration) {
	h.mu.Lock()
	h.stalls = append(h.stalls, at)
	h.mu.Unlock()
}

// game is the ebiten side: input, a status line on stdout for scripts, and
// composing each frame with plain image code.
type game struct {
	p      *player.Player
	src    *source
	vid    *video // nil without ffmpeg
	hist   *history
	out    io.Writer
	start  time.Time
	w, h   int
	canvas *image.RGBA

	overlay  bool
	message  string
	ladder   []int
	abrNames []string
	abrIdx   int
	thr      *throttle
	thrIdx   int

	lastSample time.Time
	lastPrint  time.Duration
	lastShown  int       // frames shown at the last status line
	printedAt  time.Time // wall time of the last status line
	exitAfter  time.Duration
	screenshot string
	layout     compose.Layout
	quit       atomic.Bool // set on Ctrl-C

	subs   *subtitles      // cues to draw (player.WithTextOutput)
	thumbs *thumbView      // seek-bar thumbnails
	ctx    context.Context // bounds thumbnail fetches
}

func (g *game) elapsed() time.Duration { return time.Since(g.start) }

// Update handles input and samples the player.
func (g *game) Update() error {
	st := g.p.Status()
	now := g.elapsed()
	if time.Since(g.lastSample) >= 250*time.Millisecond {
		g.lastSample = time.Now()
		g.hist.add(now, st)
	}
	g.printStatus(st)
	g.handleInput(st)
	if g.quit.Load() || inpututil.IsKeyJustPressed(ebiten.KeyQ) || inpututil.IsKeyJustPressed(ebiten.KeyEscape) {
		return ebiten.Termination
	}
	if g.exitAfter > 0 && now >= g.exitAfter {
		return ebiten.Termination
	}
	if st.State == player.StateEnded || st.State == player.StateFailed {
		if g.exitAfter > 0 {
			return ebiten.Termination
		}
	}
	return nil
}

// printStatus writes a status line for scripts each second of playback,
// and each second of wall time while frames reach the screen without the
// position moving (a slow machine catching up): shown= tells a script
// that a picture is really there.
func (g *game) printStatus(st player.Status) {
	dropped, shown := 0, 0
	if g.vid != nil {
		_, dropped, _ = g.vid.stats()
		shown = g.vid.shownFrames()
	}
	moved := st.Position-g.lastPrint >= time.Second || (g.lastPrint == 0 && st.Position > 0)
	drew := shown != g.lastShown && time.Since(g.printedAt) >= time.Second
	if !moved && !drew {
		return
	}
	if moved {
		g.lastPrint = st.Position
	}
	g.lastShown, g.printedAt = shown, time.Now()
	fmt.Fprintf(g.out, "status state=%s position=%.1f buffer=%.1f bitrate=%d server=%s shown=%d dropped=%d\n",
		st.State, st.Position.Seconds(), st.Buffered.Seconds(), st.Bitrate, st.Server, shown, dropped)
}

func (g *game) handleInput(st player.Status) {
	switch {
	case inpututil.IsKeyJustPressed(ebiten.KeySpace):
		if st.State == player.StatePaused {
			g.p.Play()
		} else {
			g.p.Pause()
		}
	case inpututil.IsKeyJustPressed(ebiten.KeyArrowRight):
		g.seek(st.Position + 10*time.Second)
		g.thumbs.request(g.ctx, st.Position+10*time.Second, 1500*time.Millisecond)
	case inpututil.IsKeyJustPressed(ebiten.KeyArrowLeft):
		g.seek(max(0, st.Position-10*time.Second))
		g.thumbs.request(g.ctx, max(0, st.Position-10*time.Second), 1500*time.Millisecond)
	case inpututil.IsKeyJustPressed(ebiten.KeyT):
		if id := nextTextTrack(g.p); id != "" {
			g.note("subtitles: " + id)
		} else {
			g.note("subtitles off")
		}
	case inpututil.IsKeyJustPressed(ebiten.KeyO):
		g.overlay = !g.overlay
	case inpututil.IsKeyJustPressed(ebiten.KeyA):
		g.abrIdx = (g.abrIdx + 1) % len(g.abrNames)
		if a, err := abr.New(g.abrNames[g.abrIdx]); err == nil {
			g.p.SetABR(a)
			g.note("ABR: " + a.Name())
		}
	case inpututil.IsKeyJustPressed(ebiten.KeyN):
		g.thrIdx = (g.thrIdx + 1) % len(throttleSteps)
		g.thr.set(throttleSteps[g.thrIdx].bps)
		g.note("network: " + throttleSteps[g.thrIdx].name)
	case inpututil.IsKeyJustPressed(ebiten.KeyK):
		g.killEdge(st.Server)
	case inpututil.IsKeyJustPressed(ebiten.KeyR):
		if g.src.restart != nil {
			g.note(fmt.Sprintf("restarted %d edges", g.src.restart()))
		}
	case inpututil.IsMouseButtonJustPressed(ebiten.MouseButtonLeft):
		x, y := ebiten.CursorPosition()
		if image.Pt(x, y).In(g.layout.SeekBar.Inset(-6)) {
			if st.Duration > 0 {
				g.seek(g.layout.SeekTarget(x, st.Duration))
			}
		}
	}
	g.hoverThumb(st)
}

func (g *game) killEdge(server string) {
	if g.src.kill == nil {
		g.note("K kills an edge only with --serve")
		return
	}
	if server == "" {
		g.note("no edge in use")
		return
	}
	if err := g.src.kill(server); err != nil {
		g.note("kill: " + err.Error())
		return
	}
	g.note("killed edge " + server + " (R restarts)")
}

func (g *game) seek(pos time.Duration) {
	if g.vid != nil {
		g.vid.flush()
	}
	g.p.Seek(pos)
}

func (g *game) note(s string) {
	g.hist.mu.Lock()
	g.hist.note, g.hist.noteAt = s, time.Now()
	g.hist.mu.Unlock()
	fmt.Fprintln(g.out, "note", s)
}

// snapshot gathers what the screen shows.
func (g *game) snapshot(st player.Status) compose.Snapshot {
	s := compose.Snapshot{
		Position: st.Position, Buffer: st.Buffered, State: st.State.String(),
		Paused: st.State == player.StatePaused, Stalled: st.State == player.StateStalled,
		Ladder: g.ladder, Current: -1, Server: st.Server, Servers: g.src.servers,
		ABR: st.ABR, Throttle: throttleSteps[g.thrIdx].name, Message: g.message,
	}
	s.Duration = st.Duration
	if p := g.p.Presentation(); p != nil {
		if g.ladder == nil {
			g.ladder = videoLadder(p)
			s.Ladder = g.ladder
		}
		w, h := resolution(p, st.Bitrate)
		s.Width, s.Height = w, h
	}
	for i, b := range s.Ladder {
		if b == st.Bitrate {
			s.Current = i
		}
	}
	if g.vid != nil {
		_, s.DroppedFrames, _ = g.vid.stats()
	}
	if g.subs != nil {
		s.Subtitles = g.subs.current()
	}
	if g.thumbs != nil {
		s.Thumb = g.thumbs.current()
	}
	g.hist.mu.Lock()
	s.Throughput = append([]compose.Point(nil), g.hist.throughput...)
	s.Bitrate = append([]compose.Point(nil), g.hist.bitrate...)
	s.BufferHist = append([]compose.Point(nil), g.hist.buffer...)
	s.Stalls = append([]time.Duration(nil), g.hist.stalls...)
	if s.Message == "" && time.Since(g.hist.noteAt) < 3*time.Second {
		s.Message = g.hist.note
	}
	g.hist.mu.Unlock()
	return s
}

// Draw composes the frame in plain image code and uploads it.
func (g *game) Draw(screen *ebiten.Image) {
	st := g.p.Status()
	var frame image.Image
	if g.vid != nil {
		if f := g.vid.frameAt(st.Position); f != nil {
			frame = f
		}
	}
	g.layout = compose.Compose(g.canvas, frame, g.snapshot(st), g.overlay)
	screen.WritePixels(g.canvas.Pix)
}

// Layout fixes the logical screen size; ebiten scales the window.
func (g *game) Layout(int, int) (int, int) { return g.w, g.h }

// saveScreenshot writes the last composed frame as PNG.
func (g *game) saveScreenshot(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, g.canvas); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// videoLadder lists the video bitrates of the first period, ascending.
func videoLadder(p *manifest.Presentation) []int {
	var l []int
	for _, r := range videoRenditions(p) {
		l = append(l, r.Bandwidth)
	}
	sort.Ints(l)
	return l
}

// resolution returns the size of the video rendition with this bitrate.
func resolution(p *manifest.Presentation, bitrate int) (w, h int) {
	for _, r := range videoRenditions(p) {
		if r.Bandwidth == bitrate {
			return r.Width, r.Height
		}
	}
	return 0, 0
}

func videoRenditions(p *manifest.Presentation) []*manifest.Rendition {
	var out []*manifest.Rendition
	if p == nil || len(p.Periods) == 0 {
		return nil
	}
	for i := range p.Periods[0].Sets {
		set := &p.Periods[0].Sets[i]
		if set.Type != manifest.Video {
			continue
		}
		for j := range set.Renditions {
			if r := &set.Renditions[j]; !r.IFrameOnly {
				out = append(out, r)
			}
		}
	}
	return out
}
