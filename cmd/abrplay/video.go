package main

import (
	"context"
	"errors"
	"image"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/abrkit/abrkit/cmd/abrplay/ffdec"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/manifest"
)

// vseg is a downloaded video segment waiting to be decoded.
type vseg struct {
	level      int
	start, dur time.Duration
	data       []byte
}

type vframe struct {
	pts time.Duration
	img *image.RGBA
	gen int
}

// video turns downloaded segments into frames timed on the player's clock.
// The player's fetch goroutines hand segments in (never blocking them: a
// slow decoder must not look like a slow network); one goroutine decodes
// in media order; the render loop pulls the frame due at the playhead.
type video struct {
	dec *ffdec.Decoder

	mu      sync.Mutex
	inits   map[int][]byte
	queue   []vseg
	gen     int
	err     error
	decoded int
	wake    chan struct{}

	frames chan vframe

	// Render side, owned by the render loop.
	next    *vframe
	cur     *image.RGBA
	drawn   bool
	dropped int
	shown   int // frames drawn at least once
}

func newVideo(dec *ffdec.Decoder) *video {
	return &video{dec: dec, inits: map[int][]byte{}, wake: make(chan struct{}, 1), frames: make(chan vframe, 6)}
}

// Decode implements player.Decoder for the video track.
func (v *video) Decode(m player.Media) error {
	if m.Track != player.TrackVideo {
		return nil
	}
	data := append([]byte(nil), m.Data...)
	v.mu.Lock()
	if m.Init {
		v.inits[m.Level] = data
	} else {
		v.queue = append(v.queue, vseg{level: m.Level, start: m.Start, dur: m.Duration, data: data})
	}
	v.mu.Unlock()
	select {
	case v.wake <- struct{}{}:
	default:
	}
	return nil
}

// flush forgets queued and decoded frames (after a seek).
func (v *video) flush() {
	v.mu.Lock()
	v.gen++
	v.queue = v.queue[:0]
	v.mu.Unlock()
}

func (v *video) generation() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.gen
}

// take removes the earliest segment that still matters at pos.
func (v *video) take(pos time.Duration) (vseg, []byte, int, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	sort.SliceStable(v.queue, func(i, j int) bool { return v.queue[i].start < v.queue[j].start })
	for len(v.queue) > 0 {
		s := v.queue[0]
		v.queue = v.queue[1:]
		if s.start+s.dur < pos {
			continue // already played past it
		}
		return s, v.inits[s.level], v.gen, true
	}
	return vseg{}, nil, v.gen, false
}

// run decodes until ctx ends; pos reads the playhead.
func (v *video) run(ctx context.Context, pos func() time.Duration) {
	for {
		s, init, gen, ok := v.take(pos())
		if !ok {
			select {
			case <-ctx.Done():
				return
			case <-v.wake:
				continue
			}
		}
		if err := v.decodeSegment(ctx, s, init, gen, pos); err != nil {
			if ctx.Err() != nil {
				return
			}
			v.mu.Lock()
			v.err = err
			v.mu.Unlock()
		}
	}
}

// lateFrameEvery is how often, in media time, a decoder that has fallen
// behind still hands over a late frame: a machine too slow for real time
// shows a picture that changes a few times a second rather than a frozen
// or empty one.
const lateFrameEvery = 500 * time.Millisecond

func (v *video) decodeSegment(ctx context.Context, s vseg, init []byte, gen int, pos func() time.Duration) error {
	frameDur := 40 * time.Millisecond
	if info, err := manifest.ParseMediaSegment(s.data); err == nil && len(info.Tracks) > 0 && info.Tracks[0].SampleCount > 0 {
		frameDur = s.dur / time.Duration(info.Tracks[0].SampleCount)
	}
	st, err := v.dec.Video(ctx, init, s.data)
	if err != nil {
		return err
	}
	defer st.Close()
	lastSent := -lateFrameEvery // media time of the last frame handed over
	for i := 0; ; i++ {
		img, err := st.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		f := vframe{pts: s.start + time.Duration(i)*frameDur, img: img, gen: gen}
		if f.pts+2*frameDur < pos() && f.pts-lastSent < lateFrameEvery {
			v.dec.Release(img) // late: never shown
			v.mu.Lock()
			v.decoded++
			v.mu.Unlock()
			continue
		}
		select {
		case v.frames <- f:
			lastSent = f.pts
		case <-ctx.Done():
			return ctx.Err()
		}
		v.mu.Lock()
		v.decoded++
		stale := v.gen != gen
		v.mu.Unlock()
		if stale {
			return nil
		}
	}
}

// frameAt returns the frame to show at pos; it counts frames that were
// due but never shown as dropped.
func (v *video) frameAt(pos time.Duration) *image.RGBA {
	gen := v.generation()
	for {
		if v.next == nil {
			select {
			case f := <-v.frames:
				v.next = &f
			default:
				v.markDrawn()
				return v.cur
			}
		}
		if v.next.gen != gen {
			v.dec.Release(v.next.img)
			v.next = nil
			continue
		}
		if v.next.pts > pos {
			v.markDrawn()
			return v.cur
		}
		if v.cur != nil {
			if !v.drawn {
				v.dropped++
			}
			v.dec.Release(v.cur)
		}
		v.cur, v.drawn, v.next = v.next.img, false, nil
	}
}

// markDrawn notes that the current frame is on screen.
func (v *video) markDrawn() {
	if v.cur != nil && !v.drawn {
		v.drawn = true
		v.shown++
	}
}

// shownFrames counts the frames that reached the screen. Render side.
func (v *video) shownFrames() int { return v.shown }

// stats returns decoded and dropped frame counts and the last decode
// error. Call it from the render loop (dropped is render-side state).
func (v *video) stats() (decoded, dropped int, err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.decoded, v.dropped, v.err
}
