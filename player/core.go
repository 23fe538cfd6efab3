package player

import (
	"errors"
	"time"

	"github.com/abrkit/abrkit/abr"
	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/player/steering"
	"github.com/abrkit/abrkit/player/transport"
)

// CoreConfig configures a Core. Zero fields take the defaults named.
type CoreConfig struct {
	// ABR chooses video levels; it holds per-session state, so each core
	// needs its own instance. Defaults to abr.NewAuto() (DefaultABR).
	ABR abr.Algorithm
	// Estimator turns transfer samples into a bandwidth estimate; one per
	// core. Defaults to abr.DefaultEstimator().
	Estimator abr.Estimator
	// Buffer decides when to load and when to start. Defaults to
	// NewBufferPolicy().
	Buffer BufferPolicy
	// Listener receives events synchronously; nil discards them.
	Listener Listener

	// NewSelector builds the server selector once the presentation is
	// known. Nil: steering.New with Edges and the presentation (probing
	// off) when they name more than one server or a steering server;
	// otherwise requests go where the manifest says.
	NewSelector func(now time.Duration, p *manifest.Presentation) (steering.Selector, error)
	// Edges is the playback API's ranked edge list (may be empty).
	Edges []steering.Edge

	// MaxBitrate caps video levels (bits/s); 0 means no cap.
	MaxBitrate int
	// StartBitrate is the bandwidth assumed before the estimator trusts
	// its samples, bits/s. Defaults to DefaultStartBitrate.
	StartBitrate int
	// LiveDelay is the live start distance behind the live edge. 0 means
	// the manifest's hold-back or suggested delay, else three target
	// durations.
	LiveDelay time.Duration
	// MaxRetries is how many consecutive failures of one request are
	// retried before the error is fatal. Defaults to DefaultMaxRetries.
	MaxRetries int
	// Epoch is the wall-clock time at core time 0; it places DASH live
	// windows of SegmentTemplates without a timeline. Zero: such windows
	// are not generated.
	Epoch time.Time
	// NoLowLatency plays LL-HLS streams as regular HLS: whole segments,
	// HOLD-BACK behind the edge, no blocking playlist reloads.
	NoLowLatency bool
	// TargetLatency is the live latency to hold (distance behind the
	// newest media of the playlist): playback starts there and runs at
	// 0.95-1.05x to return to it. 0: the start delay (LiveDelay, or the
	// manifest's) is the target.
	TargetLatency time.Duration
	// StartupTimeout fails the session (a fatal error event wrapping
	// ErrStartupTimeout) when the first frame has not come this long
	// after Load while playback is wanted. 0: no time-out (the Player
	// defaults to DefaultStartupTimeout).
	StartupTimeout time.Duration
	// StartPosition is where VOD playback starts (0: the beginning).
	StartPosition time.Duration
	// NoAutoPlay leaves the core paused after loading: it buffers but does
	// not start until Play.
	NoAutoPlay bool

	// CMCD is how the driver sends Common Media Client Data; the core
	// fills Action.CMCD unless it is transport.CMCDOff. Defaults to
	// transport.CMCDQuery (the zero value).
	CMCD transport.CMCDMode
	// SessionID and ContentID are the CMCD sid and cid ("" sends none).
	SessionID string
	ContentID string

	// BeaconInterval is the period of BeaconPeriodic actions, counted
	// from Load. Defaults to DefaultBeaconInterval; negative: the core
	// issues no OpBeacon actions at all.
	BeaconInterval time.Duration

	// ProbeEdges is how many top-ranked servers the core probes (a small
	// KindProbe fetch each) before its first media request, when the
	// selector implements steering.Prober. 0, the default: no probing.
	ProbeEdges int
	// ProbeTimeout is how long start-up probing may hold the first media
	// request. Defaults to steering.DefaultProbeTimeout.
	ProbeTimeout time.Duration
}

// DefaultABR names the algorithm a core uses when none is given
// (abr.NewAuto).
const DefaultABR = "auto"

// DefaultStartBitrate is the bandwidth assumed before the first samples.
const DefaultStartBitrate = 1_000_000

