package player

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/abrkit/abrkit/abr"
	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/player/transport"
)

// Player is the real-time driver: it runs a Core on its own goroutine with
// real fetches (a transport.Fetcher, net/http by default) and timers from
// a Clock. Its methods are safe for concurrent use.
type Player struct {
	o options

	mu      sync.Mutex // guards core, pending, state below
	core    *Core
	pending []Event
	started bool
	closed  bool
	err     error // fatal error of the session
	frozen  bool  // closed: time stands still at core.last

	t0       time.Time
	ctx      context.Context
	stop     context.CancelFunc
	wg       sync.WaitGroup // fetch goroutines
	loopDone chan struct{}
	done     []completion // fetches finished, not yet told the core; guarded by mu

	// The loop runs as steps on a goroutine started when there is
	// something to do (a command, a fetch's end, a timer) and ending when
	// there is not, so an idle player keeps no goroutine.
	smu      sync.Mutex    // guards stepping, again, running
	running  bool          // Load started the loop
	stepping bool          // a step goroutine runs (or the loop has ended)
	again    bool          // woken while stepping: step once more
	step     loopState     // the step goroutine's own state
	loaded   chan struct{} // closed when the manifest is loaded or the session failed
	finished chan struct{} // closed when the session ended, failed or was closed
	loadOnce sync.Once
	endOnce  sync.Once
	loopG    atomic.Uint64 // goroutine ID of the loop, which calls listeners
	tel      *sender       // nil without telemetry

	listeners listenerSet                  // WithListener, then AddListener
	inits     map[Track]*manifest.InitInfo // the last init segment of each track (chunk durations); guarded by mu
	text      textState                    // subtitles (subtitles.go)
	captions  captionState                 // closed captions (subtitles_captions.go)
	thumbs    thumbState                   // trick play (thumbnails.go)
	drm       drmState                     // keys and decryption (drm.go)
}

type completion struct {
	id RequestID
	o  Outcome
}

// New returns a player; nothing happens until Load. It rejects negative
// bitrates, retries, live delay and start position with an *OptionError
// (wrapping ErrBadOption) and an invalid DefaultBufferPolicy with its
// Validate error.
func New(opts ...Option) (*Player, error) {
	o := buildOptions(opts)
	if err := o.validate(); err != nil {
		return nil, err
	}
	if o.core.TargetLatency < 0 {
		return nil, &OptionError{"WithTargetLatency", o.core.TargetLatency, "must be >= 0 (0: the start delay)"}
	}
	if p, ok := o.core.Buffer.(DefaultBufferPolicy); ok {
		if err := p.Validate(); err != nil {
			return nil, err
		}
	}
	p := &Player{o: o, loopDone: make(chan struct{}), loaded: make(chan struct{}), finished: make(chan struct{})}
	cfg := o.core
	if cfg.StartupTimeout == 0 {
		cfg.StartupTimeout = DefaultStartupTimeout
	}
	cfg.Listener = ListenerFunc(func(e Event) { p.pending = append(p.pending, e) })
	p.core = NewCore(cfg)
	o.applyChoices(p.core)
	for _, l := range o.listeners {
		p.AddListener(l)
	}
	if o.telemetry != nil {
		p.tel = newSender(*o.telemetry)
	}
	return p, nil
}

// Load starts playing the manifest at source (an http(s) URL) and returns
// once the presentation is known, or with the error that prevented it.
// ctx bounds the loading only; the session runs until Close or its end,
// also when Load returns ctx's error (Close the player then).
//
// A Player plays one source: every Load after the first returns
// ErrLoaded (after Close, ErrClosed). Make a new Player for another source.
func (p *Player) Load(ctx context.Context, source string) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ErrClosed
	}
	if p.started {
		p.mu.Unlock()
		return ErrLoaded
	}
	p.started = true
	p.t0 = p.o.clock.Now()
	if p.core.cfg.Epoch.IsZero() {
		p.core.cfg.Epoch = p.t0 // the local clock places live windows until UTCTiming corrects it
	}
	p.ctx, p.stop = context.WithCancel(context.Background())
	p.core.Load(0, source)
	p.mu.Unlock()
	p.smu.Lock()
	p.running = true
	p.smu.Unlock()
	p.wake()
	select {
	case <-p.loaded:
	case <-ctx.Done():
		return ctx.Err()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.core.Presentation() == nil {
		if p.err != nil {
			return p.err
		}
		return ErrClosed
	}
	p.startText()
	return nil
}

