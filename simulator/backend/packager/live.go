package packager

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/abrkit/abrkit/clock"
)

// Defaults of ChannelConfig.
const (
	DefaultLiveSegment = 2 * time.Second
	DefaultLivePart    = 500 * time.Millisecond
	DefaultLiveWindow  = 30 * time.Second
	// DefaultLiveFrameRate divides 2 s segments into 0.5 s parts in whole frames.
	DefaultLiveFrameRate = 30.0
	// LiveLoopSegments is how many segments of synthetic content a channel
	// plays in a loop (timestamps keep running across loops).
	LiveLoopSegments = 30
)

// File names a channel adds to a title directory.
const (
	LLDASHManifest = "manifest-ll.mpd" // DASH with availabilityTimeOffset (LL-DASH)
)

// Sentinel errors of blocking requests.
var (
	// ErrTooEarly: a blocking request asks for media that will not exist
	// within the hold limit (LL-HLS servers answer 503).
	ErrTooEarly = errors.New("live: not available within the hold limit")
	// ErrBadRequest: a blocking request names a segment too far ahead or
	// a malformed _HLS_ parameter (LL-HLS servers answer 400).
	ErrBadRequest = errors.New("live: bad blocking request")
)

// ChannelConfig describes a live channel. Zero fields take the defaults
// named.
type ChannelConfig struct {
	ID string
	// SegmentDuration defaults to DefaultLiveSegment (whole frames).
	SegmentDuration time.Duration
	// PartDuration is the LL-HLS part and LL-DASH chunk duration; it must
	// divide the segment in whole frames. Defaults to DefaultLivePart;
	// equal to SegmentDuration means no parts (plain live).
	PartDuration time.Duration
	// Window is the DVR window the playlists keep; defaults to DefaultLiveWindow.
	Window time.Duration
	// LatencyTarget is advertised as LL-HLS PART-HOLD-BACK and the DASH
	// ServiceDescription target; defaults to three parts (plain live:
	// three segments).
	LatencyTarget time.Duration
	LadderKbps    []int
	Seed          int64
	FrameRate     float64 // defaults to DefaultLiveFrameRate
	AudioKbps     int     // defaults to DefaultAudioKbps
	NoAudio       bool
	// MaxHold bounds how long a request for media or a playlist update
	// that does not exist yet is held; defaults to three segments.
	MaxHold time.Duration
	// Start is the availability start time (the wall-clock time of media
	// time 0). Zero: the clock's time at NewChannel less Window, so the
	// window is full from the start.
	Start time.Time
	// Source is a directory of real CMAF (the DASH output of make
	// content) that the channel plays in a loop, decode times running on
	// across loops, in place of synthetic frames. SegmentDuration and
	// FrameRate then come from the source (a SegmentDuration given must
	// match), and PartDuration defaults to the longest whole number of
	// frames up to DefaultLivePart that divides the segment.
	Source string
}

// Channel is a clock-driven live channel: CMAF chunks made on demand from
// the time, packaged as LL-HLS (parts, preload hints, blocking reload,
// delta updates), HLS, DASH and LL-DASH. It is safe for concurrent use.
type Channel struct {
	cfg   ChannelConfig
	clk   clock.Clock
	pkg   *Package
	start time.Time

	feed *feed // nil: synthetic frames
	loop int   // segments of the loop

	sampleDur uint32 // 90 kHz ticks per frame
	fps       int    // frames per segment
	fpp       int    // frames per part
	pps       int    // parts per segment
	wsegs     int    // segments in the window
}