// DefaultBeaconInterval is the period of telemetry beacons.
const DefaultBeaconInterval = 30 * time.Second

// Tuning constants of the core.
const (
	retryBase      = 500 * time.Millisecond // first retry delay on the same server
	retryMax       = 8 * time.Second
	historyLen     = 8  // chunks handed to ABR
	switchRingLen  = 16 // buffered level changes remembered for the playhead
	maxRequests    = 6  // manifest, steering, and per track media + playlist (or start-up probes)
	liveCatchUpMin = 6 * time.Second
)

// Core is the player's decision logic: a deterministic state machine with
// no goroutines, no clock reads and no I/O. A driver steps it: it tells
// the core the time (a monotonic time.Duration from any origin) and what
// completed, and the core answers with Actions (fetch this, cancel that)
// and the time it wants to be polled again.
//
// The driving loop is:
//
//	c.Load(now, uri)            // or c.LoadPresentation(now, p) with a parsed, shared manifest
//	for {
//		actions, wake = c.Poll(now, actions[:0])
//		start or cancel each fetch, send each beacon; wait until wake or a completion
//		c.Complete(now, id, outcome) / c.Progress(now, id, bytes)
//	}
//	actions = c.End(now, actions[:0]) // the viewer leaves: cancels and the last beacon
//
// A Core is not safe for concurrent use. Its memory is a few kilobytes;
// the presentation and media playlists it is given are only read, so any
// number of cores may share them.
type Core struct {
	cfg CoreConfig
	abr abr.Algorithm
	est abr.Estimator
	buf BufferPolicy
	sel steering.Selector

	state    State
	uri      string
	pres     *manifest.Presentation
	live     bool
	posKnown bool // live: the start position is decided
	loadAt   time.Duration
	last     time.Duration // time of the last step
	pos      time.Duration // playhead at last
	wantPlay bool
	started  bool
	seeking  bool
	seekWhy  string
	stallAt  time.Duration

	nextID  RequestID
	reqs    [maxRequests]request
	cancels [maxRequests]RequestID
	nCancel int

	// manifest fetching (initial load, DASH live refresh)
	manifestDue   time.Duration // when to (re)fetch; Never when not needed
	manifestFails int
	manifestAt    time.Duration // last successful load

	tracks   [2]track // video, audio
	abrTrack int      // index into tracks of the track ABR drives

	server  string        // current server ID
	pathway string        // current server's variant pathway
	usable  []int         // scratch for Selector.Usable
	steerAt time.Duration // next steering reload; Never when none

	st     abr.State
	sizeFn func(index, level int) (int64, bool) // c.segmentSize, bound once
	hist   [historyLen]abr.Chunk
	nHist  int

	// playhead rendition (abr track) for switch events and bitrate time
	sw        [switchRingLen]switchPoint
	swHead    int
	swLen     int
	playLevel int
	playRate  int
	rateArea  float64 // bits: sum of bitrate x seconds played

	starved bool // a stall began since the last request (CMCD bs)

	beaconAt    time.Duration // next periodic beacon; Never when none
	beaconStart bool          // the start beacon went out
	beaconFinal bool          // the end or error beacon went out
	stopped     bool          // End was called: time stands still

	probing  bool          // start-up probes are in flight
	probed   bool          // probing was tried (at most once per session)
	probeEnd time.Duration // when probing gives up waiting

	timed  bool // the DASH live clock source was chosen (UTCTiming)
	timing bool // its time request, or the MPD reload it needs, is in flight: media waits

	lat  latencyStats // live latency while playing
	rate float64      // playback rate: 1, or 0.95-1.05 holding the target latency
	// shifted: the viewer sought back into a live stream's DVR window;
	// the core neither catches up nor changes the rate until SeekToLive
	// or a seek near the edge
	shifted bool

	qoe QoE

	user choices // quality control and audio track (quality.go, tracks.go)
}

type switchPoint struct {
	at      time.Duration
	level   int32
	bitrate int32
}

