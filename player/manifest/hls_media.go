package manifest

import (
	"fmt"
	"strings"
	"time"
)

// MediaPlaylist is a parsed HLS media playlist. It is immutable once
// returned and may be shared read-only by many players.
type MediaPlaylist struct {
	URI                   string
	Version               int
	TargetDuration        time.Duration
	MediaSequence         uint64 // EXT-X-MEDIA-SEQUENCE
	DiscontinuitySequence uint64
	PlaylistType          string // "VOD", "EVENT" or ""
	EndList               bool
	IFrameOnly            bool
	IndependentSegments   bool
	Init                  *InitSegment // first EXT-X-MAP; Segment.Init holds the one in force per segment
	Segments              []Segment    // Segments[0].Number = MediaSequence + Skipped
	PendingParts          []Part       // LL-HLS parts after the last complete segment
	Duration              time.Duration
	Skipped               uint64 // EXT-X-SKIP SKIPPED-SEGMENTS (delta update)
	StartOffset           *time.Duration
	Warnings              []string // located, non-fatal problems worked around

	PartTarget    time.Duration
	PreloadHint   *PreloadHint
	ServerControl *ServerControl
	// RenditionReports are the EXT-X-RENDITION-REPORT tags (at most
	// MaxRenditionReports; more are ignored).
	RenditionReports []RenditionReport
}

// ApplyMedia fills r's segments from m. It is O(1): r shares m's slices
// and pointers, which must be treated as read-only. Call it on a player's
// own copy of the rendition, never on a Presentation shared between
// players.
func (r *Rendition) ApplyMedia(m *MediaPlaylist) {
	r.Segments = m.Segments
	r.PendingParts = m.PendingParts
	r.Init = m.Init
	r.MediaSequence = m.MediaSequence + m.Skipped
	r.TargetDuration = m.TargetDuration
	r.EndList = m.EndList
	r.DiscontinuitySequence = m.DiscontinuitySequence
	r.PartTarget = m.PartTarget
	r.PreloadHint = m.PreloadHint
	r.ServerControl = m.ServerControl
	if m.IFrameOnly {
		r.IFrameOnly = true
	}
	if r.Timescale == 0 {
		r.Timescale = 1000
	}
	r.Loaded = true
}

// hlsError builds a located error.
func maxDur(a, b time.Duration) time.Duration {
	if a > b {
		return a
	}
	return b
}

func hlsError(uri string, line int, field, msg string, cause error) *ParseError {
	return &ParseError{URI: uri, Line: line, Field: field, Msg: msg, Err: cause}
}

// ParseHLSMedia parses an HLS media playlist.
//
// grafov/m3u8 is not used for media playlists: it resets EXT-X-BYTERANGE
// offsets that are left out instead of continuing the previous range, keeps
// EXT-X-KEY only on the segment after the tag, drops
// EXT-X-INDEPENDENT-SEGMENTS, EXT-X-GAP and every LL-HLS tag, reports no
// line numbers and panics on some malformed input. This scanner does all
// of that in one pass; tests cross-check it against grafov.
func ParseHLSMedia(data []byte, uri string, opts ...Option) (*MediaPlaylist, error) {
	return ParseHLSMediaWithVars(data, uri, nil, opts...)
}

// ParseHLSMediaWithVars is ParseHLSMedia for a media playlist whose
// EXT-X-DEFINE:IMPORT takes variables from its master playlist
// (Presentation.Variables).
func ParseHLSMediaWithVars(data []byte, uri string, master map[string]string, opts ...Option) (*MediaPlaylist, error) {
	if err := checkHLSCounts(data, uri, buildOptions(opts).limits); err != nil {
		return nil, err
	}
	p := &hlsMediaParser{
		uri:  uri,
		res:  newResolver(uri),
		m:    &MediaPlaylist{URI: uri},
		vars: hlsVars{uri: uri, imports: master},
	}
	if err := p.parse(string(data)); err != nil {
		return nil, err
	}
	return p.m, nil
}

