package manifest

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/Eyevinn/dash-mpd/mpd"
)

// segInfo is the segment description of one representation after
// inheritance from Period and AdaptationSet (attribute by attribute).
type segInfo struct {
	kind        byte // 't' template, 'l' list, 'b' base, 0 none
	path        string
	media, init string
	timescale   uint32
	duration    uint64
	startNumber uint64
	endNumber   uint64
	pto         uint64
	ato         float64 // availabilityTimeOffset, seconds
	timeline    *mpd.SegmentTimelineType
	initURL     *mpd.URLType
	indexRange  string
	segURLs     []*mpd.SegmentURLType
}

func (s *segInfo) applyBase(b *mpd.SegmentBaseType) {
	if b.Timescale != nil {
		s.timescale = *b.Timescale
	}
	if b.PresentationTimeOffset != nil {
		s.pto = *b.PresentationTimeOffset
	}
	// INF (always available) says nothing about a live edge: ignored
	if a := float64(b.AvailabilityTimeOffset); a > 0 && !math.IsInf(a, 0) {
		s.ato = a
	}
	if b.IndexRange != "" {
		s.indexRange = b.IndexRange
	}
	if b.Initialization != nil {
		s.initURL = b.Initialization
	}
}

func (s *segInfo) applyMulti(m *mpd.MultipleSegmentBaseType) {
	if m.Duration != nil {
		s.duration = uint64(*m.Duration)
	}
	if m.StartNumber != nil {
		s.startNumber = uint64(*m.StartNumber)
	}
	if m.EndNumber != nil {
		s.endNumber = uint64(*m.EndNumber)
	}
	if m.SegmentTimeline != nil {
		s.timeline = m.SegmentTimeline
	}
	s.applyBase(&m.SegmentBaseType)
}

// mergeSegInfo picks the most specific kind of segment description and
// merges that kind's elements from Period to Representation.
func mergeSegInfo(path string, per *mpd.Period, as *mpd.AdaptationSetType, rep *mpd.RepresentationType) segInfo {
	s := segInfo{timescale: 1, startNumber: 1}
	levels := []struct {
		t *mpd.SegmentTemplateType
		l *mpd.SegmentListType
		b *mpd.SegmentBaseType
		p string
	}{
		{per.SegmentTemplate, per.SegmentList, per.SegmentBase, "Period"},
		{as.SegmentTemplate, as.SegmentList, as.SegmentBase, "AdaptationSet"},
		{rep.SegmentTemplate, rep.SegmentList, rep.SegmentBase, "Representation"},
	}
	for i := len(levels) - 1; i >= 0 && s.kind == 0; i-- {
		switch l := levels[i]; {
		case l.t != nil:
			s.kind = 't'
		case l.l != nil:
			s.kind = 'l'
		case l.b != nil:
			s.kind = 'b'
		}
	}
	for _, l := range levels {
		switch s.kind {
		case 't':
			if l.t != nil {
				if l.t.Media != "" {
					s.media = l.t.Media
				}
				if l.t.Initialization != "" {
					s.init = l.t.Initialization
				}
				s.applyMulti(&l.t.MultipleSegmentBaseType)
				s.path = l.p + "/SegmentTemplate"
			}
		case 'l':
			if l.l != nil {
				if len(l.l.SegmentURL) > 0 {
					s.segURLs = l.l.SegmentURL
				}
				s.applyMulti(&l.l.MultipleSegmentBaseType)
				s.path = l.p + "/SegmentList"
			}
		case 'b':
			if l.b != nil {
				s.applyBase(l.b)
				s.path = l.p + "/SegmentBase"
			}
		}
	}
	return s
}

// segPath turns "Representation/SegmentTemplate" into the full XML path.
func segPath(repPath, p string) string {
	lvl, elem, _ := strings.Cut(p, "/")
	switch lvl {
	case "Representation":
		return repPath + "/" + elem
	case "AdaptationSet":
		return repPath[:strings.LastIndex(repPath, "/")] + "/" + elem
	}
	ap := repPath[:strings.LastIndex(repPath, "/")]
	return ap[:strings.LastIndex(ap, "/")] + "/" + elem
}

// parseRange parses an RFC 7233 "first-last" range.
func parseRange(s string) (*ByteRange, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return nil, fmt.Errorf("want first-last, not %q", s)
	}
	first, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || first < 0 || last < first {
		return nil, fmt.Errorf("bad byte range %q", s)
	}
	return &ByteRange{Offset: first, Length: last - first + 1}, nil
}

