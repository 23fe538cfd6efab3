package player

import (
	"encoding/binary"
	"io"
	"time"

	"github.com/abrkit/abrkit/player/manifest"
)

// maxMoof bounds the moof box a chunkSplitter keeps to read durations.
const maxMoof = 1 << 20

// chunkSplitter follows the top-level boxes of a CMAF segment as its
// bytes arrive (an LL-DASH segment sent chunk by chunk as it is made):
// at the end of each mdat, a moof+mdat chunk is complete, and it reports
// the media received so far (durations from the moof, timescale from the
// init segment) and measures the time spent receiving chunks, without
// the waits between them. Bytes go on to w unchanged. A box it cannot
// follow (size 0, a moof over maxMoof, no init) stops the reports, never
// the download.
type chunkSplitter struct {
	w       io.Writer
	init    *manifest.InitInfo // nil: durations unknown, only Active is measured
	now     func() time.Time
	onChunk func(media time.Duration)

	hdr   [16]byte
	hn    int    // header bytes read of the next box
	left  uint64 // body bytes left of the current box
	inBox bool
	typ   string
	moof  []byte
	lost  bool // gave up following the boxes

	media      time.Duration
	chunkStart time.Time // first byte of the current chunk (zero: none)
	active     time.Duration
}

func (c *chunkSplitter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	if !c.lost {
		c.follow(p[:n])
	}
	return n, err
}

func (c *chunkSplitter) follow(p []byte) {
	for len(p) > 0 && !c.lost {
		if !c.inBox {
			if c.chunkStart.IsZero() {
				c.chunkStart = c.now()
			}
			if c.hn < 8 {
				k := copy(c.hdr[c.hn:8], p)
				c.hn += k
				p = p[k:]
				if c.hn < 8 {
					return
				}
			}
			size := uint64(binary.BigEndian.Uint32(c.hdr[:4]))
			hl := 8
			if size == 1 { // a 64-bit size follows
				k := copy(c.hdr[c.hn:16], p)
				c.hn += k
				p = p[k:]
				if c.hn < 16 {
					return
				}
				size, hl = binary.BigEndian.Uint64(c.hdr[8:16]), 16
			}
			if size < uint64(hl) {
				c.lost = true // size 0 (to the end) or malformed
				return
			}
			c.typ, c.left, c.inBox, c.hn = string(c.hdr[4:8]), size-uint64(hl), true, 0
			if c.typ == "moof" {
				if size > maxMoof {
					c.lost = true
					return
				}
				c.moof = append(c.moof[:0], c.hdr[:hl]...)
			}
		}
		k := int(min(uint64(len(p)), c.left))
		if c.typ == "moof" {
			c.moof = append(c.moof, p[:k]...)
		}
		c.left -= uint64(k)
		p = p[k:]
		if c.left == 0 {
			c.inBox = false
			if c.typ == "mdat" {
				c.chunkDone()
			}
		}
	}
}

// chunkDone adds the chunk whose mdat just ended.
func (c *chunkSplitter) chunkDone() {
	now := c.now()
	c.active += now.Sub(c.chunkStart)
	c.chunkStart = time.Time{}
	if c.init == nil || len(c.moof) == 0 {
		return
	}
	info, err := manifest.ParseMediaSegmentWithInit(c.moof, c.init)
	if err != nil || len(info.Tracks) == 0 {
		c.lost = true
		return
	}
	ft := info.Tracks[0]
	t, ok := c.init.Track(ft.TrackID)
	if !ok || t.Timescale == 0 {
		c.lost = true
		return
	}
	c.media += ft.Length(t.Timescale)
	c.moof = c.moof[:0]
	if c.onChunk != nil {
		c.onChunk(c.media)
	}
}