// NewChannel checks cfg and returns a channel running on clk.
func NewChannel(cfg ChannelConfig, clk clock.Clock) (*Channel, error) {
	clk = clock.Or(clk)
	var p *Package
	var fd *feed
	if cfg.Source != "" {
		var err error
		if p, fd, err = loadFeed(cfg.ID, cfg.Source); err != nil {
			return nil, fmt.Errorf("channel %s: %w", cfg.ID, err)
		}
		seg := p.title.SegmentDuration
		if cfg.SegmentDuration != 0 && cfg.SegmentDuration != seg {
			return nil, fmt.Errorf("%w: channel %s: segment_duration %v differs from the source's %v", ErrInvalidValue, cfg.ID, cfg.SegmentDuration, seg)
		}
		cfg.SegmentDuration, cfg.FrameRate = seg, p.title.FrameRate
		if cfg.PartDuration == 0 {
			cfg.PartDuration = feedPart(p.tm)
		}
	}
	if cfg.SegmentDuration == 0 {
		cfg.SegmentDuration = DefaultLiveSegment
	}
	if cfg.PartDuration == 0 {
		cfg.PartDuration = DefaultLivePart
	}
	if cfg.Window == 0 {
		cfg.Window = DefaultLiveWindow
	}
	if cfg.FrameRate == 0 {
		cfg.FrameRate = DefaultLiveFrameRate
	}
	if cfg.MaxHold == 0 {
		cfg.MaxHold = 3 * cfg.SegmentDuration
	}
	if cfg.LatencyTarget == 0 {
		cfg.LatencyTarget = 3 * cfg.PartDuration
	}
	if cfg.PartDuration > cfg.SegmentDuration || cfg.PartDuration < 0 {
		return nil, fmt.Errorf("%w: channel %s: part_duration %v exceeds segment_duration %v", ErrInvalidValue, cfg.ID, cfg.PartDuration, cfg.SegmentDuration)
	}
	if cfg.Window < 3*cfg.SegmentDuration {
		return nil, fmt.Errorf("%w: channel %s: window %v is under three segments", ErrInvalidValue, cfg.ID, cfg.Window)
	}
	if p == nil {
		probe := newTiming(Title{FrameRate: cfg.FrameRate, SegmentDuration: cfg.SegmentDuration, Duration: cfg.SegmentDuration})
		loop := ticksToDuration(uint64(LiveLoopSegments*probe.framesPerSeg)*uint64(probe.sampleDur), videoTimescale)
		var err error
		p, err = Build(Title{ID: cfg.ID, Duration: loop, SegmentDuration: cfg.SegmentDuration, LadderKbps: cfg.LadderKbps,
			Seed: cfg.Seed, FrameRate: cfg.FrameRate, AudioKbps: cfg.AudioKbps, NoAudio: cfg.NoAudio})
		if err != nil {
			return nil, fmt.Errorf("channel %s: %w", cfg.ID, err)
		}
		if p.tm.nSegs != LiveLoopSegments || p.tm.frames(p.tm.nSegs-1) != p.tm.framesPerSeg {
			return nil, fmt.Errorf("%w: channel %s: segment_duration %v does not loop in whole frames", ErrInvalidValue, cfg.ID, cfg.SegmentDuration)
		}
	}
	c := &Channel{cfg: cfg, clk: clk, pkg: p, feed: fd, loop: p.tm.nSegs, sampleDur: p.tm.sampleDur, fps: p.tm.framesPerSeg}
	c.fpp = max(1, int(float64(cfg.PartDuration)*cfg.FrameRate/float64(time.Second)+0.5))
	if c.fps%c.fpp != 0 {
		return nil, fmt.Errorf("%w: channel %s: part_duration %v is not a whole number of frames (%g fps) that divides segment_duration %v", ErrInvalidValue, cfg.ID, cfg.PartDuration, cfg.FrameRate, cfg.SegmentDuration)
	}
	c.pps = c.fps / c.fpp
	c.wsegs = max(3, int(cfg.Window/cfg.SegmentDuration))
	c.start = cfg.Start
	if c.start.IsZero() {
		c.start = clk.Now().Add(-cfg.Window).Truncate(time.Millisecond)
	}
	return c, nil
}