type hlsMediaParser struct {
	uri  string
	res  *resolver
	m    *MediaPlaylist
	vars hlsVars

	attrs attrList

	// Pending state for the next segment.
	haveInf     bool
	infLine     int
	dur         time.Duration
	disc        bool
	gap         bool
	pdt         time.Time
	havePDT     bool
	rangeLen    int64
	rangeOff    int64
	rangeHasOff bool
	haveRange   bool
	rangeLine   int
	parts       []Part

	key  *Key
	init *InitSegment

	// Byte-range continuation: where the previous range of a resource ended.
	lastURI    string
	lastEnd    int64
	partURI    string
	partEnd    int64
	start      time.Duration
	nextPDT    time.Time
	sawHeader  bool
	sawSegment bool
}

func (p *hlsMediaParser) err(line int, field, msg string, cause error) error {
	return hlsError(p.uri, line, field, msg, cause)
}

func (p *hlsMediaParser) parse(s string) error {
	// A rough count of segments saves repeated growth of the slice.
	p.m.Segments = make([]Segment, 0, countEXTINF(s))
	sc := lineScanner{s: s}
	for {
		l, ok := sc.next()
		if !ok {
			break
		}
		if p.sawHeader {
			var done bool
			var err error
			if l, done, err = p.vars.prepare(sc.line, l); err != nil {
				return err
			} else if done {
				continue
			}
		}
		if l[0] != '#' {
			if !p.sawHeader {
				return p.err(sc.line, "EXTM3U", "missing #EXTM3U before the first URI", ErrNotMedia)
			}
			if err := p.segmentURI(sc.line, l); err != nil {
				return err
			}
			continue
		}
		if !strings.HasPrefix(l, "#EXT") {
			continue // comment
		}
		tag, val := splitTag(l)
		if tag == "EXTM3U" {
			p.sawHeader = true
			continue
		}
		if !p.sawHeader {
			return p.err(sc.line, tag, "tag before #EXTM3U", ErrNotMedia)
		}
		if err := p.tag(sc.line, tag, val); err != nil {
			return err
		}
	}
	if !p.sawHeader {
		return p.err(sc.line, "EXTM3U", "missing #EXTM3U", ErrNotMedia)
	}
	if p.haveInf {
		return p.err(p.infLine, "EXTINF", "no URI follows", nil)
	}
	m := p.m
	m.PendingParts = p.parts
	if m.TargetDuration == 0 && len(m.Segments) > 0 {
		var max time.Duration
		for i := range m.Segments {
			max = maxDur(max, m.Segments[i].Duration)
		}
		m.TargetDuration = max.Round(time.Second)
		if m.TargetDuration < max {
			m.TargetDuration += time.Second
		}
		m.Warnings = append(m.Warnings, p.err(0, "EXT-X-TARGETDURATION", fmt.Sprintf("missing; using the longest segment rounded up, %v", m.TargetDuration), nil).Error())
	}
	if m.IndependentSegments || m.IFrameOnly {
		for i := range m.Segments {
			m.Segments[i].Independent = true
		}
	}
	m.Duration = p.start
	return nil
}

// segmentTag handles the tags that describe the next segment; false
// when tag is not one of them.
func (p *hlsMediaParser) segmentTag(line int, tag, val string) (bool, error) {
	var err error
	switch tag {
	case "EXTINF":
		if p.haveInf {
			return true, p.err(line, tag, "second EXTINF without a URI in between", nil)
		}
		d, _, _ := cut(val, ',')
		if p.dur, err = parseSeconds(d); err != nil {
			return true, p.err(line, tag, "bad duration", err)
		}
		p.haveInf, p.infLine = true, line
	case "EXT-X-BYTERANGE":
		if p.rangeLen, p.rangeOff, p.rangeHasOff, err = parseByteRange(val); err != nil {
			return true, p.err(line, tag, "", err)
		}
		p.haveRange, p.rangeLine = true, line
	case "EXT-X-DISCONTINUITY":
		p.disc = true
	case "EXT-X-GAP":
		p.gap = true
	case "EXT-X-PROGRAM-DATE-TIME":
		if p.pdt, err = parseDateTime(val); err != nil {
			return true, p.err(line, tag, "", err)
		}
		p.havePDT = true
	case "EXT-X-KEY":
		k, err := p.parseKey(line, tag, val)
		if err != nil {
			return true, err
		}
		p.key = k
	case "EXT-X-MAP":
		return true, p.mapTag(line, tag, val)
	default:
		return false, nil
	}
	return true, nil
}

