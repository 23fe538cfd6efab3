package manifest

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"strings"
	"time"

	mbits "github.com/Eyevinn/mp4ff/bits"
	"github.com/Eyevinn/mp4ff/hevc"
	"github.com/Eyevinn/mp4ff/mp4"
)

// InitInfo describes an fMP4 initialisation segment.
type InitInfo struct {
	Tracks []TrackInfo
}

// TrackInfo is one track of an init segment.
type TrackInfo struct {
	ID         uint32
	Type       MediaType // 0 for tracks of another kind (hint, meta)
	Timescale  uint32
	Codec      string // RFC 6381 codec string, e.g. avc1.64001f, mp4a.40.2
	Width      int
	Height     int
	SampleRate int
	Channels   int
	Lang       string
	Encrypted  bool

	// trex defaults, used for media segments whose tfhd/trun omit them.
	DefaultSampleDuration uint32
	DefaultSampleSize     uint32
	DefaultSampleFlags    uint32
	hasTrex               bool
}

// Track returns the track with the given ID.
func (i *InitInfo) Track(id uint32) (TrackInfo, bool) {
	for _, t := range i.Tracks {
		if t.ID == id {
			return t, true
		}
	}
	return TrackInfo{}, false
}

// SegmentInfo describes an fMP4 media segment: every fragment's trafs.
type SegmentInfo struct {
	SequenceNumber uint32 // mfhd of the first fragment
	Fragments      int
	Tracks         []FragmentTrack // one per track ID, merged over fragments, in order of appearance
}

// FragmentTrack sums the trafs of one track in a media segment.
// Times are in the track's timescale (see InitInfo).
type FragmentTrack struct {
	TrackID        uint32
	BaseDecodeTime uint64 // tfdt of the first traf
	Duration       uint64 // sum of sample durations
	SampleCount    int
	KeyFrames      int  // sync samples
	StartsWithKey  bool // first sample is a sync sample
	Size           int  // sum of sample sizes
}

// Start and Length convert decode time and duration with a timescale.
func (t FragmentTrack) Start(timescale uint32) time.Duration {
	return ticksToDuration(t.BaseDecodeTime, timescale)
}

// Length is Duration in time units of the timescale.
func (t FragmentTrack) Length(timescale uint32) time.Duration {
	return ticksToDuration(t.Duration, timescale)
}

// topBox is a top-level box found by walkBoxes.
type topBox struct {
	typ    string
	offset int // of the box header in data
	data   []byte
}

// walkBoxes splits data into top-level boxes, checking every size
// against the bytes present before mp4ff allocates anything.
func walkBoxes(data []byte) ([]topBox, error) {
	var out []topBox
	for pos := 0; pos < len(data); {
		if len(data)-pos < 8 {
			return nil, &ParseError{Path: fmt.Sprintf("box@%d", pos), Msg: fmt.Sprintf("%d trailing bytes, too few for a box header", len(data)-pos)}
		}
		size := uint64(binary.BigEndian.Uint32(data[pos:]))
		typ := string(data[pos+4 : pos+8])
		hdr := uint64(8)
		switch size {
		case 0:
			size = uint64(len(data) - pos)
		case 1:
			if len(data)-pos < 16 {
				return nil, &ParseError{Path: typ + fmt.Sprintf("@%d", pos), Field: "largesize", Msg: "truncated"}
			}
			size = binary.BigEndian.Uint64(data[pos+8:])
			hdr = 16
		}
		if size < hdr || size > uint64(len(data)-pos) {
			return nil, &ParseError{Path: boxName(typ) + fmt.Sprintf("@%d", pos), Field: "size", Msg: fmt.Sprintf("box size %d does not fit the %d bytes left", size, len(data)-pos)}
		}
		out = append(out, topBox{typ: typ, offset: pos, data: data[pos : pos+int(size)]})
		pos += int(size)
	}
	return out, nil
}

func boxName(t string) string {
	for i := 0; i < len(t); i++ {
		if t[i] < 0x20 || t[i] > 0x7e {
			return fmt.Sprintf("%q", t)
		}
	}
	return t
}

// decodeBox decodes one top-level box with mp4ff, turning a panic on
// hostile input into an error.
func decodeBox(b topBox) (box mp4.Box, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &ParseError{Path: b.typ, Msg: fmt.Sprintf("cannot decode: %v", r)}
		}
	}()
	data := b.data
	if len(data) >= 8 && binary.BigEndian.Uint32(data) == 0 {
		// Size 0 (to end of data) is not accepted by mp4ff: make it explicit.
		d := make([]byte, len(data))
		copy(d, data)
		binary.BigEndian.PutUint32(d, uint32(len(d)))
		data = d
	}
	box, err = mp4.DecodeBoxSR(uint64(b.offset), mbits.NewFixedSliceReader(data))
	if err != nil {
		return nil, &ParseError{Path: boxName(b.typ) + fmt.Sprintf("@%d", b.offset), Msg: "cannot decode", Err: err}
	}
	return box, nil
}

