package manifest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseHLS parses an HLS master or media playlist. A master playlist gives
// renditions with PlaylistURI set and Loaded false (fill them with
// ParseHLSMedia and (*Rendition).ApplyMedia); a media playlist gives a
// presentation with one loaded video rendition.
//
// In a master playlist the variants (EXT-X-STREAM-INF) form one video
// AdaptationSet with ID "variants", I-frame playlists one with ID
// "iframes", and each EXT-X-MEDIA alternate that has a URI becomes an
// AdaptationSet of its own (its GroupID links it to variants).
func ParseHLS(data []byte, uri string, opts ...Option) (*Presentation, error) {
	if err := checkHLSCounts(data, uri, buildOptions(opts).limits); err != nil {
		return nil, err
	}
	s := string(data)
	switch hlsKind(s) {
	case kindMaster:
		return parseHLSMaster(s, uri)
	case kindMedia:
		m, err := ParseHLSMedia(data, uri, opts...)
		if err != nil {
			return nil, err
		}
		return presentationFromMedia(m), nil
	}
	// Neither: parse as a media playlist so that the error is located
	// (missing #EXTM3U) or an empty playlist is accepted.
	m, err := ParseHLSMedia(data, uri, opts...)
	if err != nil {
		return nil, err
	}
	return presentationFromMedia(m), nil
}

type playlistKind int

const (
	kindUnknown playlistKind = iota
	kindMaster
	kindMedia
)

// hlsKind tells master from media playlists by their first telling tag.
func hlsKind(s string) playlistKind {
	sc := lineScanner{s: s}
	for {
		l, ok := sc.next()
		if !ok {
			return kindUnknown
		}
		if l[0] != '#' {
			return kindMedia
		}
		tag, _ := splitTag(l)
		switch tag {
		case "EXT-X-STREAM-INF", "EXT-X-I-FRAME-STREAM-INF", "EXT-X-MEDIA", "EXT-X-SESSION-KEY",
			"EXT-X-SESSION-DATA", "EXT-X-CONTENT-STEERING":
			return kindMaster
		case "EXTINF", "EXT-X-TARGETDURATION", "EXT-X-MEDIA-SEQUENCE", "EXT-X-PART", "EXT-X-PART-INF",
			"EXT-X-MAP", "EXT-X-ENDLIST", "EXT-X-PLAYLIST-TYPE", "EXT-X-KEY", "EXT-X-PRELOAD-HINT":
			return kindMedia
		}
	}
}

// presentationFromMedia wraps a lone media playlist.
func presentationFromMedia(m *MediaPlaylist) *Presentation {
	r := Rendition{ID: "v0", Type: Video, PlaylistURI: m.URI, IFrameOnly: m.IFrameOnly}
	r.ApplyMedia(m)
	p := &Presentation{
		Format:              FormatHLS,
		URI:                 m.URI,
		Live:                !m.EndList,
		IndependentSegments: m.IndependentSegments,
		MinUpdatePeriod:     m.TargetDuration,
		Warnings:            m.Warnings,
		Periods: []Period{{
			ID: "0",
			Sets: []AdaptationSet{{
				ID: "variants", Type: Video, Renditions: []Rendition{r},
			}},
		}},
	}
	if p.Live {
		p.TimeShiftBufferDepth = m.Duration
		p.SuggestedDelay = LiveDelay(m)
	} else {
		p.Duration = m.Duration
		p.Periods[0].Duration = m.Duration
	}
	return p
}

// LiveDelay is how far behind the live edge a player should start on m:
// SERVER-CONTROL HOLD-BACK when given, else three target durations (RFC
// 8216bis section 6.3.3).
func LiveDelay(m *MediaPlaylist) time.Duration {
	if m.ServerControl != nil && m.ServerControl.HoldBack > 0 {
		return m.ServerControl.HoldBack
	}
	return 3 * m.TargetDuration
}

type hlsMasterParser struct {
	uri   string
	res   *resolver
	attrs attrList

	pres        *Presentation
	variants    AdaptationSet
	iframes     AdaptationSet
	alts        []AdaptationSet
	captions    []Captions
	altCount    map[MediaType]int
	pending     *Rendition // STREAM-INF waiting for its URI line
	pendingLine int
}