// request is one in-flight fetch; id 0 marks a free slot.
type request struct {
	id        RequestID
	kind      transport.Kind
	track     int8 // -1: none
	playlist  bool
	index     bool // a DASH SegmentBase index (sidx) fetch
	last      bool // the final segment of the presentation
	level     int  // rendition index in the set
	rung      int  // ladder index
	num       uint64
	start     time.Duration
	dur       time.Duration
	startedAt time.Duration
	stallAt   time.Duration // qoe stall time when it started
	size      int64
	server    string
	url       string
	init      *manifest.InitSegment
	timing    bool          // a UTCTiming time-source request
	part      bool          // an LL-HLS part (or the part a preload hint names)
	hold      bool          // a blocking playlist reload, held by the server
	chunked   bool          // an LL-DASH segment read chunk by chunk as it is made
	got       time.Duration // chunked: media of the chunks received so far
	key       *manifest.Key // HLS encryption of a media segment
}

// NewCore returns a core in StateIdle.
func NewCore(cfg CoreConfig) *Core {
	c := &Core{cfg: cfg, abr: cfg.ABR, est: cfg.Estimator, buf: cfg.Buffer}
	if c.abr == nil {
		c.abr = abr.NewAuto()
	}
	if c.est == nil {
		c.est = abr.DefaultEstimator()
	}
	if c.buf == nil {
		c.buf = NewBufferPolicy()
	}
	if c.cfg.StartBitrate <= 0 {
		c.cfg.StartBitrate = DefaultStartBitrate
	}
	if c.cfg.MaxRetries <= 0 {
		c.cfg.MaxRetries = DefaultMaxRetries
	}
	if c.cfg.BeaconInterval == 0 {
		c.cfg.BeaconInterval = DefaultBeaconInterval
	}
	if c.cfg.ProbeTimeout <= 0 {
		c.cfg.ProbeTimeout = steering.DefaultProbeTimeout
	}
	c.manifestDue, c.steerAt, c.beaconAt = Never, Never, Never
	c.sizeFn = c.segmentSize
	c.rate = 1
	c.playLevel = -1
	for i := range c.tracks {
		c.tracks[i].reset()
	}
	c.tracks[0].kind, c.tracks[1].kind = TrackVideo, TrackAudio
	return c
}

// Load starts a session for the manifest at uri: the next Poll asks for it.
func (c *Core) Load(now time.Duration, uri string) {
	c.begin(now)
	c.uri = uri
	c.manifestDue = now
}

// LoadPresentation starts a session with an already parsed presentation,
// skipping the manifest fetch. p is never modified and may be shared by
// many cores; HLS renditions whose Loaded is false are fetched as media
// playlists (their parsed form is kept per core).
func (c *Core) LoadPresentation(now time.Duration, p *manifest.Presentation) {
	c.begin(now)
	c.uri = p.URI
	c.setup(now, p)
}

func (c *Core) begin(now time.Duration) {
	c.last, c.loadAt = now, now
	c.state = StateLoading
	c.wantPlay = !c.cfg.NoAutoPlay
	c.pos = c.cfg.StartPosition
	if c.cfg.BeaconInterval > 0 {
		c.beaconAt = now + c.cfg.BeaconInterval
	}
	c.emit(Event{Kind: EventLoading})
}

// Poll advances the playhead to now, makes decisions and appends the
// actions to take to out. wake is the core time at which Poll wants to be
// called again if nothing completes before (Never when only a completion
// or a command can move it on). Time must not run backwards.
func (c *Core) Poll(now time.Duration, out []Action) (actions []Action, wake time.Duration) {
	c.advance(now)
	for i := 0; i < c.nCancel; i++ {
		out = append(out, Action{Op: OpCancel, ID: c.cancels[i]})
	}
	c.nCancel = 0
	if c.stopped || c.state == StateIdle {
		return out, Never
	}
	if c.state == StateFailed {
		return c.finalBeacon(BeaconError, out), Never
	}
	if c.manifestDue <= now && c.slotOf(transport.KindManifest, -1) < 0 {
		out = c.fetchManifest(now, out)
	}
	c.checkStartup(now)
	if c.state == StateFailed {
		return c.finalBeacon(BeaconError, out), Never
	}
	if c.pres == nil {
		return c.beacons(now, out), c.wake(now)
	}
	out = c.startTiming(now, out)
	if c.sel != nil {
		out = c.probe(now, out)
		if !c.probing { // a probe that fails first must not count as a change: the choice is made when probing ends
			c.checkServer(now)
		}
		out = c.steer(now, out)
	}
	if c.live {
		c.catchUp(now)
	}
	if !c.probing && !c.timing {
		c.switchAudio(now)
		for i := range c.tracks {
			out = c.refresh(now, i, out)
			out = c.schedule(now, i, out)
		}
	}
	c.tryStart(now)
	return c.beacons(now, out), c.wake(now)
}