// feedPart is the longest part of whole frames up to DefaultLivePart
// that divides a segment of tm.
func feedPart(tm timing) time.Duration {
	best := 1
	for f := 1; f <= tm.framesPerSeg; f++ {
		if tm.framesPerSeg%f == 0 && ticksToDuration(uint64(f)*uint64(tm.sampleDur), videoTimescale) <= DefaultLivePart {
			best = f
		}
	}
	return ticksToDuration(uint64(best)*uint64(tm.sampleDur), videoTimescale)
}

// ID is the channel's title id.
func (c *Channel) ID() string { return c.cfg.ID }

// Config returns the configuration with defaults applied.
func (c *Channel) Config() ChannelConfig { return c.cfg }

// Start is the availability start time (wall-clock time of media time 0).
func (c *Channel) Start() time.Time { return c.start }

// Renditions lists the channel's renditions (sizes of the loop's segments).
func (c *Channel) Renditions() []Rendition { return c.pkg.Renditions() }

// HasParts reports whether segments are split into parts (LL-HLS, LL-DASH).
func (c *Channel) HasParts() bool { return c.pps > 1 }

func (c *Channel) partTicks() uint64 { return uint64(c.fpp) * uint64(c.sampleDur) }
func (c *Channel) segTicks() uint64  { return uint64(c.fps) * uint64(c.sampleDur) }

// at converts 90 kHz media ticks to wall-clock time.
func (c *Channel) at(ticks uint64) time.Time {
	return c.start.Add(time.Duration(ticks/videoTimescale)*time.Second + time.Duration(ticks%videoTimescale)*time.Second/videoTimescale)
}

// parts is the number of parts complete at now (all segments' parts).
func (c *Channel) parts(now time.Time) int {
	el := now.Sub(c.start)
	if el <= 0 {
		return 0
	}
	// Rounded up: at() rounds down, so a part's own ready time counts it.
	ticks := uint64(el/time.Second)*videoTimescale + (uint64(el%time.Second)*videoTimescale+uint64(time.Second)-1)/uint64(time.Second)
	return int(ticks / c.partTicks())
}

// partReady is when part j of segment n (from 1) is complete.
func (c *Channel) partReady(n, j int) time.Time {
	return c.at(uint64((n-1)*c.pps+j+1) * c.partTicks())
}

// Edge returns the live edge at now: the newest complete segment (0 when
// none) and the parts of the next segment that are complete.
func (c *Channel) Edge(now time.Time) (lastSeg, partsOfNext int) {
	p := c.parts(now)
	return p / c.pps, p % c.pps
}