func (p *hlsMasterParser) err(line int, field, msg string, cause error) error {
	return hlsError(p.uri, line, field, msg, cause)
}

func parseHLSMaster(s, uri string) (*Presentation, error) {
	p := &hlsMasterParser{
		uri: uri, res: newResolver(uri),
		pres:     &Presentation{Format: FormatHLS, URI: uri},
		variants: AdaptationSet{ID: "variants", Type: Video},
		iframes:  AdaptationSet{ID: "iframes", Type: Video},
		altCount: map[MediaType]int{},
	}
	// Sized once: the count was checked against the limits.
	p.variants.Renditions = make([]Rendition, 0, strings.Count(s, "#EXT-X-STREAM-INF:"))
	sc := lineScanner{s: s}
	sawHeader := false
	vars := hlsVars{uri: uri}
	for {
		l, ok := sc.next()
		if !ok {
			break
		}
		if sawHeader {
			var done bool
			var err error
			if l, done, err = vars.prepare(sc.line, l); err != nil {
				return nil, err
			} else if done {
				continue
			}
		}
		if l[0] != '#' {
			if err := p.uriLine(sc.line, l); err != nil {
				return nil, err
			}
			continue
		}
		if !strings.HasPrefix(l, "#EXT") {
			continue
		}
		tag, val := splitTag(l)
		if tag == "EXTM3U" {
			sawHeader = true
			continue
		}
		if !sawHeader {
			return nil, p.err(sc.line, tag, "tag before #EXTM3U", ErrNotMaster)
		}
		if err := p.tag(sc.line, tag, val); err != nil {
			return nil, err
		}
	}
	if !sawHeader {
		return nil, p.err(sc.line, "EXTM3U", "missing #EXTM3U", ErrNotMaster)
	}
	if p.pending != nil {
		return nil, p.err(p.pendingLine, "EXT-X-STREAM-INF", "no URI follows", nil)
	}
	p.pres.Periods = []Period{p.period()}
	p.pres.Variables = vars.defs
	return p.pres, nil
}

// uriLine takes a URI line: the playlist of the pending EXT-X-STREAM-INF.
func (p *hlsMasterParser) uriLine(line int, l string) error {
	if p.pending == nil {
		return p.err(line, "EXT-X-STREAM-INF", "URI "+quote(l)+" without a preceding EXT-X-STREAM-INF", nil)
	}
	u, err := p.res.resolve(l)
	if err != nil {
		return p.err(line, "URI", "", err)
	}
	p.pending.PlaylistURI = u
	p.variants.Renditions = append(p.variants.Renditions, *p.pending)
	p.pending = nil
	return nil
}

// period is the one period of a master playlist: variants, alternates,
// then I-frame variants.
func (p *hlsMasterParser) period() Period {
	per := Period{ID: "0"}
	if len(p.variants.Renditions) > 0 {
		p.variants.Codecs = p.variants.Renditions[0].Codecs
		per.Sets = append(per.Sets, p.variants)
	}
	per.Sets = append(per.Sets, p.alts...)
	per.Captions = p.captions
	if len(p.iframes.Renditions) > 0 {
		per.Sets = append(per.Sets, p.iframes)
	}
	return per
}

// tag handles one tag of a master playlist.
func (p *hlsMasterParser) tag(line int, tag, val string) error {
	switch tag {
	case "EXT-X-STREAM-INF":
		if p.pending != nil {
			return p.err(p.pendingLine, tag, "no URI follows", nil)
		}
		r, err := p.variant(line, tag, val, false)
		if err != nil {
			return err
		}
		r.ID = "v" + strconv.Itoa(len(p.variants.Renditions))
		p.pending, p.pendingLine = r, line
	case "EXT-X-I-FRAME-STREAM-INF":
		r, err := p.variant(line, tag, val, true)
		if err != nil {
			// Players skip a broken trick-play entry and play the rest.
			p.pres.Warnings = append(p.pres.Warnings, err.Error()+" (entry skipped)")
			return nil
		}
		r.ID = "iframe" + strconv.Itoa(len(p.iframes.Renditions))
		p.iframes.Renditions = append(p.iframes.Renditions, *r)
	case "EXT-X-MEDIA":
		set, err := p.alternate(line, tag, val)
		if err != nil || set == nil {
			return err
		}
		n := p.altCount[set.Type]
		p.altCount[set.Type]++
		set.ID = set.Type.String() + strconv.Itoa(n)
		set.Renditions[0].ID = set.ID
		p.alts = append(p.alts, *set)
	case "EXT-X-CONTENT-STEERING":
		return p.steering(line, tag, val)
	case "EXT-X-SESSION-KEY":
		return p.sessionKey(line, tag, val)
	case "EXT-X-INDEPENDENT-SEGMENTS":
		p.pres.IndependentSegments = true
	case "EXTINF", "EXT-X-TARGETDURATION", "EXT-X-MEDIA-SEQUENCE", "EXT-X-PART":
		return p.err(line, tag, "media playlist tag in a master playlist", ErrNotMaster)
	}
	return nil
}

