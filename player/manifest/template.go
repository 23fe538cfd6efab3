package manifest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SegmentTemplate is a DASH SegmentTemplate with $RepresentationID$ and
// $Bandwidth$ already substituted, as it applies to one rendition.
type SegmentTemplate struct {
	Media                  string // as written, still holding $Number$ / $Time$
	Initialization         string // resolved
	Timescale              uint32
	Duration               uint64 // segment duration in Timescale units; 0 with a timeline
	StartNumber            uint64
	EndNumber              uint64 // 0 when not set
	PresentationTimeOffset uint64
	// AvailabilityTimeOffset makes each segment available this much
	// before it is complete (LL-DASH: its first chunks are; the server
	// sends the rest as they are made).
	AvailabilityTimeOffset time.Duration
	Timeline               []TimelineEntry // nil without SegmentTimeline

	// Window context copied from the presentation and period so that
	// SegmentsAt needs nothing else.
	Dynamic              bool
	AvailabilityStart    time.Time
	PeriodStart          time.Duration
	PeriodDuration       time.Duration // 0 when open-ended
	TimeShiftBufferDepth time.Duration // 0 means unbounded

	media *compiledTemplate
	init  *InitSegment
}

// TimelineEntry is one S element of a SegmentTimeline. R is -1 for
// "repeat until the next S or the period end".
type TimelineEntry struct {
	T    uint64 // start time in Timescale units; valid when HasT
	HasT bool
	N    uint64 // segment number (S@n); valid when HasN
	HasN bool
	D    uint64
	R    int
}

// MaxLiveWindowSegments caps the segments SegmentsAt generates for a
// dynamic template without timeShiftBufferDepth (the newest are kept).
const MaxLiveWindowSegments = 100000

// SegmentsAt returns r's segments available at wall time now. For static
// renditions and renditions without a template it returns r.Segments. For
// a dynamic SegmentTimeline it returns the sub-slice of r.Segments inside
// the availability window; for a dynamic template with @duration it
// generates the window. It does not modify r and is safe to call from
// many goroutines on a shared rendition.
func (r *Rendition) SegmentsAt(now time.Time) []Segment {
	return r.SegmentsAtReusing(now, nil)
}

// SegmentsAtReusing is SegmentsAt that copies the generated segments it
// shares with prev (an earlier answer for r, by segment number) instead of
// building their URIs again: a live window moves a segment at a time.
// Only segments of this very template (the same parsed MPD) are reused.
// It never modifies prev.
func (r *Rendition) SegmentsAtReusing(now time.Time, prev []Segment) []Segment {
	t := r.Template
	if t == nil || !t.Dynamic {
		return r.Segments
	}
	elapsed := now.Sub(t.AvailabilityStart) - t.PeriodStart + t.AvailabilityTimeOffset
	if elapsed <= 0 {
		return nil
	}
	if t.Timeline != nil {
		return t.timelineWindow(r.Segments, elapsed)
	}
	if t.Duration == 0 || t.Timescale == 0 {
		return nil
	}
	d := ticksToDuration(t.Duration, t.Timescale)
	if d <= 0 {
		return nil
	}
	if t.PeriodDuration > 0 && elapsed > t.PeriodDuration {
		elapsed = t.PeriodDuration
	}
	last := int64(elapsed/d) - 1 // newest complete segment
	if last < 0 {
		return nil
	}
	first := int64(0)
	if t.TimeShiftBufferDepth > 0 {
		if f := int64((elapsed-t.TimeShiftBufferDepth+d-1)/d) - 1; f > 0 {
			first = f
		}
	}
	if t.EndNumber > 0 && t.EndNumber >= t.StartNumber {
		if maxK := int64(t.EndNumber - t.StartNumber); last > maxK {
			last = maxK
		}
	}
	if last-first+1 > MaxLiveWindowSegments {
		first = last - MaxLiveWindowSegments + 1
	}
	if first > last {
		return nil
	}
	out := make([]Segment, 0, last-first+1)
	for k := first; k <= last; k++ {
		tick := t.PresentationTimeOffset + uint64(k)*t.Duration
		num := t.StartNumber + uint64(k)
		if len(prev) > 0 && num >= prev[0].Number {
			if i := num - prev[0].Number; i < uint64(len(prev)) && prev[i].Number == num && prev[i].Time == tick && t.init != nil && prev[i].Init == t.init {
				out = append(out, prev[i])
				continue
			}
		}
		out = append(out, Segment{
			Number:      num,
			URI:         t.media.expand(num, tick),
			Start:       time.Duration(k) * d,
			Duration:    d,
			Time:        tick,
			Init:        t.init,
			Independent: true,
		})
	}
	return out
}

