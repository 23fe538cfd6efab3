package download

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"time"

	"github.com/Eyevinn/mp4ff/mp4"
)

// Limits on what the streaming checker buffers.
const (
	maxInitSize = 4 << 20 // init segments are read whole
	maxMoofSize = 8 << 20 // moof and other non-mdat boxes are buffered
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// trackDefaults is what a media segment's check needs from its init segment.
type trackDefaults struct {
	timescale uint32
	trex      *mp4.TrexBox
}

// initInfo is the parsed part of an fMP4 init segment.
type initInfo struct {
	tracks map[uint32]trackDefaults
}

// parseInit reads an init segment (ftyp moov).
func parseInit(data []byte) (*initInfo, error) {
	f, err := mp4.DecodeFile(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	if f.Init == nil || f.Init.Moov == nil || len(f.Init.Moov.Traks) == 0 {
		return nil, fmt.Errorf("no moov with tracks")
	}
	info := &initInfo{tracks: make(map[uint32]trackDefaults)}
	for _, trak := range f.Init.Moov.Traks {
		if trak.Tkhd == nil || trak.Mdia == nil || trak.Mdia.Mdhd == nil {
			return nil, fmt.Errorf("trak without tkhd or mdhd")
		}
		td := trackDefaults{timescale: trak.Mdia.Mdhd.Timescale}
		if mv := f.Init.Moov.Mvex; mv != nil {
			for _, t := range mv.Trexs {
				if t.TrackID == trak.Tkhd.TrackID {
					td.trex = t
				}
			}
		}
		if td.timescale == 0 {
			return nil, fmt.Errorf("track %d: timescale 0", trak.Tkhd.TrackID)
		}
		info.tracks[trak.Tkhd.TrackID] = td
	}
	return info, nil
}

// checker verifies a segment as its bytes stream past, so that
// verification costs no second read. It is an io.Writer; Finish gives the
// verdict. It checks, depending on the kind:
//   - all: byte count against the expected size, CRC-32C for the index;
//   - fMP4 media: a well-formed top-level box sequence ending exactly at
//     the end of the data, each moof's trun sample sizes fitting the mdat
//     that follows it, and the sum of sample durations matching the
//     manifest's segment duration;
//   - fMP4 init: parsable ftyp+moov with tracks;
//   - MPEG-TS: whole 188-byte packets with sync bytes.
type checker struct {
	kind    itemKind
	init    *initInfo
	size    int64 // expected, 0 unknown
	dur     time.Duration
	n       int64
	crc     uint32
	err     error
	initBuf []byte

	// fMP4 box walk.
	hdr        [16]byte
	hdrN       int
	boxType    string
	boxLeft    int64 // payload bytes of the current box still to come
	inBox      bool
	buf        []byte // payload of a buffered box
	moofData   int64  // sample bytes the last moof promised
	moofOpen   bool
	ticks      map[uint32]uint64
	boxes      int
	mdatBoxes  int
	tsLeftover int
}

func newChecker(kind itemKind, init *initInfo, size int64, dur time.Duration) *checker {
	return &checker{kind: kind, init: init, size: size, dur: dur}
}

func (c *checker) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	c.n += int64(len(p))
	c.crc = crc32.Update(c.crc, castagnoli, p)
	if c.size > 0 && c.n > c.size {
		c.err = fmt.Errorf("body longer than the expected %d bytes", c.size)
		return 0, c.err
	}
	switch c.kind {
	case kindInit:
		if len(c.initBuf)+len(p) > maxInitSize {
			c.err = fmt.Errorf("init segment larger than %d bytes", maxInitSize)
			return 0, c.err
		}
		c.initBuf = append(c.initBuf, p...)
	case kindMedia:
		if c.init != nil {
			c.walk(p)
		}
	case kindTS:
		c.walkTS(p)
	}
	if c.err != nil {
		return 0, c.err
	}
	return len(p), nil
}

func (c *checker) walkTS(p []byte) {
	for i := 0; i < len(p); {
		if c.tsLeftover == 0 {
			if p[i] != 0x47 {
				c.err = fmt.Errorf("MPEG-TS sync byte missing at offset %d", c.n-int64(len(p)-i))
				return
			}
			c.tsLeftover = 188
		}
		k := min(c.tsLeftover, len(p)-i)
		c.tsLeftover -= k
		i += k
	}
}

func (c *checker) walk(p []byte) {
	for len(p) > 0 && c.err == nil {
		if !c.inBox {
			if c.hdrN < 8 {
				k := copy(c.hdr[c.hdrN:8], p)
				c.hdrN += k
				p = p[k:]
				if c.hdrN < 8 {
					return
				}
			}
			size := int64(binary.BigEndian.Uint32(c.hdr[:4]))
			typ := string(c.hdr[4:8])
			hl := int64(8)
			if size == 1 {
				k := copy(c.hdr[c.hdrN:16], p)
				c.hdrN += k
				p = p[k:]
				if c.hdrN < 16 {
					return
				}
				size = int64(binary.BigEndian.Uint64(c.hdr[8:16]))
				hl = 16
			}
			if size == 0 {
				c.err = fmt.Errorf("box %q with size 0 (to end of file) is not allowed in a segment", typ)
				return
			}
			if size < hl {
				c.err = fmt.Errorf("box %q size %d smaller than its header", typ, size)
				return
			}
			for i := 4; i < 8; i++ {
				if c.hdr[i] < 0x20 || c.hdr[i] > 0x7e {
					c.err = fmt.Errorf("bad box type %q at offset %d", typ, c.n-int64(len(p))-hl)
					return
				}
			}
			c.hdrN = 0
			c.inBox = true
			c.boxType = typ
			c.boxLeft = size - hl
			c.boxes++
			if typ != "mdat" {
				if size > maxMoofSize {
					c.err = fmt.Errorf("box %q of %d bytes is too large", typ, size)
					return
				}
				c.buf = append(c.buf[:0], c.hdr[:hl]...)
			} else {
				c.mdatBoxes++
				if !c.moofOpen {
					c.err = fmt.Errorf("mdat without a preceding moof")
					return
				}
				if c.moofData > c.boxLeft {
					c.err = fmt.Errorf("moof promises %d sample bytes but mdat holds %d", c.moofData, c.boxLeft)
					return
				}
				c.moofOpen = false
			}
		}
		k := int64(len(p))
		if k > c.boxLeft {
			k = c.boxLeft
		}
		if c.boxType != "mdat" {
			c.buf = append(c.buf, p[:k]...)
		}
		p = p[k:]
		c.boxLeft -= k
		if c.boxLeft == 0 {
			c.inBox = false
			if c.boxType == "moof" {
				c.moof()
			}
		}
	}
}

func (c *checker) moof() {
	if c.moofOpen {
		c.err = fmt.Errorf("moof not followed by mdat")
		return
	}
	b, err := mp4.DecodeBox(0, bytes.NewReader(c.buf))
	if err != nil {
		c.err = fmt.Errorf("moof: %w", err)
		return
	}
	moof, ok := b.(*mp4.MoofBox)
	if !ok {
		c.err = fmt.Errorf("moof decoded as %T", b)
		return
	}
	if c.ticks == nil {
		c.ticks = make(map[uint32]uint64)
	}
	var data int64
	for _, traf := range moof.Trafs {
		if traf.Tfhd == nil {
			c.err = fmt.Errorf("traf without tfhd")
			return
		}
		td, ok := c.init.tracks[traf.Tfhd.TrackID]
		if !ok {
			c.err = fmt.Errorf("traf for track %d that the init segment lacks", traf.Tfhd.TrackID)
			return
		}
		for _, trun := range traf.Truns {
			c.ticks[traf.Tfhd.TrackID] += trun.AddSampleDefaultValues(traf.Tfhd, td.trex)
			data += int64(trun.SizeOfData())
		}
	}
	c.moofData = data
	c.moofOpen = true
}

// Finish returns the verdict once all bytes were written.
func (c *checker) Finish() error {
	if c.err != nil {
		return c.err
	}
	if c.size > 0 && c.n != c.size {
		return fmt.Errorf("got %d bytes, expected %d", c.n, c.size)
	}
	if c.n == 0 {
		return fmt.Errorf("empty body")
	}
	switch c.kind {
	case kindInit:
		info, err := parseInit(c.initBuf)
		if err != nil {
			return fmt.Errorf("init segment: %w", err)
		}
		c.init = info
	case kindTS:
		if c.tsLeftover != 0 {
			return fmt.Errorf("MPEG-TS ends inside a packet")
		}
	case kindMedia:
		if c.init == nil {
			return nil
		}
		if c.inBox || c.hdrN != 0 {
			return fmt.Errorf("data ends inside box %q (truncated)", c.boxType)
		}
		if c.moofOpen {
			return fmt.Errorf("moof without mdat (truncated)")
		}
		if c.mdatBoxes == 0 {
			return fmt.Errorf("no moof/mdat fragment")
		}
		if c.dur > 0 {
			got := c.duration()
			tol := max(250*time.Millisecond, c.dur/10)
			if d := got - c.dur; d > tol || -d > tol {
				return fmt.Errorf("samples last %v, manifest says %v", got, c.dur)
			}
		}
	}
	return nil
}

// duration is the longest track's summed sample durations.
func (c *checker) duration() time.Duration {
	var best time.Duration
	for id, t := range c.ticks {
		ts := c.init.tracks[id].timescale
		d := time.Duration(float64(t) / float64(ts) * float64(time.Second))
		best = max(best, d)
	}
	return best
}