func (b *dashBuilder) segments(path string, per *mpd.Period, as *mpd.AdaptationSetType, rep *mpd.RepresentationType, pp *Period, r *Rendition) error {
	si := mergeSegInfo(path, per, as, rep)
	base := b.uri
	if len(r.BaseURLs) > 0 {
		base = r.BaseURLs[0].URL
	}
	spath := path
	if si.kind != 0 {
		spath = segPath(path, si.path)
	}
	if si.timescale == 0 {
		return b.err(spath, "timescale", "must not be 0", nil)
	}
	r.Timescale = si.timescale
	r.PresentationTimeOffset = ticksToDuration(si.pto, si.timescale)
	r.EndList = !b.p.Live
	switch si.kind {
	case 't':
		return b.templateSegments(spath, si, rep, pp, r, base)
	case 'l':
		return b.listSegments(spath, si, pp, r, base)
	case 'b':
		r.MediaURI = base
		if si.initURL != nil {
			in, err := b.initFromURL(spath+"/Initialization", si.initURL, base)
			if err != nil {
				return err
			}
			r.Init = in
		}
		if si.indexRange != "" {
			ir, err := parseRange(si.indexRange)
			if err != nil {
				return b.err(spath, "indexRange", "", err)
			}
			r.IndexRange = ir
			r.Loaded = false
			return nil
		}
	}
	// One segment: the whole media file.
	r.MediaURI = base
	r.Segments = []Segment{{Number: 1, URI: base, Duration: pp.Duration, Init: r.Init, Independent: true}}
	r.TargetDuration = pp.Duration
	r.MediaSequence = 1
	return nil
}

func (b *dashBuilder) initFromURL(path string, u *mpd.URLType, base string) (*InitSegment, error) {
	in := &InitSegment{URI: base}
	if src := strings.TrimSpace(string(u.SourceURL)); src != "" {
		v, err := Resolve(base, src)
		if err != nil {
			return nil, b.err(path, "sourceURL", "", err)
		}
		in.URI = v
	}
	if u.Range != "" {
		rg, err := parseRange(u.Range)
		if err != nil {
			return nil, b.err(path, "range", "", err)
		}
		in.Range = rg
	}
	return in, nil
}

func (b *dashBuilder) templateSegments(path string, si segInfo, rep *mpd.RepresentationType, pp *Period, r *Rendition, base string) error {
	if si.media == "" {
		// Seen in test vectors that only describe timing: keep the
		// rendition, with nothing to play, rather than reject the MPD.
		b.warn(path, "SegmentTemplate without @media: rendition has no segments")
		return nil
	}
	media, err := compileTemplate(si.media, rep.Id, rep.Bandwidth, base)
	if err != nil {
		return b.err(path, "media", "", err)
	}
	t := &SegmentTemplate{
		Media:                  si.media,
		Timescale:              si.timescale,
		Duration:               si.duration,
		StartNumber:            si.startNumber,
		EndNumber:              si.endNumber,
		PresentationTimeOffset: si.pto,
		AvailabilityTimeOffset: time.Duration(min(si.ato, 3600) * float64(time.Second)),
		Dynamic:                b.p.Live,
		AvailabilityStart:      b.p.AvailabilityStart,
		PeriodStart:            pp.Start,
		PeriodDuration:         pp.Duration,
		TimeShiftBufferDepth:   b.p.TimeShiftBufferDepth,
		media:                  media,
	}
	if si.init != "" {
		ic, err := compileTemplate(si.init, rep.Id, rep.Bandwidth, base)
		if err != nil {
			return b.err(path, "initialization", "", err)
		}
		if ic.hasIdent('N') || ic.hasIdent('T') {
			return b.err(path, "initialization", "must not use $Number$ or $Time$", nil)
		}
		t.Initialization = ic.expand(0, 0)
		r.Init = &InitSegment{URI: t.Initialization}
	} else if si.initURL != nil {
		in, err := b.initFromURL(path+"/Initialization", si.initURL, base)
		if err != nil {
			return err
		}
		r.Init = in
		t.Initialization = in.URI
	}
	t.init = r.Init
	r.Template = t
	r.MediaSequence = si.startNumber
	if si.timeline != nil {
		if media.hasIdent('N') && media.hasIdent('T') {
			// Both are allowed; nothing to check.
		} else if !media.hasIdent('N') && !media.hasIdent('T') {
			return b.err(path, "media", "needs $Number$ or $Time$", nil)
		}
		segs, entries, err := b.timeline(path+"/SegmentTimeline", si, pp, r.Init, media.expand)
		if err != nil {
			return err
		}
		t.Timeline = entries
		b.finishSegments(r, segs)
		return nil
	}
	if si.duration == 0 {
		return b.err(path, "duration", "missing (and no SegmentTimeline)", nil)
	}
	if media.hasIdent('T') && !media.hasIdent('N') {
		// $Time$ with @duration: times are multiples of the duration.
	} else if !media.hasIdent('N') {
		return b.err(path, "media", "needs $Number$ or $Time$", nil)
	}
	if b.p.Live {
		if !b.opt.hasNow {
			r.Loaded = false
			r.TargetDuration = ticksToDuration(si.duration, si.timescale)
			return nil
		}
		b.finishSegments(r, r.SegmentsAt(b.opt.now))
		return nil
	}
	if pp.Duration <= 0 {
		return b.err(path, "duration", "period duration unknown: cannot count segments", nil)
	}
	d := ticksToDuration(si.duration, si.timescale)
	if d <= 0 {
		return b.err(path, "duration", "rounds to zero", nil)
	}
	n := int64((pp.Duration + d - 1) / d)
	if si.endNumber > 0 && si.endNumber >= si.startNumber && int64(si.endNumber-si.startNumber+1) < n {
		n = int64(si.endNumber - si.startNumber + 1)
	}
	if n > int64(b.maxSegments()) {
		return b.err(path, "duration", fmt.Sprintf("expands to %d segments, more than %d", n, b.maxSegments()), nil)
	}
	segs := make([]Segment, 0, n)
	for k := int64(0); k < n; k++ {
		tick := si.pto + uint64(k)*si.duration
		num := si.startNumber + uint64(k)
		sd := d
		if end := time.Duration(k+1) * d; end > pp.Duration {
			sd = pp.Duration - time.Duration(k)*d
		}
		segs = append(segs, Segment{
			Number: num, URI: media.expand(num, tick), Start: time.Duration(k) * d,
			Duration: sd, Time: tick, Init: r.Init, Independent: true,
		})
	}
	b.finishSegments(r, segs)
	return nil
}