// ParseSidx reads the segment index (sidx box) found at indexRange of
// mediaURI. data holds the bytes of indexRange; boxes before the sidx are
// skipped. The returned segments carry byte ranges into mediaURI, start
// times from the earliest presentation time, and Numbers from 1.
func ParseSidx(data []byte, mediaURI string, indexRange ByteRange) ([]Segment, error) {
	boxes, err := walkBoxes(data)
	if err != nil {
		return nil, withURI(err, mediaURI)
	}
	for _, b := range boxes {
		if b.typ != "sidx" {
			continue
		}
		box, err := decodeBox(b)
		if err != nil {
			return nil, withURI(err, mediaURI)
		}
		sidx, ok := box.(*mp4.SidxBox)
		if !ok {
			return nil, &ParseError{URI: mediaURI, Path: "sidx", Msg: fmt.Sprintf("decoded as %T", box)}
		}
		if sidx.Timescale == 0 {
			return nil, &ParseError{URI: mediaURI, Path: "sidx", Field: "timescale", Msg: "must not be 0"}
		}
		anchor := uint64(indexRange.Offset) + uint64(b.offset) + uint64(len(b.data))
		off := anchor + sidx.FirstOffset
		t := sidx.EarliestPresentationTime
		segs := make([]Segment, 0, len(sidx.SidxRefs))
		for i, ref := range sidx.SidxRefs {
			if ref.ReferenceType == 1 {
				return nil, &ParseError{URI: mediaURI, Path: fmt.Sprintf("sidx/reference[%d]", i), Field: "reference_type",
					Msg: "hierarchical index (reference to another sidx) not supported"}
			}
			if off > 1<<62 || t > 1<<62 {
				return nil, &ParseError{URI: mediaURI, Path: fmt.Sprintf("sidx/reference[%d]", i), Msg: "offset or time overflows"}
			}
			segs = append(segs, Segment{
				Number:      uint64(i + 1),
				URI:         mediaURI,
				Range:       &ByteRange{Offset: int64(off), Length: int64(ref.ReferencedSize)},
				Start:       ticksToDuration(t, sidx.Timescale),
				Duration:    ticksToDuration(uint64(ref.SubSegmentDuration), sidx.Timescale),
				Time:        t,
				Independent: ref.StartsWithSAP == 1,
			})
			off += uint64(ref.ReferencedSize)
			t += uint64(ref.SubSegmentDuration)
		}
		return segs, nil
	}
	return nil, &ParseError{URI: mediaURI, Path: "sidx", Msg: "no sidx box in the index range"}
}

func withURI(err error, uri string) error {
	if pe, ok := err.(*ParseError); ok && pe.URI == "" {
		pe.URI = uri
	}
	return err
}

// ApplyIndex sets r's segments from a parsed segment index (ParseSidx):
// each gets r's Init, and Start is shifted by r.PresentationTimeOffset so
// that it counts from the period start. segs is modified and kept. Like
// ApplyMedia, call it on a player's copy.
func (r *Rendition) ApplyIndex(segs []Segment) {
	for i := range segs {
		segs[i].Init = r.Init
		segs[i].Start -= r.PresentationTimeOffset
	}
	r.Segments = segs
	var max time.Duration
	for i := range segs {
		max = maxDur(max, segs[i].Duration)
	}
	r.TargetDuration = max
	if len(segs) > 0 {
		r.MediaSequence = segs[0].Number
	}
	r.Loaded = true
}

// ParseInit reads an fMP4 initialisation segment (ftyp moov).
func ParseInit(data []byte) (*InitInfo, error) {
	boxes, err := walkBoxes(data)
	if err != nil {
		return nil, err
	}
	for _, b := range boxes {
		if b.typ != "moov" {
			continue
		}
		box, err := decodeBox(b)
		if err != nil {
			return nil, err
		}
		moov, ok := box.(*mp4.MoovBox)
		if !ok {
			return nil, &ParseError{Path: "moov", Msg: fmt.Sprintf("decoded as %T", box)}
		}
		return initInfo(moov)
	}
	return nil, &ParseError{Path: "moov", Msg: "no moov box: not an init segment"}
}