// now is core time: time since Load by the player's clock.
func (p *Player) now() time.Duration {
	if p.frozen {
		return p.core.last
	}
	d := p.o.clock.Now().Sub(p.t0)
	return max(d, p.core.last)
}

func (p *Player) command(f func(now time.Duration)) {
	p.mu.Lock()
	if p.started && !p.closed {
		f(p.now())
	}
	p.mu.Unlock()
	p.wake()
}

// Play starts or resumes playback.
func (p *Player) Play() { p.command(p.core.Play) }

// Pause pauses playback; loading continues up to the buffer goal.
func (p *Player) Pause() { p.command(p.core.Pause) }

// Seek moves the playhead to pos.
func (p *Player) Seek(pos time.Duration) {
	p.command(func(now time.Duration) { p.core.Seek(now, pos) })
	p.text.seeked()
}

// SeekToLive returns a live stream to the live edge less the live delay
// after a seek back into its DVR window (VOD: nothing happens).
func (p *Player) SeekToLive() {
	p.command(func(now time.Duration) { p.core.SeekToLive(now) })
}

// SeekRange is where Seek can go now: a live stream's DVR window (to the
// live edge less half the live delay), or the whole VOD presentation.
// ok is false until the first playlist is known.
func (p *Player) SeekRange() (start, end time.Duration, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.core.SeekRange()
}

// SetABR switches the ABR algorithm from the next segment on.
func (p *Player) SetABR(a abr.Algorithm) { p.command(func(time.Duration) { p.core.SetABR(a) }) }

// SetMaxBitrate caps video bitrate in bits/s (0: no cap).
func (p *Player) SetMaxBitrate(bps int) {
	p.command(func(time.Duration) { p.core.SetMaxBitrate(bps) })
}

// Status is a snapshot of the player for status lines and UIs.
//
// Its JSON form has the durations in seconds (position_seconds,
// buffered_seconds, duration_seconds), see MarshalJSON.
type Status struct {
	State      State         `json:"state"`            // playback state
	Position   time.Duration `json:"-"`                // playhead, media time
	Buffered   time.Duration `json:"-"`                // media buffered ahead of the playhead (the least over the tracks)
	Duration   time.Duration `json:"-"`                // VOD media duration; 0 while unknown and for live
	Bitrate    int           `json:"bitrate"`          // declared bandwidth of the video at the playhead, bits/s
	Server     string        `json:"server,omitempty"` // server or pathway requests go to; "" when there is no choice
	Throughput float64       `json:"throughput"`       // bandwidth estimate, bits/s
	ABR        string        `json:"abr"`              // name of the ABR algorithm in use
	// TelemetryDropped counts beacons that could not be posted (WithTelemetry).
	TelemetryDropped int `json:"telemetry_dropped,omitempty"`
}

// MarshalJSON writes the tagged fields plus position_seconds,
// buffered_seconds and duration_seconds (the durations in seconds).
func (s Status) MarshalJSON() ([]byte, error) {
	type plain Status // without this method
	return json.Marshal(struct {
		plain
		PositionSeconds float64 `json:"position_seconds"`
		BufferedSeconds float64 `json:"buffered_seconds"`
		DurationSeconds float64 `json:"duration_seconds"`
	}{plain(s), s.Position.Seconds(), s.Buffered.Seconds(), s.Duration.Seconds()})
}

// String is a one-line status: state, position, buffer, bitrate, server, throughput.
func (s Status) String() string {
	srv := s.Server
	if srv == "" {
		srv = "-"
	}
	return fmt.Sprintf("%-9s pos %7.1fs  buf %5.1fs  %-12s server %-8s thr %s",
		s.State, s.Position.Seconds(), s.Buffered.Seconds(), FormatBitrate(float64(s.Bitrate)), srv, FormatBitrate(s.Throughput))
}