// maxSegments bounds the segments one rendition may expand to
// (Limits.Segments), so that a hostile MPD (r="2000000000") cannot
// exhaust memory.
func (b *dashBuilder) maxSegments() int { return b.opt.limits.Segments }

func (b *dashBuilder) finishSegments(r *Rendition, segs []Segment) {
	r.Segments = segs
	var max time.Duration
	for i := range segs {
		max = maxDur(max, segs[i].Duration)
	}
	if max > 0 {
		r.TargetDuration = max
	}
	if len(segs) > 0 {
		r.MediaSequence = segs[0].Number
	}
	r.Loaded = true
}

// timeline expands a SegmentTimeline. expand builds a URI from number and
// time (nil for SegmentList, whose URIs come from SegmentURL).
func (b *dashBuilder) timeline(path string, si segInfo, pp *Period, init *InitSegment, expand func(n, t uint64) string) ([]Segment, []TimelineEntry, error) {
	ss := si.timeline.S
	if len(ss) == 0 {
		return nil, nil, b.err(path, "S", "empty SegmentTimeline", nil)
	}
	entries := make([]TimelineEntry, len(ss))
	total := 0
	for i, s := range ss {
		e := TimelineEntry{D: s.D, R: s.R}
		if s.T != nil {
			e.T, e.HasT = *s.T, true
		}
		if s.N != nil {
			e.N, e.HasN = *s.N, true
		}
		if s.D == 0 {
			return nil, nil, b.err(fmt.Sprintf("%s/S[%d]", path, i), "d", "missing or 0", nil)
		}
		if s.R < -1 {
			return nil, nil, b.err(fmt.Sprintf("%s/S[%d]", path, i), "r", "must be >= -1", nil)
		}
		if s.R > 0 {
			total += s.R
		}
		total++
		if total > b.maxSegments() {
			return nil, nil, b.err(fmt.Sprintf("%s/S[%d]", path, i), "r", fmt.Sprintf("timeline expands to more than %d segments", b.maxSegments()), nil)
		}
		entries[i] = e
	}
	// End of the period in timeline ticks, for r="-1" on the last S.
	var endTick uint64
	haveEnd := false
	switch {
	case pp.Duration > 0:
		endTick = si.pto + uint64(pp.Duration.Seconds()*float64(si.timescale)+0.5)
		haveEnd = true
	case b.p.Live && b.opt.hasNow:
		el := b.opt.now.Sub(b.p.AvailabilityStart) - pp.Start
		if el > 0 {
			endTick = si.pto + uint64(el.Seconds()*float64(si.timescale))
			haveEnd = true
		}
	}
	segs := make([]Segment, 0, total)
	var t uint64
	num := si.startNumber
	for i, e := range entries {
		if e.HasT {
			if i > 0 && e.T < t {
				return nil, nil, b.err(fmt.Sprintf("%s/S[%d]", path, i), "t", fmt.Sprintf("%d goes back before the previous segment end %d", e.T, t), nil)
			}
			t = e.T
		} else if i == 0 {
			t = si.pto
		}
		if e.HasN {
			num = e.N
		}
		repeat := e.R
		if repeat < 0 {
			var end uint64
			ok := false
			if i+1 < len(entries) && entries[i+1].HasT {
				end, ok = entries[i+1].T, true
			} else if i+1 == len(entries) && haveEnd {
				end, ok = endTick, true
			}
			repeat = 0
			if ok && end > t {
				c := (end - t + e.D - 1) / e.D
				if c > uint64(b.maxSegments())-uint64(len(segs)) {
					return nil, nil, b.err(fmt.Sprintf("%s/S[%d]", path, i), "r", fmt.Sprintf("expands to more than %d segments", b.maxSegments()), nil)
				}
				repeat = int(c) - 1
			} else if !ok {
				if !b.p.Live {
					b.warn(fmt.Sprintf("%s/S[%d]", path, i), `r="-1" with no end known; taken as 0`)
				}
			}
		}
		for k := 0; k <= repeat; k++ {
			if t > ^uint64(0)-e.D {
				return nil, nil, b.err(fmt.Sprintf("%s/S[%d]", path, i), "d", "time overflows", nil)
			}
			start := ticksToDuration(t-minU(t, si.pto), si.timescale)
			seg := Segment{
				Number: num, Start: start, Duration: ticksToDuration(e.D, si.timescale),
				Time: t, Init: init, Independent: true,
			}
			if expand != nil {
				seg.URI = expand(num, t)
			}
			segs = append(segs, seg)
			if len(segs) > b.maxSegments() {
				return nil, nil, b.err(fmt.Sprintf("%s/S[%d]", path, i), "r", fmt.Sprintf("expands to more than %d segments", b.maxSegments()), nil)
			}
			t += e.D
			num++
		}
	}
	return segs, entries, nil
}