// Open returns a file of the channel at the clock's time: "master.m3u8",
// "manifest.mpd", "manifest-ll.mpd", "<rendition>/media.m3u8",
// "<rendition>/init.mp4", "<rendition>/seg_<n>.m4s" and
// "<rendition>/part_<n>_<j>.m4s". A query (_HLS_msn, _HLS_part, _HLS_skip)
// makes a media playlist request block until it can be answered; media
// not complete yet is held until it is, up to MaxHold. Unknown files wrap
// [fs.ErrNotExist].
func (c *Channel) Open(ctx context.Context, file string, q url.Values) ([]byte, error) {
	notFound := &fs.PathError{Op: "open", Path: c.cfg.ID + "/" + file, Err: fs.ErrNotExist}
	switch file {
	case MasterPlaylist:
		return append([]byte(nil), c.pkg.manifests[MasterPlaylist]...), nil
	case DASHManifest:
		return c.mpd(c.clk.Now(), false), nil
	case LLDASHManifest:
		if !c.HasParts() {
			return nil, notFound
		}
		return c.mpd(c.clk.Now(), true), nil
	}
	dir, name, ok := strings.Cut(file, "/")
	if !ok {
		return nil, notFound
	}
	switch name {
	case InitSegment, MediaPlaylist:
		r := c.rend(dir)
		if r == nil {
			return nil, notFound
		}
		if name == InitSegment {
			return append([]byte(nil), r.init...), nil
		}
		return c.openPlaylist(ctx, r, q)
	}
	r, n, j, err := c.media(file)
	if err != nil {
		return nil, err
	}
	now := c.clk.Now()
	ready := c.partReady(n, c.pps-1)
	if j >= 0 {
		ready = c.partReady(n, j)
	}
	if err := c.hold(ctx, now, ready); err != nil {
		if errors.Is(err, ErrTooEarly) {
			return nil, notFound
		}
		return nil, err
	}
	if j >= 0 {
		return c.renderChunk(r, n, j)
	}
	// Every part is made by now, so the stream below never waits.
	var seg []byte
	_, err = c.emitSegment(ctx, r, n, func(b []byte) error {
		seg = append(seg, b...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return seg, nil
}

// media finds a segment or part file ("<rendition>/seg_<n>.m4s",
// "<rendition>/part_<n>_<j>.m4s"; j is -1 for a segment) in the window.
// Anything else wraps [fs.ErrNotExist].
func (c *Channel) media(file string) (r *rend, n, j int, err error) {
	notFound := &fs.PathError{Op: "open", Path: c.cfg.ID + "/" + file, Err: fs.ErrNotExist}
	dir, name, _ := strings.Cut(file, "/")
	n, j, ok := parseMediaName(name)
	if !ok || (j >= 0 && (j >= c.pps || !c.HasParts())) {
		return nil, 0, 0, notFound
	}
	if r = c.rend(dir); r == nil {
		return nil, 0, 0, notFound
	}
	if last, _ := c.Edge(c.clk.Now()); n < max(1, last-2*c.wsegs) {
		return nil, 0, 0, notFound
	}
	return r, n, j, nil
}

// emitSegment renders segment n of r part by part, each once it is made.
// It reports whether emit may have been called: false only when the first
// part could not be waited for.
func (c *Channel) emitSegment(ctx context.Context, r *rend, n int, emit func([]byte) error) (bool, error) {
	for k := 0; k < c.pps; k++ {
		if err := c.hold(ctx, c.clk.Now(), c.partReady(n, k)); err != nil {
			return k > 0, err
		}
		b, err := c.renderChunk(r, n, k)
		if err == nil {
			err = emit(b)
		}
		if err != nil {
			return true, err
		}
	}
	return true, nil
}

// StreamSegment sends segment file ("<rendition>/seg_<n>.m4s") of a
// channel with parts chunk by chunk, each as soon as it is made (the
// chunked CMAF transfer LL-DASH players read while it arrives): emit gets
// every chunk in order, the first held up to MaxHold. It reports false,
// sending nothing, for any other file (Open answers those). Unknown
// segments wrap [fs.ErrNotExist].
func (c *Channel) StreamSegment(ctx context.Context, file string, emit func([]byte) error) (bool, error) {
	_, name, ok := strings.Cut(file, "/")
	if !ok || !c.HasParts() {
		return false, nil
	}
	if _, j, ok := parseMediaName(name); !ok || j >= 0 {
		return false, nil
	}
	r, n, _, err := c.media(file)
	if err != nil {
		return false, err
	}
	started, err := c.emitSegment(ctx, r, n, emit)
	if !started && errors.Is(err, ErrTooEarly) {
		return false, &fs.PathError{Op: "open", Path: c.cfg.ID + "/" + file, Err: fs.ErrNotExist}
	}
	return started, err
}

// hold waits until ready, at most MaxHold from now.
func (c *Channel) hold(ctx context.Context, now, ready time.Time) error {
	wait := ready.Sub(now)
	if wait <= 0 {
		return nil
	}
	if wait > c.cfg.MaxHold {
		return ErrTooEarly
	}
	return c.clk.Sleep(ctx, wait)
}

func (c *Channel) rend(id string) *rend {
	for _, r := range c.pkg.rends {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// PartName is the file name of part j (from 0) of segment n (from 1).
func PartName(n, j int) string { return "part_" + strconv.Itoa(n) + "_" + strconv.Itoa(j) + ".m4s" }

// parseMediaName parses "seg_<n>.m4s" (j = -1) and "part_<n>_<j>.m4s".
func parseMediaName(name string) (n, j int, ok bool) {
	num := func(s string) (int, bool) {
		if s == "" || len(s) > 12 || (s[0] == '0' && s != "0") || s[0] == '+' || s[0] == '-' {
			return 0, false
		}
		v, err := strconv.Atoi(s)
		return v, err == nil
	}
	base, isM4s := strings.CutSuffix(name, ".m4s")
	if !isM4s {
		return 0, 0, false
	}
	if s, isSeg := strings.CutPrefix(base, "seg_"); isSeg {
		n, ok := num(s)
		return n, -1, ok && n >= 1
	}
	s, isPart := strings.CutPrefix(base, "part_")
	ns, js, found := strings.Cut(s, "_")
	if !isPart || !found {
		return 0, 0, false
	}
	n, ok1 := num(ns)
	j, ok2 := num(js)
	return n, j, ok1 && ok2 && n >= 1
}

// audioFrameAt is the AAC frame nearest to video time t (90 kHz ticks),
// so that chunks of audio follow the video grid without drift.
func audioFrameAt(t uint64) uint64 {
	num := t * aacSampleRate
	den := uint64(videoTimescale * aacFrameSamples)
	return (2*num + den) / (2 * den)
}

// renderChunk renders part j of segment n of r as one CMAF chunk (moof
// and mdat); a segment is its chunks back to back.
func (c *Channel) renderChunk(r *rend, n, j int) ([]byte, error) {
	if c.feed != nil {
		return c.feed.chunk(c, r, n, j)
	}
	seq := uint32((n-1)*c.pps + j + 1)
	frag, err := mp4.CreateFragment(seq, 1)
	if err != nil {
		return nil, err
	}
	frag.Moof.Traf.Trun.Flags = trunFlags
	frag.Moof.Traf.Tfdt.Version = 1
	t0 := uint64(n-1)*c.segTicks() + uint64(j)*c.partTicks()
	var payload []byte
	switch r.Kind {
	case Video:
		k := (n - 1) % c.loop // an even loop length keeps IDR parity
		all, _ := c.pkg.samples(r, k, nil)
		ss := all[j*c.fpp : (j+1)*c.fpp]
		size := 0
		for _, s := range ss {
			size += int(s.Size)
		}
		payload = make([]byte, size)
		pos := 0
		for i, s := range ss {
			r.avc.putFrame(payload[pos:pos+int(s.Size)], j*c.fpp+i, k, int(s.Size))
			pos += int(s.Size)
		}
		frag.AddSamples(ss, t0)
	default:
		a0, a1 := audioFrameAt(t0), audioFrameAt(t0+c.partTicks())
		ss := make([]mp4.Sample, 0, a1-a0)
		for a := a0; a < a1; a++ {
			size := r.audioFrameSize(int(a))
			ss = append(ss, mp4.Sample{Flags: mp4.SyncSampleFlags, Dur: aacFrameSamples, Size: uint32(size)})
			payload = append(payload, aacFrame(size)...)
		}
		frag.AddSamples(ss, a0*aacFrameSamples)
	}
	frag.Mdat.SetData(payload)
	var b bytes.Buffer
	b.Grow(int(frag.Size()))
	if err := frag.Encode(&b); err != nil {
		return nil, fmt.Errorf("%s %s: %w", c.cfg.ID, PartName(n, j), err)
	}
	return b.Bytes(), nil
}

// Size returns the size of file as Open would answer it once available,
// without rendering it (media of the loop's segment; a part is that
// segment's share), for models that need sizes only.
func (c *Channel) Size(file string) (int64, bool) {
	dir, name, ok := strings.Cut(file, "/")
	if !ok || c.rend(dir) == nil {
		return 0, false
	}
	if name == InitSegment {
		return c.pkg.Size(file)
	}
	n, j, ok := parseMediaName(name)
	if !ok {
		return 0, false
	}
	size, ok := c.pkg.Size(dir + "/seg_" + strconv.Itoa((n-1)%c.loop+1) + ".m4s")
	if j >= 0 {
		size /= int64(c.pps)
	}
	return size, ok
}