// mapTag reads EXT-X-MAP: the init segment of the segments that follow.
func (p *hlsMediaParser) mapTag(line int, tag, val string) error {
	var err error
	if p.attrs, err = parseAttrs(val, p.attrs); err != nil {
		return p.err(line, tag, "", err)
	}
	in := &InitSegment{}
	if in.URI, err = p.uriAttr(line, tag); err != nil {
		return err
	}
	if br, ok := p.attrs.get("BYTERANGE"); ok {
		n, o, _, err := parseByteRange(br)
		if err != nil {
			return p.err(line, tag+" BYTERANGE", "", err)
		}
		in.Range = &ByteRange{Offset: o, Length: n}
	}
	p.init = in
	if p.m.Init == nil {
		p.m.Init = in
	}
	return nil
}

// tag handles one tag of a media playlist.
func (p *hlsMediaParser) tag(line int, tag, val string) error {
	if ok, err := p.segmentTag(line, tag, val); ok {
		return err
	}
	m := p.m
	var err error
	switch tag {
	case "EXT-X-TARGETDURATION":
		if m.TargetDuration, err = parseSeconds(val); err != nil {
			return p.err(line, tag, "", err)
		}
	case "EXT-X-MEDIA-SEQUENCE":
		if p.sawSegment {
			return p.err(line, tag, "after the first segment", nil)
		}
		if m.MediaSequence, err = parseUint(val); err != nil {
			return p.err(line, tag, "", err)
		}
	case "EXT-X-DISCONTINUITY-SEQUENCE":
		if m.DiscontinuitySequence, err = parseUint(val); err != nil {
			return p.err(line, tag, "", err)
		}
	case "EXT-X-VERSION":
		if m.Version, err = parseInt(val); err != nil {
			return p.err(line, tag, "", err)
		}
	case "EXT-X-PLAYLIST-TYPE":
		switch val {
		case "VOD", "EVENT":
			m.PlaylistType = val
		default:
			return p.err(line, tag, "want VOD or EVENT, not "+quote(val), nil)
		}
	case "EXT-X-ENDLIST":
		m.EndList = true
	case "EXT-X-I-FRAMES-ONLY":
		m.IFrameOnly = true
	case "EXT-X-INDEPENDENT-SEGMENTS":
		m.IndependentSegments = true
	case "EXT-X-START":
		if p.attrs, err = parseAttrs(val, p.attrs); err != nil {
			return p.err(line, tag, "", err)
		}
		if v, ok := p.attrs.get("TIME-OFFSET"); ok {
			f, err := parseSignedSeconds(v)
			if err != nil {
				return p.err(line, tag+" TIME-OFFSET", "", err)
			}
			m.StartOffset = &f
		}
	case "EXT-X-PART-INF":
		if p.attrs, err = parseAttrs(val, p.attrs); err != nil {
			return p.err(line, tag, "", err)
		}
		if m.PartTarget, err = parseSeconds(p.attrs.str("PART-TARGET")); err != nil {
			return p.err(line, tag+" PART-TARGET", "", err)
		}
	case "EXT-X-PART":
		return p.part(line, tag, val)
	case "EXT-X-PRELOAD-HINT":
		return p.preloadHint(line, tag, val)
	case "EXT-X-RENDITION-REPORT":
		// a hint for switching: a bad one is dropped, not fatal
		if err := p.renditionReport(line, tag, val); err != nil {
			m.Warnings = append(m.Warnings, err.Error())
		}
	case "EXT-X-SERVER-CONTROL":
		return p.serverControl(line, tag, val)
	case "EXT-X-SKIP":
		if p.attrs, err = parseAttrs(val, p.attrs); err != nil {
			return p.err(line, tag, "", err)
		}
		if m.Skipped, err = parseUint(p.attrs.str("SKIPPED-SEGMENTS")); err != nil {
			return p.err(line, tag+" SKIPPED-SEGMENTS", "", err)
		}
	case "EXT-X-STREAM-INF", "EXT-X-I-FRAME-STREAM-INF", "EXT-X-MEDIA":
		return p.err(line, tag, "master playlist tag in a media playlist", ErrNotMedia)
	}
	return nil
}

