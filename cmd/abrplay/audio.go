package main

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/abrkit/abrkit/cmd/abrplay/ffdec"
	"github.com/abrkit/abrkit/player"
)

const (
	bytesPerSecond = ffdec.AudioRate * ffdec.AudioChannels * 2
	frameBytes     = ffdec.AudioChannels * 2
	// maxDrift is how far the audio may run from the playhead before it
	// jumps back onto it; the player clock is the master.
	maxDrift = 80 * time.Millisecond
)

type pcmSeg struct {
	start time.Duration
	pcm   []byte
}

type rawAudio struct {
	level int
	start time.Duration
	data  []byte
}

// audioPipe decodes audio segments to PCM and plays them on the player's clock:
// Read (called by the sound card's goroutine) serves the samples at the
// playhead, silence when paused or stalled.
type audioPipe struct {
	dec *ffdec.Decoder

	mu    sync.Mutex
	inits map[int][]byte
	raw   []rawAudio
	segs  []pcmSeg
	err   error
	wake  chan struct{}

	pos     func() time.Duration
	playing func() bool
	at      time.Duration // audio clock (Read side only)
}

func newAudio(dec *ffdec.Decoder, pos func() time.Duration, playing func() bool) *audioPipe {
	return &audioPipe{dec: dec, inits: map[int][]byte{}, wake: make(chan struct{}, 1), pos: pos, playing: playing}
}

// Decode implements player.Decoder for the audio track.
func (a *audioPipe) Decode(m player.Media) error {
	if m.Track != player.TrackAudio {
		return nil
	}
	data := append([]byte(nil), m.Data...)
	a.mu.Lock()
	if m.Init {
		a.inits[m.Level] = data
	} else {
		a.raw = append(a.raw, rawAudio{level: m.Level, start: m.Start, data: data})
	}
	a.mu.Unlock()
	select {
	case a.wake <- struct{}{}:
	default:
	}
	return nil
}

func (a *audioPipe) run(ctx context.Context) {
	for {
		a.mu.Lock()
		var r rawAudio
		ok := len(a.raw) > 0
		if ok {
			r, a.raw = a.raw[0], a.raw[1:]
		}
		init := a.inits[r.level]
		a.mu.Unlock()
		if !ok {
			select {
			case <-ctx.Done():
				return
			case <-a.wake:
				continue
			}
		}
		pcm, err := a.dec.Audio(ctx, init, r.data)
		a.mu.Lock()
		if err != nil {
			a.err = err
		} else {
			a.segs = append(a.segs, pcmSeg{start: r.start, pcm: pcm})
			sort.Slice(a.segs, func(i, j int) bool { return a.segs[i].start < a.segs[j].start })
			a.prune(a.pos())
		}
		a.mu.Unlock()
		if ctx.Err() != nil {
			return
		}
	}
}

// prune drops PCM that ended more than 10 s before pos.
func (a *audioPipe) prune(pos time.Duration) {
	keep := a.segs[:0]
	for _, s := range a.segs {
		end := s.start + time.Duration(len(s.pcm))*time.Second/bytesPerSecond
		if end > pos-10*time.Second {
			keep = append(keep, s)
		}
	}
	a.segs = keep
}

// Read fills p with the samples at the audio clock.
func (a *audioPipe) Read(p []byte) (int, error) {
	n := len(p) / frameBytes * frameBytes
	clear(p[:n])
	if !a.playing() {
		a.at = a.pos()
		return n, nil
	}
	if pos := a.pos(); a.at < pos-maxDrift || a.at > pos+maxDrift {
		a.at = pos
	}
	a.mu.Lock()
	a.fill(p[:n], a.at)
	a.mu.Unlock()
	a.at += time.Duration(n) * time.Second / bytesPerSecond
	return n, nil
}

// fill copies PCM for [at, at+len(p)) into p, leaving gaps silent.
func (a *audioPipe) fill(p []byte, at time.Duration) {
	for _, s := range a.segs {
		off := (at - s.start).Seconds() * bytesPerSecond
		o := int(off) / frameBytes * frameBytes
		if o >= len(s.pcm) || o+len(p) <= 0 {
			continue
		}
		dst, src := p, s.pcm
		if o < 0 {
			dst = p[-o:]
		} else {
			src = s.pcm[o:]
		}
		copy(dst, src)
	}
}