// Status returns the current state, position, buffer, bitrate, server and estimate.
func (p *Player) Status() Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.core.last
	if p.started {
		now = p.now()
	}
	est, _ := p.core.Estimate()
	st := Status{State: p.core.State(), Position: p.core.Position(now), Buffered: p.core.Buffered(now), Duration: p.core.Duration(),
		Bitrate: p.core.Bitrate(), Server: p.core.Server(), Throughput: est, ABR: p.core.ABR().Name()}
	if p.tel != nil {
		_, st.TelemetryDropped = p.tel.counts()
	}
	return st
}

// State returns the playback state.
func (p *Player) State() State { return p.Status().State }

// Position returns the playhead.
func (p *Player) Position() time.Duration { return p.Status().Position }

// Buffered returns the media buffered ahead of the playhead.
func (p *Player) Buffered() time.Duration { return p.Status().Buffered }

// Presentation returns the loaded presentation (nil before Load returns).
// It is shared with the player, which keeps reading it (live playlists
// are refreshed into it): treat it as read-only.
func (p *Player) Presentation() *manifest.Presentation {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.core.Presentation()
}

// QoE returns the session's account so far.
func (p *Player) QoE() QoE {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.core.last
	if p.started {
		now = p.now()
	}
	q := p.core.QoE(now)
	if p.tel != nil {
		q.TelemetrySent, q.TelemetryDropped = p.tel.counts()
	}
	return q
}

// Wait blocks until the session ends (nil), fails (its error), is closed
// (ErrClosed) or ctx is done (ctx's error). A session that has already
// finished reports its result even when ctx is done too.
func (p *Player) Wait(ctx context.Context) error {
	select {
	case <-p.finished:
	default:
		// not finished yet: checked first, as select picks at random
		// among ready cases
		select {
		case <-p.finished:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.err != nil:
		return p.err
	case p.core.State() == StateEnded:
		return nil
	}
	return ErrClosed
}

// Close ends the session as a viewer leaving would: in-flight fetches
// are cancelled, the end beacon is posted (with WithTelemetry, bounded by
// its Timeout), and the player's goroutines have exited when it returns.
// Called from a listener, which runs on the player's own goroutine, it
// cannot wait for that goroutine: it returns at once and the goroutines
// exit when the listener returns.
func (p *Player) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	started := p.started
	if started {
		now := p.now()
		p.beacons(p.core.End(now, nil), now)
		p.frozen = true
	}
	p.mu.Unlock()
	if started {
		p.stop()
		p.wake() // the next step sees the session stopped and ends the loop
		if p.loopG.Load() != goroutineID() {
			<-p.loopDone
		}
		p.waitText()
	}
	p.loadOnce.Do(func() { close(p.loaded) })
	p.endOnce.Do(func() { close(p.finished) })
	return nil
}

// beacons queues the telemetry of the beacon actions in acts; p.mu is held.
func (p *Player) beacons(acts []Action, now time.Duration) {
	if p.tel == nil {
		return
	}
	for _, a := range acts {
		if a.Op == OpBeacon {
			p.tel.add(beaconEvent(p.core, a.Beacon, now, p.o.core.SessionID, p.o.core.ContentID))
		}
	}
}

// goroutineID returns the current goroutine's ID, read from the first
// line of its stack ("goroutine 42 [running]:"). Go offers no other way to
// tell whether Close runs on the player's own goroutine; it is only read
// at Close.
func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	var id uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + uint64(c-'0')
	}
	return id
}

// loopState is what the loop keeps between its steps; only the step
// goroutine touches it.
type loopState struct {
	inflight map[RequestID]context.CancelFunc
	acts     []Action
	evs      []Event
	timer    wakeTimer
}

// wake makes the loop step: on a new goroutine unless one is stepping
// already, which then steps once more. Before Load and after the loop
// ended it does nothing.
func (p *Player) wake() {
	p.smu.Lock()
	if !p.running || p.stepping {
		p.again = p.running
		p.smu.Unlock()
		return
	}
	p.stepping = true
	p.smu.Unlock()
	go p.steps()
}

// steps runs the loop's steps until nothing is left to do. The step
// goroutine is the player's goroutine, which calls the listeners.
func (p *Player) steps() {
	p.loopG.Store(goroutineID())
	for {
		if p.stepOnce() {
			p.endLoop() // stepping stays set: no step ever runs again
			return
		}
		p.smu.Lock()
		if !p.again {
			p.stepping = false
			p.smu.Unlock()
			return
		}
		p.again = false
		p.smu.Unlock()
	}
}