func (p *hlsMediaParser) parseKey(line int, tag, val string) (*Key, error) {
	var err error
	if p.attrs, err = parseAttrs(val, p.attrs); err != nil {
		return nil, p.err(line, tag, "", err)
	}
	method, ok := p.attrs.get("METHOD")
	if !ok || method == "" {
		return nil, p.err(line, tag+" METHOD", "missing", nil)
	}
	if method == "NONE" {
		return nil, nil
	}
	k := &Key{
		Method:            method,
		IV:                p.attrs.str("IV"),
		KeyFormat:         p.attrs.str("KEYFORMAT"),
		KeyFormatVersions: p.attrs.str("KEYFORMATVERSIONS"),
	}
	u, ok := p.attrs.get("URI")
	if !ok {
		return nil, p.err(line, tag+" URI", "missing for METHOD="+method, nil)
	}
	if k.URI, err = p.res.resolve(u); err != nil {
		return nil, p.err(line, tag+" URI", "", err)
	}
	return k, nil
}

func (p *hlsMediaParser) part(line int, tag, val string) error {
	var err error
	if p.attrs, err = parseAttrs(val, p.attrs); err != nil {
		return p.err(line, tag, "", err)
	}
	var pt Part
	if pt.Duration, err = parseSeconds(p.attrs.str("DURATION")); err != nil {
		return p.err(line, tag+" DURATION", "", err)
	}
	if pt.URI, err = p.uriAttr(line, tag); err != nil {
		return err
	}
	if v, ok := p.attrs.get("INDEPENDENT"); ok {
		if pt.Independent, err = parseYesNo(v); err != nil {
			return p.err(line, tag+" INDEPENDENT", "", err)
		}
	}
	if v, ok := p.attrs.get("GAP"); ok {
		if pt.Gap, err = parseYesNo(v); err != nil {
			return p.err(line, tag+" GAP", "", err)
		}
	}
	if v, ok := p.attrs.get("BYTERANGE"); ok {
		n, o, hasOff, err := parseByteRange(v)
		if err != nil {
			return p.err(line, tag+" BYTERANGE", "", err)
		}
		if !hasOff {
			if p.partURI != pt.URI {
				return p.err(line, tag+" BYTERANGE", "no offset and no previous part of "+quote(p.attrs.str("URI")), nil)
			}
			o = p.partEnd
		}
		pt.Range = &ByteRange{Offset: o, Length: n}
		p.partURI, p.partEnd = pt.URI, o+n
	}
	p.parts = append(p.parts, pt)
	return nil
}

// uriAttr is the tag's required URI attribute (attributes already
// parsed), resolved.
func (p *hlsMediaParser) uriAttr(line int, tag string) (string, error) {
	u, ok := p.attrs.get("URI")
	if !ok || u == "" {
		return "", p.err(line, tag+" URI", "missing", nil)
	}
	r, err := p.res.resolve(u)
	if err != nil {
		return "", p.err(line, tag+" URI", "", err)
	}
	return r, nil
}

func (p *hlsMediaParser) renditionReport(line int, tag, val string) error {
	var err error
	if p.attrs, err = parseAttrs(val, p.attrs); err != nil {
		return p.err(line, tag, "", err)
	}
	rr := RenditionReport{LastPart: -1}
	if rr.URI, err = p.uriAttr(line, tag); err != nil {
		return err
	}
	if rr.LastMSN, err = parseUint(p.attrs.str("LAST-MSN")); err != nil {
		return p.err(line, tag+" LAST-MSN", "", err)
	}
	if v, ok := p.attrs.get("LAST-PART"); ok {
		n, err := parseUint(v)
		if err != nil || n > 1<<20 {
			return p.err(line, tag+" LAST-PART", "", err)
		}
		rr.LastPart = int(n)
	}
	if m := p.m; len(m.RenditionReports) < MaxRenditionReports {
		m.RenditionReports = append(m.RenditionReports, rr)
	}
	return nil
}