func (p *hlsMasterParser) steering(line int, tag, val string) error {
	var err error
	if p.attrs, err = parseAttrs(val, p.attrs); err != nil {
		return p.err(line, tag, "", err)
	}
	su, ok := p.attrs.get("SERVER-URI")
	if !ok || su == "" {
		return p.err(line, tag+" SERVER-URI", "missing", nil)
	}
	cs := &ContentSteering{DefaultPathwayID: p.attrs.str("PATHWAY-ID")}
	if cs.ServerURI, err = p.res.resolve(su); err != nil {
		return p.err(line, tag+" SERVER-URI", "", err)
	}
	p.pres.Steering = cs
	return nil
}

func (p *hlsMasterParser) sessionKey(line int, tag, val string) error {
	var err error
	if p.attrs, err = parseAttrs(val, p.attrs); err != nil {
		return p.err(line, tag, "", err)
	}
	k := Key{
		Method:            p.attrs.str("METHOD"),
		IV:                p.attrs.str("IV"),
		KeyFormat:         p.attrs.str("KEYFORMAT"),
		KeyFormatVersions: p.attrs.str("KEYFORMATVERSIONS"),
	}
	if k.Method == "" || k.Method == "NONE" {
		return p.err(line, tag+" METHOD", "missing or NONE", nil)
	}
	if u, ok := p.attrs.get("URI"); ok {
		if k.URI, err = p.res.resolve(u); err != nil {
			return p.err(line, tag+" URI", "", err)
		}
	}
	p.pres.SessionKeys = append(p.pres.SessionKeys, k)
	return nil
}

func (p *hlsMasterParser) variant(line int, tag, val string, iframe bool) (*Rendition, error) {
	var err error
	if p.attrs, err = parseAttrs(val, p.attrs); err != nil {
		return nil, p.err(line, tag, "", err)
	}
	r := &Rendition{Type: Video, IFrameOnly: iframe}
	bw, ok := p.attrs.get("BANDWIDTH")
	if !ok {
		return nil, p.err(line, tag+" BANDWIDTH", "missing", nil)
	}
	for _, a := range p.attrs {
		switch a.name {
		case "BANDWIDTH":
			r.Bandwidth, err = parseInt(bw)
		case "AVERAGE-BANDWIDTH":
			r.AverageBandwidth, err = parseInt(a.value)
		case "CODECS":
			r.Codecs = a.value
		case "RESOLUTION":
			r.Width, r.Height, err = parseResolution(a.value)
		case "FRAME-RATE":
			r.FrameRate, err = strconv.ParseFloat(a.value, 64)
			if err == nil && (r.FrameRate < 0 || r.FrameRate > 1e6) {
				err = fmt.Errorf("out of range")
			}
		case "AUDIO":
			r.AudioGroup = a.value
		case "SUBTITLES":
			r.SubtitlesGroup = a.value
		case "CLOSED-CAPTIONS":
			if a.quoted {
				r.ClosedCaptions = a.value
			}
		case "PATHWAY-ID":
			r.PathwayID = a.value
		case "URI":
			if iframe {
				r.PlaylistURI, err = p.res.resolve(a.value)
			}
		}
		if err != nil {
			return nil, p.err(line, tag+" "+a.name, "", err)
		}
	}
	if iframe && r.PlaylistURI == "" {
		return nil, p.err(line, tag+" URI", "missing", nil)
	}
	if r.Codecs != "" && r.Width == 0 && onlyAudioCodecs(r.Codecs) {
		r.Type = Audio
	}
	return r, nil
}