// timelineWindow returns the listed segments inside the availability
// window at elapsed (time since the period start). When the last S has
// r="-1" and the period is open-ended, segments after the listed ones are
// generated up to elapsed, as the MPD promises.
func (t *SegmentTemplate) timelineWindow(segs []Segment, elapsed time.Duration) []Segment {
	limit := elapsed
	if t.PeriodDuration > 0 && limit > t.PeriodDuration {
		limit = t.PeriodDuration
	}
	var ext []Segment
	if n := len(t.Timeline); n > 0 && t.Timeline[n-1].R < 0 && t.media != nil && len(segs) > 0 {
		e := t.Timeline[n-1]
		dur := ticksToDuration(e.D, t.Timescale)
		last := segs[len(segs)-1]
		next := last.Start + last.Duration
		if dur > 0 && next+dur <= limit {
			count := int64((limit - next) / dur)
			if count > MaxLiveWindowSegments {
				count = MaxLiveWindowSegments
			}
			skip := int64((limit-next)/dur) - count // oldest generated ones that cannot be kept
			ext = make([]Segment, 0, count)
			for k := skip; k < skip+count; k++ {
				num := last.Number + 1 + uint64(k)
				tick := last.Time + e.D*uint64(k+1)
				ext = append(ext, Segment{
					Number: num, URI: t.media.expand(num, tick), Start: next + time.Duration(k)*dur,
					Duration: dur, Time: tick, Init: t.init, Independent: true,
				})
			}
		}
	}
	inWindow := func(s *Segment) bool {
		return t.TimeShiftBufferDepth <= 0 || s.Start+s.Duration >= elapsed-t.TimeShiftBufferDepth
	}
	lo, hi := 0, len(segs)
	for hi > 0 && segs[hi-1].Start+segs[hi-1].Duration > limit {
		hi--
	}
	for lo < hi && !inWindow(&segs[lo]) {
		lo++
	}
	if len(ext) == 0 {
		return segs[lo:hi]
	}
	k := 0
	for k < len(ext) && !inWindow(&ext[k]) {
		k++
	}
	out := make([]Segment, 0, hi-lo+len(ext)-k)
	out = append(out, segs[lo:hi]...)
	return append(out, ext[k:]...)
}

// ticksToDuration converts ticks of a timescale to a Duration without
// overflowing for any realistic value.
func ticksToDuration(ticks uint64, timescale uint32) time.Duration {
	if timescale == 0 {
		return 0
	}
	ts := uint64(timescale)
	secs := ticks / ts
	if secs > maxSeconds {
		return time.Duration(maxSeconds * 1e9)
	}
	rem := ticks % ts
	return time.Duration(secs)*time.Second + time.Duration(rem*1e9/ts)
}

// compiledTemplate is a SegmentTemplate@media split into literal text and
// $Number$ / $Time$ identifiers, with a resolved prefix.
type compiledTemplate struct {
	parts  []tmplPart
	res    *resolver
	prefix string // directory of the base when the template is a simple relative path
	simple bool
	size   int
}

type tmplPart struct {
	lit   string
	id    byte // 0 literal, 'N' Number, 'T' Time, 'S' SubNumber
	width int
}

// compileTemplate parses DASH template identifiers ($Number$,
// $Number%05d$, $Time$, $RepresentationID$, $Bandwidth$, $SubNumber$, $$),
// substituting the per-representation ones at once.
func compileTemplate(s, repID string, bandwidth uint32, base string) (*compiledTemplate, error) {
	c := &compiledTemplate{res: newResolver(base)}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			c.parts = append(c.parts, tmplPart{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		if s[i] != '$' {
			j := strings.IndexByte(s[i:], '$')
			if j < 0 {
				j = len(s) - i
			}
			lit.WriteString(s[i : i+j])
			i += j
			continue
		}
		end := strings.IndexByte(s[i+1:], '$')
		if end < 0 {
			return nil, fmt.Errorf("unterminated $ identifier in %q", s)
		}
		ident := s[i+1 : i+1+end]
		i += end + 2
		if ident == "" {
			lit.WriteByte('$')
			continue
		}
		name, format, hasFormat := strings.Cut(ident, "%")
		width := 0
		if hasFormat {
			f := strings.TrimSuffix(format, "d")
			if len(f) == len(format) || f == "" && format != "d" {
				return nil, fmt.Errorf("bad format tag %q in %q", "%"+format, s)
			}
			if f != "" {
				w, err := strconv.Atoi(f)
				if err != nil || w < 0 || w > 32 {
					return nil, fmt.Errorf("bad format tag %q in %q", "%"+format, s)
				}
				width = w
			}
		}
		switch name {
		case "RepresentationID":
			if hasFormat {
				return nil, fmt.Errorf("format tag not allowed on $RepresentationID$ in %q", s)
			}
			lit.WriteString(repID)
		case "Bandwidth":
			lit.WriteString(pad(strconv.FormatUint(uint64(bandwidth), 10), width))
		case "Number", "Time", "SubNumber":
			flush()
			c.parts = append(c.parts, tmplPart{id: name[0], width: width})
		default:
			return nil, fmt.Errorf("unknown identifier $%s$ in %q", ident, s)
		}
	}
	flush()
	// Decide once whether expansions can skip URL resolution.
	var probe strings.Builder
	for _, p := range c.parts {
		if p.id == 0 {
			probe.WriteString(p.lit)
		} else {
			probe.WriteByte('0')
		}
		c.size += len(p.lit) + 12
	}
	if c.res.ok && simpleRelative(probe.String()) {
		c.simple, c.prefix = true, c.res.dir
		c.size += len(c.prefix)
	}
	return c, nil
}

func pad(s string, width int) string {
	if len(s) >= width {
		return s
	}
	return strings.Repeat("0", width-len(s)) + s
}

// hasIdent reports whether the template uses identifier id.
func (c *compiledTemplate) hasIdent(id byte) bool {
	for _, p := range c.parts {
		if p.id == id {
			return true
		}
	}
	return false
}

// expand fills in number and time and resolves the result. The common
// case (a simple relative template) costs one allocation.
func (c *compiledTemplate) expand(number, t uint64) string {
	var b strings.Builder
	b.Grow(c.size)
	if c.simple {
		b.WriteString(c.prefix)
	}
	var tmp [24]byte
	for _, p := range c.parts {
		var v uint64
		switch p.id {
		case 0:
			b.WriteString(p.lit)
			continue
		case 'N':
			v = number
		case 'T':
			v = t
		case 'S':
			v = 1
		}
		d := strconv.AppendUint(tmp[:0], v, 10)
		for k := len(d); k < p.width; k++ {
			b.WriteByte('0')
		}
		b.Write(d)
	}
	if c.simple {
		return b.String()
	}
	u, err := c.res.resolve(b.String())
	if err != nil {
		return b.String()
	}
	return u
}