// Outcome is the result of a fetch, given to Core.Complete.
type Outcome struct {
	// Status is the HTTP status; 0 counts as success unless Err is set.
	Status int
	Err    error
	// Bytes received, headers excluded.
	Bytes int64
	// TTFB and Duration are measured from the request start (Duration to
	// the last byte).
	TTFB     time.Duration
	Duration time.Duration
	// Active is, for a Chunked fetch, the time spent receiving its chunks
	// (from each chunk's first byte to its last), without the waits for
	// the server to make them; 0 when not measured.
	Active time.Duration
	// Body is the response body of manifests, playlists and steering
	// manifests; nil for media (only its size counts).
	Body []byte
	// Presentation may replace Body for a manifest request: an already
	// parsed, read-only presentation (shared between cores).
	Presentation *manifest.Presentation
	// Media may replace Body for a media playlist request: an already
	// parsed, read-only playlist (shared between cores).
	Media *manifest.MediaPlaylist
	// RetryAfter is the parsed Retry-After header (steering 429s).
	RetryAfter time.Duration
}

func (o *Outcome) ok() bool {
	return o.Err == nil && (o.Status == 0 || o.Status/100 == 2)
}

// Complete reports that the fetch id finished (successfully or not).
// Unknown or cancelled ids are ignored. Call Poll afterwards.
func (c *Core) Complete(now time.Duration, id RequestID, o Outcome) {
	c.advance(now)
	i := c.slot(id)
	if i < 0 {
		return
	}
	r := c.reqs[i]
	c.reqs[i] = request{}
	c.qoe.Bytes += o.Bytes
	var drm *PlaybackError
	switch {
	case r.kind == transport.KindProbe:
		c.onProbe(now, &r, &o)
	case r.kind == transport.KindSteering:
		c.onSteering(now, &r, &o)
	case r.timing:
		c.onTiming(now, &r, &o)
	case r.kind == transport.KindManifest && !r.playlist:
		c.onManifest(now, &r, &o)
	case r.index:
		c.onIndex(now, &r, &o)
	case r.playlist:
		c.onPlaylist(now, &r, &o)
	case r.track >= 0 && errors.As(o.Err, &drm) && drm.Category == ErrDRM:
		// a driver could not decrypt the media: retrying cannot help
		c.qoe.Errors++
		c.tracks[r.track].req = -1
		c.fail(drm)
	default:
		c.onSegment(now, &r, &o)
	}
	if c.state != StateFailed {
		c.tryStart(now)
	}
}

// Progress reports bytes received so far for an in-flight media fetch;
// it lets the ABR abandon a download that would stall playback (the
// cancel comes out of the next Poll). Calling it is optional. It reports
// whether it abandoned the fetch; a driver that does not Poll after a
// report that abandoned nothing leaves everything else to its next Poll
// (at the wake time or the next completion).
func (c *Core) Progress(now time.Duration, id RequestID, bytes int64) (abandoned bool) {
	i := c.slot(id)
	if i < 0 {
		return false
	}
	r := &c.reqs[i]
	if r.kind != transport.KindMedia || r.part || r.chunked || int(r.track) != c.abrTrack || r.rung == 0 || !c.started || c.seeking {
		return false
	}
	ab, ok := c.abr.(abr.Abandoner)
	if !ok {
		return false
	}
	c.advance(now)
	t := &c.tracks[r.track]
	s := c.abrState(now, t, r.dur, -1)
	p := abr.Progress{Level: r.rung, BytesLoaded: bytes, BytesTotal: r.size, Elapsed: now - r.startedAt}
	lvl, abandon := c.abandonInWindow(ab, s, t, p)
	if !abandon || lvl >= r.rung || lvl < 0 {
		return false
	}
	if p.Elapsed > 0 && bytes > 0 {
		c.est.Add(abr.Sample{Bytes: bytes, Duration: p.Elapsed})
	}
	c.qoe.Abandoned++
	c.emit(Event{Kind: EventAbandon, Track: t.kind, FromLevel: r.rung, Level: lvl,
		FromBitrate: t.bitrates[r.rung], Bitrate: t.bitrates[lvl], Bytes: bytes, Reason: "abr"})
	c.cancel(i)
	t.forced = lvl
	return true
}