func initInfo(moov *mp4.MoovBox) (*InitInfo, error) {
	info := &InitInfo{}
	for i, trak := range moov.Traks {
		path := fmt.Sprintf("moov/trak[%d]", i)
		if trak.Tkhd == nil || trak.Mdia == nil || trak.Mdia.Mdhd == nil || trak.Mdia.Hdlr == nil {
			return nil, &ParseError{Path: path, Msg: "missing tkhd, mdhd or hdlr"}
		}
		t := TrackInfo{
			ID:        trak.Tkhd.TrackID,
			Timescale: trak.Mdia.Mdhd.Timescale,
			Lang:      trak.Mdia.Mdhd.GetLanguage(),
		}
		if t.Timescale == 0 {
			return nil, &ParseError{Path: path + "/mdia/mdhd", Field: "timescale", Msg: "must not be 0"}
		}
		switch trak.Mdia.Hdlr.HandlerType {
		case "vide":
			t.Type = Video
		case "soun":
			t.Type = Audio
		case "text", "subt", "sbtl", "clcp":
			t.Type = Text
		}
		if m := trak.Mdia.Minf; m != nil && m.Stbl != nil && m.Stbl.Stsd != nil {
			sampleEntry(&t, m.Stbl.Stsd)
		}
		info.Tracks = append(info.Tracks, t)
	}
	if moov.Mvex != nil {
		for _, trex := range moov.Mvex.Trexs {
			for k := range info.Tracks {
				if info.Tracks[k].ID == trex.TrackID {
					tk := &info.Tracks[k]
					tk.DefaultSampleDuration = trex.DefaultSampleDuration
					tk.DefaultSampleSize = trex.DefaultSampleSize
					tk.DefaultSampleFlags = trex.DefaultSampleFlags
					tk.hasTrex = true
				}
			}
		}
	}
	if len(info.Tracks) == 0 {
		return nil, &ParseError{Path: "moov", Msg: "no tracks"}
	}
	return info, nil
}

func sampleEntry(t *TrackInfo, stsd *mp4.StsdBox) {
	for _, c := range stsd.Children {
		switch e := c.(type) {
		case *mp4.VisualSampleEntryBox:
			t.Width, t.Height = int(e.Width), int(e.Height)
			typ := e.Type()
			if typ == "encv" {
				t.Encrypted = true
				typ = originalFormat(e.Sinf, typ)
			}
			t.Codec = visualCodec(typ, e)
			return
		case *mp4.AudioSampleEntryBox:
			t.SampleRate, t.Channels = int(e.SampleRate), int(e.ChannelCount)
			typ := e.Type()
			if typ == "enca" {
				t.Encrypted = true
				typ = originalFormat(e.Sinf, typ)
			}
			t.Codec = audioCodec(typ, e)
			return
		case *mp4.WvttBox:
			t.Codec = "wvtt"
			return
		case *mp4.StppBox:
			t.Codec = "stpp"
			return
		}
	}
}

func originalFormat(sinf *mp4.SinfBox, typ string) string {
	if sinf != nil && sinf.Frma != nil {
		return sinf.Frma.DataFormat
	}
	return typ
}

func visualCodec(typ string, e *mp4.VisualSampleEntryBox) string {
	switch {
	case e.AvcC != nil && (typ == "avc1" || typ == "avc3"):
		c := e.AvcC.DecConfRec
		return fmt.Sprintf("%s.%02x%02x%02x", typ, c.AVCProfileIndication, c.ProfileCompatibility, c.AVCLevelIndication)
	case e.HvcC != nil:
		return hevcCodec(typ, &e.HvcC.DecConfRec)
	case e.Av1C != nil && typ == "av01":
		return e.Av1C.CodecString(typ)
	}
	return typ
}

// hevcCodec builds hvc1.P.C.Tl.Cc (ISO/IEC 14496-15 annex E).
func hevcCodec(typ string, c *hevc.DecConfRec) string {
	var b strings.Builder
	b.WriteString(typ)
	b.WriteByte('.')
	if c.GeneralProfileSpace > 0 && c.GeneralProfileSpace < 4 {
		b.WriteByte("ABC"[c.GeneralProfileSpace-1])
	}
	fmt.Fprintf(&b, "%d.%X.", c.GeneralProfileIDC, bits.Reverse32(c.GeneralProfileCompatibilityFlags))
	if c.GeneralTierFlag {
		b.WriteByte('H')
	} else {
		b.WriteByte('L')
	}
	fmt.Fprintf(&b, "%d", c.GeneralLevelIDC)
	// Six constraint bytes, trailing zero bytes left out.
	var cb [6]byte
	for i := range cb {
		cb[i] = byte(c.GeneralConstraintIndicatorFlags >> (40 - 8*i))
	}
	n := len(cb)
	for n > 0 && cb[n-1] == 0 {
		n--
	}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, ".%X", cb[i])
	}
	return b.String()
}

func audioCodec(typ string, e *mp4.AudioSampleEntryBox) string {
	if typ == "mp4a" && e.Esds != nil && e.Esds.DecConfigDescriptor != nil {
		dc := e.Esds.DecConfigDescriptor
		if dc.ObjectType == 0x40 && dc.DecSpecificInfo != nil && len(dc.DecSpecificInfo.DecConfig) > 0 {
			cfg := dc.DecSpecificInfo.DecConfig
			aot := int(cfg[0] >> 3)
			if aot == 31 && len(cfg) > 1 {
				aot = 32 + int((cfg[0]&7)<<3|cfg[1]>>5)
			}
			return fmt.Sprintf("mp4a.40.%d", aot)
		}
		return fmt.Sprintf("mp4a.%02X", dc.ObjectType)
	}
	return typ
}