// endLoop cancels the fetches in flight and waits for their goroutines,
// posts the queued telemetry and marks the loop done.
func (p *Player) endLoop() {
	ls := &p.step
	ls.timer.stop()
	for _, c := range ls.inflight {
		c()
	}
	p.wg.Wait()
	if p.tel != nil {
		p.tel.close()
	}
	close(p.loopDone)
}

// stepOnce tells the core of one finished fetch (if any), polls it,
// delivers the events, starts and cancels fetches as it says and sets
// the timer for its next wake-up. It reports true when the session was
// stopped (Close).
func (p *Player) stepOnce() (stopped bool) {
	ls := &p.step
	if ls.inflight == nil {
		ls.inflight = map[RequestID]context.CancelFunc{}
	}
	if p.ctx.Err() != nil {
		return true
	}
	p.mu.Lock()
	if len(p.done) > 0 {
		c := p.done[0]
		p.done = append(p.done[:0], p.done[1:]...)
		if len(p.done) > 0 {
			p.smu.Lock()
			p.again = true // one completion per poll, as they came
			p.smu.Unlock()
		}
		if cancel, ok := ls.inflight[c.id]; ok {
			cancel()
			delete(ls.inflight, c.id)
		}
		p.core.Complete(p.now(), c.id, c.o)
	}
	now := p.now()
	var wake time.Duration
	ls.acts, wake = p.core.Poll(now, ls.acts[:0])
	p.beacons(ls.acts, now)
	ls.evs = append(ls.evs[:0], p.pending...)
	p.pending = p.pending[:0]
	for _, e := range ls.evs {
		if e.Kind == EventError && e.Fatal {
			p.err = e.Err // before loaded is closed: Load returns it
		}
	}
	state := p.core.State()
	if p.core.Presentation() != nil || state == StateFailed {
		p.loadOnce.Do(func() { close(p.loaded) })
	}
	p.mu.Unlock()
	for _, e := range ls.evs {
		p.listeners.deliver(e)
	}
	for _, a := range ls.acts {
		switch a.Op {
		case OpCancel:
			if c, ok := ls.inflight[a.ID]; ok {
				c()
				delete(ls.inflight, a.ID)
			}
		case OpFetch:
			ctx, cancel := context.WithCancel(p.ctx)
			ls.inflight[a.ID] = cancel
			p.wg.Add(1)
			go p.fetch(ctx, a)
		}
	}
	if state == StateEnded || state == StateFailed {
		p.loadOnce.Do(func() { close(p.loaded) })
		p.endOnce.Do(func() { close(p.finished) })
	}
	ls.timer.stop()
	if wake != Never {
		ls.timer = p.after(max(wake-now, 0))
	}
	return false
}

// wakeTimer wakes the loop once after a while.
type wakeTimer struct {
	t    *time.Timer   // real clock: no goroutine while it waits
	quit chan struct{} // other clocks: stops the goroutine that waits
	ct   clock.Timer
}

// after wakes the loop after d by the player's clock.
func (p *Player) after(d time.Duration) wakeTimer {
	if _, ok := p.o.clock.(clock.Real); ok {
		return wakeTimer{t: time.AfterFunc(d, p.wake)}
	}
	w := wakeTimer{quit: make(chan struct{}), ct: p.o.clock.NewTimer(d)}
	go func(c <-chan time.Time, quit chan struct{}) {
		select {
		case <-c:
			p.wake()
		case <-quit:
		}
	}(w.ct.C(), w.quit)
	return w
}

func (w *wakeTimer) stop() {
	if w.t != nil {
		w.t.Stop()
	}
	if w.ct != nil {
		w.ct.Stop()
		close(w.quit)
	}
	*w = wakeTimer{}
}

// tell runs f on the core (unless the player is closed) with the core's
// time, from a fetch goroutine, and wakes the loop to poll the core.
func (p *Player) tell(f func(now time.Duration)) {
	p.mu.Lock()
	if !p.closed {
		f(p.now())
	}
	p.mu.Unlock()
	p.wake()
}

