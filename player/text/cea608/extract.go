package cea608

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/Eyevinn/mp4ff/avc"
	"github.com/Eyevinn/mp4ff/mp4"
	"github.com/Eyevinn/mp4ff/sei"

	"github.com/abrkit/abrkit/player/text"
)

// Frame is the caption data of one video frame: the byte pairs of each
// field (parity bits kept) and the frame's presentation time in the
// stream's own timeline (MP4: the track's media time; TS: the PES PTS).
type Frame struct {
	PTS            time.Duration
	Field1, Field2 []byte
}

// ErrFormat is wrapped by the errors for segments that are not fMP4 or
// MPEG-TS with H.264 video.
var ErrFormat = errors.New("cea608: not H.264 video in fMP4 or MPEG-TS")

// MaxSegmentBytes bounds the segments ParseInit, FromMP4 and FromTS read.
const MaxSegmentBytes = 64 << 20

// recoverMP4 turns a panic of the MP4 parser on hostile input into an
// error.
func recoverMP4(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: mp4: %v", ErrFormat, r)
	}
}

// maxSEIPerSample bounds the SEI NAL units read from one sample.
const maxSEIPerSample = 16

// FromNALUs returns the caption bytes of the SEI NAL units among nalus
// (one access unit, without start codes or length prefixes).
func FromNALUs(nalus [][]byte) (f1, f2 []byte) {
	n := 0
	for _, nalu := range nalus {
		if len(nalu) < 2 || avc.GetNaluType(nalu[0]) != avc.NALU_SEI {
			continue
		}
		if n++; n > maxSEIPerSample {
			break
		}
		msgs, err := sei.ExtractSEIData(bytes.NewReader(nalu[1:]))
		if err != nil && !errors.Is(err, sei.ErrRbspTrailingBitsMissing) {
			continue
		}
		for i := range msgs {
			if msgs[i].Type() != sei.SEIUserDataRegisteredITUtT35Type {
				continue
			}
			cc, err := sei.ExtractCTA608sei(&msgs[i])
			if err != nil || !isGA94(msgs[i].Payload()) {
				continue
			}
			f1 = append(f1, cc.Field1...)
			f2 = append(f2, cc.Field2...)
		}
	}
	return f1, f2
}

func isGA94(p []byte) bool {
	return len(p) >= sei.ITUDataSize && p[0] == 0xb5 && p[1] == 0 && p[2] == 0x31 && string(p[3:7]) == "GA94" && p[7] == 3
}

// Track is the H.264 video track of an fMP4 init segment.
type Track struct {
	ID        uint32
	Timescale uint32
	trex      *mp4.TrexBox
}

// ParseInit finds the H.264 video track of an fMP4 init segment.
func ParseInit(data []byte) (t *Track, err error) {
	if len(data) > MaxSegmentBytes {
		return nil, fmt.Errorf("%w: init segment over %d bytes", ErrFormat, MaxSegmentBytes)
	}
	defer recoverMP4(&err)
	f, err := mp4.DecodeFile(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if f.Init == nil || f.Init.Moov == nil {
		return nil, fmt.Errorf("%w: no moov", ErrFormat)
	}
	for _, trak := range f.Init.Moov.Traks {
		if trak.Mdia == nil || trak.Mdia.Hdlr == nil || trak.Mdia.Hdlr.HandlerType != "vide" || trak.Mdia.Mdhd == nil {
			continue
		}
		if trak.Mdia.Minf == nil || trak.Mdia.Minf.Stbl == nil || trak.Mdia.Minf.Stbl.Stsd == nil || trak.Mdia.Minf.Stbl.Stsd.AvcX == nil {
			continue
		}
		if trak.Tkhd == nil || trak.Mdia.Mdhd.Timescale == 0 {
			continue
		}
		t := &Track{ID: trak.Tkhd.TrackID, Timescale: trak.Mdia.Mdhd.Timescale}
		t.trex = text.Trex(f.Init.Moov, t.ID)
		return t, nil
	}
	return nil, fmt.Errorf("%w: no H.264 video track", ErrFormat)
}

// FromMP4 returns the caption data of the frames of an fMP4 media
// segment of t, in presentation order. Frames without captions are
// left out.
func FromMP4(t *Track, seg []byte) (frames []Frame, err error) {
	if len(seg) > MaxSegmentBytes {
		return nil, fmt.Errorf("%w: segment over %d bytes", ErrFormat, MaxSegmentBytes)
	}
	defer recoverMP4(&err)
	f, err := mp4.DecodeFile(bytes.NewReader(seg))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	trex := t.trex
	if trex == nil {
		trex = &mp4.TrexBox{TrackID: t.ID}
	}
	if t.Timescale == 0 {
		return nil, fmt.Errorf("%w: no timescale", ErrFormat)
	}
	var out []Frame
	for _, s := range f.Segments {
		for _, frag := range s.Fragments {
			if frag.Moof == nil || frag.Mdat == nil {
				continue
			}
			samples, err := frag.GetFullSamples(trex)
			if err != nil {
				return nil, fmt.Errorf("%w: %v", ErrFormat, err)
			}
			for i := range samples {
				nalus, _ := avc.GetNalusFromSample(samples[i].Data) // a broken sample has no captions
				f1, f2 := FromNALUs(nalus)
				pts := time.Duration(samples[i].PresentationTime()) * time.Second / time.Duration(t.Timescale)
				out = append(out, Frame{PTS: pts, Field1: f1, Field2: f2})
			}
		}
	}
	sortFrames(out)
	return out, nil
}

func sortFrames(fs []Frame) {
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].PTS < fs[j].PTS })
}

