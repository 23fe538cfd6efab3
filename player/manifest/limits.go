package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// ErrLimit is the cause when a manifest has more of something (periods,
// adaptation sets, representations, variants, segments) than the parser's
// [Limits] allow. Such a manifest is refused before it is modelled, so a
// hostile one costs one linear scan of its bytes.
var ErrLimit = errors.New("over a parser limit")

// Limits caps the counts a manifest may have. Zero fields take the
// Default* values.
type Limits struct {
	Periods         int // DASH Periods
	AdaptationSets  int // DASH AdaptationSets over all periods
	Representations int // DASH Representations over all periods
	// Variants counts an HLS master's EXT-X-STREAM-INF,
	// EXT-X-I-FRAME-STREAM-INF and EXT-X-MEDIA entries.
	Variants int
	// Segments caps one rendition's segments (an HLS media playlist, a
	// DASH timeline, list or template expansion).
	Segments int
	// TotalSegments caps the segments of all DASH renditions together.
	TotalSegments int
}

// Defaults for Limits fields left zero: far above real titles (a day of
// 1 s segments is 86,400), far below what exhausts a device.
const (
	DefaultMaxPeriods         = 1000
	DefaultMaxAdaptationSets  = 2000
	DefaultMaxRepresentations = 4000
	DefaultMaxVariants        = 2000
	DefaultMaxSegments        = 200000
	DefaultMaxTotalSegments   = 2000000
)

// DefaultLimits returns the limits the parsers use without [WithLimits].
func DefaultLimits() Limits {
	return Limits{
		Periods: DefaultMaxPeriods, AdaptationSets: DefaultMaxAdaptationSets,
		Representations: DefaultMaxRepresentations, Variants: DefaultMaxVariants,
		Segments: DefaultMaxSegments, TotalSegments: DefaultMaxTotalSegments,
	}
}

// WithLimits sets the parser's count limits; zero fields keep their defaults.
func WithLimits(l Limits) Option {
	return func(o *options) { o.limits = l }
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	pick := func(v, def int) int {
		if v > 0 {
			return v
		}
		return def
	}
	return Limits{
		Periods: pick(l.Periods, d.Periods), AdaptationSets: pick(l.AdaptationSets, d.AdaptationSets),
		Representations: pick(l.Representations, d.Representations), Variants: pick(l.Variants, d.Variants),
		Segments: pick(l.Segments, d.Segments), TotalSegments: pick(l.TotalSegments, d.TotalSegments),
	}
}

// countLimit is one thing a pre-scan counts.
type countLimit struct {
	what    string   // plural name for the message
	field   string   // tag or element reported
	needles []string // occurrences counted
	max     int
	elem    bool // needles are XML element starts: the next byte must end the name
}

// overLimit scans data once per limit and returns a located error for the
// first count beyond its cap.
func overLimit(data []byte, uri string, limits []countLimit) error {
	for _, c := range limits {
		n := 0
		at := -1
		for _, nd := range c.needles {
			if n > c.max {
				break
			}
			if off := nthOccurrence(data, nd, c.elem, c.max+1-n, &n); off >= 0 && (at < 0 || off < at) {
				at = off
			}
		}
		if n > c.max {
			return &ParseError{URI: uri, Line: 1 + bytes.Count(data[:max(at, 0)], []byte("\n")), Field: c.field,
				Msg: fmt.Sprintf("more than %d %s", c.max, c.what), Err: ErrLimit}
		}
	}
	return nil
}

// nthOccurrence counts needle in data into *n, stopping at the want-th
// one, whose offset it returns (-1 when there are fewer).
func nthOccurrence(data []byte, needle string, elem bool, want int, n *int) int {
	nb := []byte(needle)
	seen := 0
	for off := 0; ; {
		i := bytes.Index(data[off:], nb)
		if i < 0 {
			return -1
		}
		pos := off + i
		off = pos + len(nb)
		if elem && off < len(data) && !strings.ContainsRune(" \t\r\n/>", rune(data[off])) {
			continue // <RepresentationIndex is not <Representation
		}
		seen++
		*n = *n + 1
		if seen >= want {
			return pos
		}
	}
}

// checkHLSCounts refuses an HLS playlist with too many variants or segments.
func checkHLSCounts(data []byte, uri string, l Limits) error {
	return overLimit(data, uri, []countLimit{
		{what: "variants and renditions", field: "EXT-X-STREAM-INF", max: l.Variants,
			needles: []string{"#EXT-X-STREAM-INF:", "#EXT-X-I-FRAME-STREAM-INF:", "#EXT-X-MEDIA:"}},
		{what: "segments", field: "EXTINF", max: l.Segments, needles: []string{"#EXTINF:"}},
	})
}

// checkDASHCounts refuses an MPD with too many periods, adaptation sets,
// representations or timeline entries before it is decoded.
func checkDASHCounts(data []byte, uri string, l Limits) error {
	return overLimit(data, uri, []countLimit{
		{what: "Periods", field: "Period", max: l.Periods, needles: []string{"<Period"}, elem: true},
		{what: "AdaptationSets", field: "AdaptationSet", max: l.AdaptationSets, needles: []string{"<AdaptationSet"}, elem: true},
		{what: "Representations", field: "Representation", max: l.Representations, needles: []string{"<Representation"}, elem: true},
		{what: "SegmentTimeline S entries", field: "S", max: l.TotalSegments, needles: []string{"<S"}, elem: true},
	})
}