// Chunk reports that the first media of a Chunked fetch has arrived:
// complete CMAF chunks adding up to media from the segment's start. That
// media is buffered at once (it plays before the segment is complete).
// Other ids and media not past an earlier report are ignored. Call Poll
// afterwards.
func (c *Core) Chunk(now time.Duration, id RequestID, media time.Duration) {
	i := c.slot(id)
	if i < 0 {
		return
	}
	r := &c.reqs[i]
	if !r.chunked || media <= r.got {
		return
	}
	c.advance(now)
	r.got = min(media, r.dur)
	t := &c.tracks[r.track]
	if t.empty {
		t.bufStart, t.empty = r.start, false
	}
	t.bufEnd = max(t.bufEnd, r.start+r.got)
	c.tryStart(now)
}

// Play starts or resumes playback.
func (c *Core) Play(now time.Duration) {
	c.advance(now)
	c.wantPlay = true
	if c.state == StatePaused {
		c.state = StateBuffering
		c.tryStart(now)
	}
}

// Pause stops the playhead; loading continues up to the buffer goal.
func (c *Core) Pause(now time.Duration) {
	c.advance(now)
	c.wantPlay = false
	switch c.state {
	case StatePlaying, StateStalled:
		c.endStall(now)
		c.state = StatePaused
		c.emit(Event{Kind: EventPaused})
	}
}

// Seek moves the playhead to pos (clamped to the presentation, or for
// live to the available window). Buffered media around pos is kept; the
// rest is dropped and in-flight media fetches are cancelled.
func (c *Core) Seek(now time.Duration, pos time.Duration) {
	c.advance(now)
	if c.pres == nil || !c.posKnown {
		c.cfg.StartPosition = max(pos, 0) // VOD starts there; live starts at the edge
		return
	}
	c.qoe.Seeks++
	pos = c.clamp(pos)
	c.shifted = false
	if l := c.liveLevel(); l != nil {
		c.shifted = c.edgeLL(l)-pos > 2*c.liveDelay(l)+liveCatchUpMin
	}
	if c.shifted {
		c.rate = 1
	}
	c.jump(now, pos, "seek")
}

// SeekToLive moves a live stream's playhead back to the live edge less
// the live delay (after a seek into the DVR window); it does nothing for
// VOD.
func (c *Core) SeekToLive(now time.Duration) {
	c.advance(now)
	l := c.liveLevel()
	if l == nil {
		return
	}
	c.shifted = false
	c.qoe.Seeks++
	c.jump(now, c.edgeLL(l)-c.liveDelay(l), "seek")
}

// SeekRange is where Seek can go: for live, the DVR window (from its
// oldest segment to the live edge less half the live delay); for VOD,
// the presentation. ok is false until the first playlist is known.
func (c *Core) SeekRange() (start, end time.Duration, ok bool) {
	if c.pres == nil || !c.posKnown {
		return 0, 0, false
	}
	t := &c.tracks[c.abrTrack]
	if t.rung < 0 {
		return 0, 0, false
	}
	l := &t.levels[t.ladder[t.rung]]
	if len(l.segs) == 0 {
		return 0, 0, false
	}
	start = l.offset + l.segs[0].Start
	return start, max(start, c.clamp(Never/2)), true
}