// MPEG-TS constants.
const (
	tsPacket   = 188
	streamH264 = 0x1b
	ptsWrap    = 1 << 33
	maxPES     = 8 << 20 // bytes of one video PES
)

// FromTS returns the caption data of the frames of an MPEG-TS segment's
// H.264 stream (the first in its PMT), in presentation order (frames
// without captions too). PTS values are 90 kHz ticks as durations,
// unwrapped from the segment's first.
func FromTS(seg []byte) ([]Frame, error) {
	if len(seg) > MaxSegmentBytes {
		return nil, fmt.Errorf("%w: segment over %d bytes", ErrFormat, MaxSegmentBytes)
	}
	pmtPID, videoPID := -1, -1
	var pes []byte
	var pts int64
	havePTS, first := false, int64(-1)
	var out []Frame
	flush := func() {
		if videoPID < 0 || len(pes) == 0 {
			return
		}
		pts, havePTS = parsePES(pes, &pes)
		if !havePTS {
			pes = pes[:0]
			return
		}
		if first < 0 {
			first = pts
		} else if d := pts - first; d < -ptsWrap/2 {
			pts += ptsWrap
		}
		f1, f2 := FromNALUs(avc.ExtractNalusFromByteStream(pes))
		out = append(out, Frame{PTS: time.Duration(pts) * time.Second / 90000, Field1: f1, Field2: f2})
		pes = pes[:0]
	}
	if len(seg) < tsPacket || seg[0] != 0x47 {
		return nil, fmt.Errorf("%w: no TS sync byte", ErrFormat)
	}
	for off := 0; off+tsPacket <= len(seg); off += tsPacket {
		p := seg[off : off+tsPacket]
		if p[0] != 0x47 {
			return out, fmt.Errorf("%w: lost TS sync at %d", ErrFormat, off)
		}
		pusi := p[1]&0x40 != 0
		pid := int(p[1]&0x1f)<<8 | int(p[2])
		afc := p[3] >> 4 & 3
		payload := p[4:]
		if afc&2 != 0 {
			n := int(payload[0]) + 1
			if n > len(payload) {
				continue
			}
			payload = payload[n:]
		}
		if afc&1 == 0 {
			continue
		}
		switch {
		case pid == 0 && pusi:
			pmtPID = parsePAT(payload)
		case pid == pmtPID && pusi && videoPID < 0:
			videoPID = parsePMT(payload)
		case pid == videoPID:
			if pusi {
				flush()
			}
			if len(pes)+len(payload) <= maxPES {
				pes = append(pes, payload...)
			}
		}
	}
	flush()
	if videoPID < 0 {
		return nil, fmt.Errorf("%w: no H.264 stream in the PMT", ErrFormat)
	}
	sortFrames(out)
	return out, nil
}

// section returns the PSI section that starts payload (after the
// pointer field), nil when it is cut short.
func section(payload []byte) []byte {
	if len(payload) < 1 || int(payload[0])+1 > len(payload) {
		return nil
	}
	s := payload[1+int(payload[0]):]
	if len(s) < 3 {
		return nil
	}
	n := int(s[1]&0x0f)<<8 | int(s[2])
	if 3+n > len(s) || n < 9 {
		return nil
	}
	return s[:3+n-4] // without the CRC
}

func parsePAT(payload []byte) int {
	s := section(payload)
	for i := 8; i+4 <= len(s); i += 4 {
		if prog := int(s[i])<<8 | int(s[i+1]); prog != 0 {
			return int(s[i+2]&0x1f)<<8 | int(s[i+3])
		}
	}
	return -1
}

func parsePMT(payload []byte) int {
	s := section(payload)
	if len(s) < 12 {
		return -1
	}
	i := 12 + (int(s[10]&0x0f)<<8 | int(s[11]))
	for i+5 <= len(s) {
		typ, pid := s[i], int(s[i+1]&0x1f)<<8|int(s[i+2])
		if typ == streamH264 {
			return pid
		}
		i += 5 + (int(s[i+3]&0x0f)<<8 | int(s[i+4]))
	}
	return -1
}

// parsePES reads the PTS of a PES packet and sets *es to its payload.
func parsePES(b []byte, es *[]byte) (pts int64, ok bool) {
	if len(b) < 9 || b[0] != 0 || b[1] != 0 || b[2] != 1 {
		return 0, false
	}
	hl := 9 + int(b[8])
	if hl > len(b) || b[7]&0x80 == 0 || len(b) < 14 {
		return 0, false
	}
	p := b[9:14]
	pts = int64(p[0]>>1&0x07)<<30 | int64(p[1])<<22 | int64(p[2]>>1)<<15 | int64(p[3])<<7 | int64(p[4]>>1)
	*es = b[hl:]
	return pts, true
}