// fetch runs one request and reports it to the loop.
func (p *Player) fetch(ctx context.Context, a Action) {
	defer p.wg.Done()
	var body *bytes.Buffer
	// init segments too: chunks need their timescales; encrypted media is
	// decrypted (and so its key checked) also without a decoder
	keep := a.Kind != transport.KindMedia || a.Index || p.o.decoder != nil || p.encrypted(&a)
	captions := p.captionsWanted(&a)
	keep = keep || captions
	if keep {
		body = &bytes.Buffer{}
	}
	req := &transport.Request{URL: a.URL, Kind: a.Kind, Offset: a.Offset, Length: a.Length}
	if p.o.core.CMCD != transport.CMCDOff {
		req.CMCD = &a.CMCD // a is this goroutine's copy
	}
	cw := &capWriter{limit: bodyCap(&a), kind: a.Kind}
	if body != nil {
		cw.w = body
	}
	req.Body = cw // also counts discarded media, so no response is endless
	var split *chunkSplitter
	if a.Chunked {
		p.mu.Lock()
		init := p.inits[a.Track]
		p.mu.Unlock()
		split = &chunkSplitter{w: cw, init: init, now: p.o.clock.Now, onChunk: func(media time.Duration) {
			p.tell(func(now time.Duration) { p.core.Chunk(now, a.ID, media) })
		}}
		req.Body = split
	}
	start := p.o.clock.Now()
	var progress transport.ProgressFunc
	if a.Kind == transport.KindMedia {
		last := start
		progress = func(bytes int64, _ time.Duration) {
			now := p.o.clock.Now()
			if now.Sub(last) < p.o.progress {
				return
			}
			last = now
			p.tell(func(now time.Duration) { p.core.Progress(now, a.ID, bytes) })
		}
	}
	res, err := p.o.fetcher.Fetch(ctx, req, progress)
	if ctx.Err() != nil {
		return // cancelled by the core or Close
	}
	o := Outcome{Err: err, Duration: p.o.clock.Now().Sub(start)}
	if res != nil {
		o.Status, o.Bytes, o.TTFB = res.Status, res.Bytes, res.TTFB
	}
	var he *transport.HTTPError
	if errors.As(err, &he) {
		o.Status = he.Status
		o.RetryAfter = he.RetryAfter
	}
	if split != nil {
		o.Active = max(split.active, time.Millisecond)
	}
	if body != nil {
		o.Body = body.Bytes()
	}
	if err == nil && a.Playlist && p.o.playlists != nil {
		if o.Media = p.o.playlists.parse(o.Body); o.Media != nil {
			o.Body = nil
		}
	}
	if err == nil && a.Kind == transport.KindInit && body != nil {
		if info, perr := manifest.ParseInit(body.Bytes()); perr == nil {
			p.mu.Lock()
			if p.inits == nil {
				p.inits = map[Track]*manifest.InitInfo{}
			}
			p.inits[a.Track] = info
			p.mu.Unlock()
		}
	}
	if err == nil && body != nil && !a.Index && (a.Kind == transport.KindMedia || a.Kind == transport.KindInit) {
		clear, derr := p.decrypt(ctx, &a, o.Body)
		if ctx.Err() != nil {
			return
		}
		if derr != nil {
			o.Err = &PlaybackError{Category: ErrDRM, URL: a.URL, Err: derr}
		}
		o.Body = clear
	}
	if o.Err == nil && captions {
		p.captionSegment(&a, o.Body) // the clear bytes: captions are inside the video
	}
	if o.Err == nil && p.o.decoder != nil && !a.Index && (a.Kind == transport.KindMedia || a.Kind == transport.KindInit) {
		m := Media{Track: a.Track, Init: a.Kind == transport.KindInit, Level: a.Level, Bitrate: a.Bitrate,
			Number: a.Number, Start: a.Start, Duration: a.Duration, Data: o.Body}
		if derr := p.o.decoder.Decode(m); derr != nil {
			o.Err = fmt.Errorf("decoder: %w", derr)
		}
		o.Body = nil
	}
	if ctx.Err() != nil {
		return
	}
	p.mu.Lock()
	p.done = append(p.done, completion{a.ID, o})
	p.mu.Unlock()
	p.wake()
}