func minU(a, b uint64) uint64 {
	if a < b {
		return a
	}
	return b
}

func (b *dashBuilder) listSegments(path string, si segInfo, pp *Period, r *Rendition, base string) error {
	if si.initURL != nil {
		in, err := b.initFromURL(path+"/Initialization", si.initURL, base)
		if err != nil {
			return err
		}
		r.Init = in
	}
	n := len(si.segURLs)
	var segs []Segment
	if si.timeline != nil {
		var err error
		segs, _, err = b.timeline(path+"/SegmentTimeline", si, pp, r.Init, nil)
		if err != nil {
			return err
		}
		if len(segs) > n {
			segs = segs[:n]
		}
	} else {
		segs = make([]Segment, n)
		var d time.Duration
		if si.duration > 0 {
			d = ticksToDuration(si.duration, si.timescale)
		} else if n == 1 {
			d = pp.Duration
		} else if n > 0 {
			return b.err(path, "duration", "missing (and no SegmentTimeline)", nil)
		}
		for k := range segs {
			tick := si.pto + uint64(k)*si.duration
			segs[k] = Segment{Number: si.startNumber + uint64(k), Start: time.Duration(k) * d, Duration: d, Time: tick, Init: r.Init, Independent: true}
		}
	}
	res := newResolver(base)
	for k := range segs {
		su := si.segURLs[k]
		spath := fmt.Sprintf("%s/SegmentURL[%d]", path, k)
		u := base
		if m := strings.TrimSpace(string(su.Media)); m != "" {
			v, err := res.resolve(m)
			if err != nil {
				return b.err(spath, "media", "", err)
			}
			u = v
		}
		segs[k].URI = u
		if su.MediaRange != "" {
			rg, err := parseRange(string(su.MediaRange))
			if err != nil {
				return b.err(spath, "mediaRange", "", err)
			}
			segs[k].Range = rg
		}
	}
	b.finishSegments(r, segs)
	r.MediaSequence = si.startNumber
	return nil
}