// alternate turns EXT-X-MEDIA into a one-rendition AdaptationSet; nil
// for closed captions (CEA-608 ones are kept in p.captions) and
// alternates without a URI (carried in the variant streams).
func (p *hlsMasterParser) alternate(line int, tag, val string) (*AdaptationSet, error) {
	var err error
	if p.attrs, err = parseAttrs(val, p.attrs); err != nil {
		return nil, p.err(line, tag, "", err)
	}
	set := &AdaptationSet{
		GroupID: p.attrs.str("GROUP-ID"),
		Lang:    p.attrs.str("LANGUAGE"),
		Name:    p.attrs.str("NAME"),
	}
	typ, ok := p.attrs.get("TYPE")
	if !ok {
		return nil, p.err(line, tag+" TYPE", "missing", nil)
	}
	switch typ {
	case "AUDIO":
		set.Type = Audio
	case "VIDEO":
		set.Type = Video
	case "SUBTITLES":
		set.Type = Text
	case "CLOSED-CAPTIONS":
		set.Type = Text
	default:
		return nil, p.err(line, tag+" TYPE", "unknown type "+quote(typ), nil)
	}
	if set.GroupID == "" {
		return nil, p.err(line, tag+" GROUP-ID", "missing", nil)
	}
	if v, ok := p.attrs.get("DEFAULT"); ok {
		if set.Default, err = parseYesNo(v); err != nil {
			return nil, p.err(line, tag+" DEFAULT", "", err)
		}
	}
	if v := p.attrs.str("CHARACTERISTICS"); v != "" {
		set.Roles = strings.Split(v, ",")
	}
	if v := p.attrs.str("CHANNELS"); v != "" {
		n, _ := strconv.Atoi(strings.SplitN(v, "/", 2)[0]) // "6/JOC": 6 channels; unparsable: unknown
		set.Channels = max(n, 0)
	}
	if v, ok := p.attrs.get("AUTOSELECT"); ok {
		if set.Autoselect, err = parseYesNo(v); err != nil {
			return nil, p.err(line, tag+" AUTOSELECT", "", err)
		}
	}
	if id := p.attrs.str("INSTREAM-ID"); typ == "CLOSED-CAPTIONS" && len(id) == 3 && strings.HasPrefix(id, "CC") && id[2] >= '1' && id[2] <= '4' {
		p.captions = addCaptions(p.captions, Captions{Channel: int(id[2] - '0'), Lang: set.Lang, Name: set.Name,
			GroupID: set.GroupID, Default: set.Default})
	}
	u, hasURI := p.attrs.get("URI")
	if typ == "CLOSED-CAPTIONS" || !hasURI {
		return nil, nil
	}
	r := Rendition{Type: set.Type, Lang: set.Lang}
	if r.PlaylistURI, err = p.res.resolve(u); err != nil {
		return nil, p.err(line, tag+" URI", "", err)
	}
	switch set.Type {
	case Audio:
		r.AudioGroup = set.GroupID
	case Text:
		r.SubtitlesGroup = set.GroupID
	}
	set.Renditions = []Rendition{r}
	return set, nil
}

func parseResolution(s string) (w, h int, err error) {
	ws, hs, ok := strings.Cut(s, "x")
	if !ok {
		return 0, 0, fmt.Errorf("want WIDTHxHEIGHT, not %q", s)
	}
	if w, err = parseInt(ws); err != nil {
		return 0, 0, err
	}
	if h, err = parseInt(hs); err != nil {
		return 0, 0, err
	}
	return w, h, nil
}

// onlyAudioCodecs reports whether every codec in an RFC 6381 list is audio.
func onlyAudioCodecs(codecs string) bool {
	for _, c := range strings.Split(codecs, ",") {
		c = strings.TrimSpace(c)
		f, _, _ := strings.Cut(c, ".")
		switch f {
		case "mp4a", "ac-3", "ec-3", "ac-4", "opus", "Opus", "fLaC", "flac", "alac", "dtsc", "dtse", "dtsx", "mha1", "mhm1":
		default:
			return false
		}
	}
	return true
}