func (p *hlsMediaParser) preloadHint(line int, tag, val string) error {
	var err error
	if p.attrs, err = parseAttrs(val, p.attrs); err != nil {
		return p.err(line, tag, "", err)
	}
	h := &PreloadHint{Type: p.attrs.str("TYPE")}
	if h.Type != "PART" && h.Type != "MAP" {
		return p.err(line, tag+" TYPE", "want PART or MAP, not "+quote(h.Type), nil)
	}
	if h.URI, err = p.uriAttr(line, tag); err != nil {
		return err
	}
	start, hasStart := p.attrs.get("BYTERANGE-START")
	length, hasLen := p.attrs.get("BYTERANGE-LENGTH")
	if hasStart || hasLen {
		h.Range = &ByteRange{}
		if hasStart {
			v, err := parseUint(start)
			if err != nil || v > 1<<62 {
				return p.err(line, tag+" BYTERANGE-START", "", err)
			}
			h.Range.Offset = int64(v)
		}
		if hasLen {
			v, err := parseUint(length)
			if err != nil || v > 1<<62 {
				return p.err(line, tag+" BYTERANGE-LENGTH", "", err)
			}
			h.Range.Length = int64(v)
		}
	}
	p.m.PreloadHint = h
	return nil
}

func (p *hlsMediaParser) serverControl(line int, tag, val string) error {
	var err error
	if p.attrs, err = parseAttrs(val, p.attrs); err != nil {
		return p.err(line, tag, "", err)
	}
	c := &ServerControl{}
	for _, a := range p.attrs {
		switch a.name {
		case "CAN-BLOCK-RELOAD":
			c.CanBlockReload, err = parseYesNo(a.value)
		case "CAN-SKIP-UNTIL":
			c.CanSkipUntil, err = parseSeconds(a.value)
		case "HOLD-BACK":
			c.HoldBack, err = parseSeconds(a.value)
		case "PART-HOLD-BACK":
			c.PartHoldBack, err = parseSeconds(a.value)
		}
		if err != nil {
			return p.err(line, tag+" "+a.name, "", err)
		}
	}
	p.m.ServerControl = c
	return nil
}

func (p *hlsMediaParser) segmentURI(line int, ref string) error {
	if !p.haveInf {
		return p.err(line, "EXTINF", "URI "+quote(ref)+" without a preceding EXTINF", nil)
	}
	m := p.m
	u, err := p.res.resolve(ref)
	if err != nil {
		return p.err(line, "URI", "", err)
	}
	seg := Segment{
		Number:        m.MediaSequence + m.Skipped + uint64(len(m.Segments)),
		URI:           u,
		Start:         p.start,
		Duration:      p.dur,
		Time:          uint64((p.start + time.Millisecond/2) / time.Millisecond),
		Discontinuity: p.disc,
		Gap:           p.gap,
		Key:           p.key,
		Init:          p.init,
		Parts:         p.parts,
	}
	if p.haveRange {
		off := p.rangeOff
		if !p.rangeHasOff {
			if p.lastURI != u {
				return p.err(p.rangeLine, "EXT-X-BYTERANGE", "no offset and the previous segment is not a range of "+quote(ref), nil)
			}
			off = p.lastEnd
		}
		seg.Range = &ByteRange{Offset: off, Length: p.rangeLen}
		p.lastURI, p.lastEnd = u, off+p.rangeLen
	} else {
		p.lastURI = ""
	}
	switch {
	case p.havePDT:
		seg.ProgramDateTime = p.pdt
	case !p.nextPDT.IsZero() && !p.disc:
		seg.ProgramDateTime = p.nextPDT
	}
	if !seg.ProgramDateTime.IsZero() {
		p.nextPDT = seg.ProgramDateTime.Add(p.dur)
	} else {
		p.nextPDT = time.Time{}
	}
	m.Segments = append(m.Segments, seg)
	p.start += p.dur
	p.sawSegment = true
	p.haveInf, p.disc, p.gap, p.havePDT, p.haveRange = false, false, false, false, false
	p.parts = nil
	return nil
}