// liveLevel is the current level of the ABR track of a live stream that
// has segments, or nil.
func (c *Core) liveLevel() *levelState {
	if !c.live || c.pres == nil {
		return nil
	}
	t := &c.tracks[c.abrTrack]
	if t.rung < 0 {
		return nil
	}
	l := &t.levels[t.ladder[t.rung]]
	if len(l.segs) == 0 || l.endList {
		return nil
	}
	return l
}

// jump moves the playhead; reason is "seek" or "catch_up".
func (c *Core) jump(now, pos time.Duration, reason string) {
	c.endStall(now)
	inBuf := true
	for i := range c.tracks {
		t := &c.tracks[i]
		if t.active && (t.empty || pos < t.bufStart || pos >= t.bufEnd) {
			inBuf = false
		}
	}
	c.pos = pos
	if inBuf {
		if c.state == StateEnded {
			c.state = StateBuffering
		}
		c.emit(Event{Kind: EventSeekDone, Reason: reason})
		c.tryStart(now)
		return
	}
	for i := range c.tracks {
		t := &c.tracks[i]
		if !t.active {
			continue
		}
		if t.req >= 0 {
			c.cancel(t.req)
		}
		t.flush(pos)
	}
	c.swLen = 0
	c.seeking, c.seekWhy = true, reason
	if c.state != StatePaused {
		c.state = StateBuffering
	}
}

// SetMaxBitrate caps video levels to bits/s (0: no cap). It applies from
// the next segment decision.
func (c *Core) SetMaxBitrate(bps int) { c.cfg.MaxBitrate = bps }

// SetABR replaces the ABR algorithm from the next decision.
func (c *Core) SetABR(a abr.Algorithm) {
	if a != nil {
		c.abr = a
	}
}

// ABR returns the algorithm in use.
func (c *Core) ABR() abr.Algorithm { return c.abr }

// State returns the playback state.
func (c *Core) State() State { return c.state }

// Presentation returns the loaded presentation (nil before it is known).
func (c *Core) Presentation() *manifest.Presentation { return c.pres }

// Server returns the current server ID ("" without steering).
func (c *Core) Server() string { return c.server }

// Estimate returns the bandwidth estimate in bits/s.
func (c *Core) Estimate() (bps float64, ok bool) { return c.est.Estimate() }

// Bitrate returns the video bitrate at the playhead (0 before the first frame).
func (c *Core) Bitrate() int { return c.playRate }

// Position returns the playhead at now (now must not be before the last step).
func (c *Core) Position(now time.Duration) time.Duration {
	if c.state == StatePlaying && now > c.last && !c.stopped {
		return c.pos + min(c.mediaOf(now-c.last), c.ahead())
	}
	return c.pos
}

// Buffered returns how much media is buffered ahead of the playhead at
// now (the minimum over the active tracks).
func (c *Core) Buffered(now time.Duration) time.Duration {
	a := c.ahead()
	if c.state == StatePlaying && now > c.last && !c.stopped {
		a -= min(c.mediaOf(now-c.last), a)
	}
	return a
}

// QoE returns the session's quality-of-experience account at now.
func (c *Core) QoE(now time.Duration) QoE {
	q := c.qoe
	area := c.rateArea
	if now > c.last && !c.stopped {
		switch c.state {
		case StatePlaying:
			d := min(c.mediaOf(now-c.last), c.ahead())
			q.PlayTime += d
			area += float64(c.playRate) * d.Seconds()
		case StateStalled:
			q.StallTime += now - c.last
		}
	}
	if q.PlayTime > 0 {
		q.AvgBitrate = area / q.PlayTime.Seconds()
	}
	q.Live = c.live
	if mean, p95, ok := c.lat.summary(0.95); ok {
		q.LiveLatencySeconds, q.LiveLatencyP95Seconds = round6(mean), round6(p95)
	}
	q.LastBitrate = c.playRate
	q.LastServer = c.server
	q.finish(c.Position(now))
	return q
}

func (c *Core) emit(e Event) {
	if c.cfg.Listener == nil {
		return
	}
	e.At = c.last
	if e.Position == 0 {
		e.Position = c.pos
	}
	c.cfg.Listener.OnEvent(e)
}

func (c *Core) slot(id RequestID) int {
	if id == 0 {
		return -1
	}
	for i := range c.reqs {
		if c.reqs[i].id == id {
			return i
		}
	}
	return -1
}

// slotOf finds an in-flight request of kind for track (-1: none).
func (c *Core) slotOf(kind transport.Kind, track int8) int {
	for i := range c.reqs {
		if c.reqs[i].id != 0 && c.reqs[i].kind == kind && c.reqs[i].track == track && !c.reqs[i].playlist && !c.reqs[i].timing {
			return i
		}
	}
	return -1
}

// issue records r in a free slot and appends its fetch action.
func (c *Core) issue(now time.Duration, r request, off, length int64, out []Action) ([]Action, int) {
	i := -1
	for j := range c.reqs {
		if c.reqs[j].id == 0 {
			i = j
			break
		}
	}
	if i < 0 {
		return out, -1
	}
	c.nextID++
	r.id = c.nextID
	r.startedAt = now
	r.stallAt = c.qoe.StallTime
	c.reqs[i] = r
	a := Action{Op: OpFetch, ID: r.id, Kind: r.kind, URL: r.url, Offset: off, Length: length, Server: r.server,
		Number: r.num, Start: r.start, Duration: r.dur, Size: r.size, Index: r.index, Chunked: r.chunked, Playlist: r.playlist, Key: r.key}
	if c.cfg.CMCD != transport.CMCDOff {
		c.fillCMCD(&a.CMCD, &r)
	}
	if r.track >= 0 {
		t := &c.tracks[r.track]
		a.Track, a.Level, a.Rendition = t.kind, r.rung, r.level
		if r.rung >= 0 && r.rung < len(t.bitrates) {
			a.Bitrate = t.bitrates[r.rung]
		}
	}
	return append(out, a), i
}

// cancel frees slot i and queues the cancel action for the next Poll.
func (c *Core) cancel(i int) {
	r := &c.reqs[i]
	if r.track >= 0 {
		t := &c.tracks[r.track]
		if t.req == i {
			t.req = -1
		}
		if t.plReq == i {
			t.plReq = -1
		}
	}
	if c.nCancel < len(c.cancels) {
		c.cancels[c.nCancel] = r.id
		c.nCancel++
	}
	*r = request{}
}

func (c *Core) fail(err *PlaybackError) {
	err.Fatal = true
	c.qoe.FatalError = err.Error()
	c.endStall(c.last)
	c.state = StateFailed
	for i := range c.reqs {
		if c.reqs[i].id != 0 {
			c.cancel(i)
		}
	}
	c.emit(Event{Kind: EventError, Err: err, Category: err.Category, Fatal: true})
}

// failure counts a failed request and describes it: an HTTP error for a
// non-2xx status, else a network error.
func (c *Core) failure(r *request, o *Outcome) *PlaybackError {
	c.qoe.Errors++
	err := &PlaybackError{Category: ErrNetwork, URL: r.url, Status: o.Status, Err: o.Err}
	if o.Status != 0 && o.Status/100 != 2 {
		err.Category = ErrHTTP
		if err.Err == nil {
			err.Err = ErrStatus
		}
	}
	return err
}

func backoff(fails int) time.Duration {
	d := retryBase
	for i := 1; i < fails && d < retryMax; i++ {
		d *= 2
	}
	return min(d, retryMax)
}

// Duration returns the media duration of a VOD presentation: the
// manifest's, or for HLS the end of the video track's loaded media
// playlist. It is 0 while unknown and for live streams.
func (c *Core) Duration() time.Duration {
	if c.pres == nil || c.live {
		return 0
	}
	if c.pres.Duration > 0 {
		return c.pres.Duration
	}
	if c.abrTrack < 0 || c.abrTrack >= len(c.tracks) {
		return 0
	}
	t := &c.tracks[c.abrTrack]
	for _, li := range t.ladder {
		if l := &t.levels[li]; l.loaded && len(l.segs) > 0 {
			s := l.segs[len(l.segs)-1]
			return l.offset + s.Start + s.Duration
		}
	}
	return 0
}
