package manifest

import "time"

// SegmentTemplate is a DASH SegmentTemplate with $RepresentationID$ and
// $Bandwidth$ already substituted and URIs resolved against the BaseURL.
type SegmentTemplate struct {
	Media                  string // still holds $Number$ / $Time$ identifiers
	Initialization         string
	Timescale              uint32
	Duration               uint64 // segment duration in Timescale units; 0 with a timeline
	StartNumber            uint64
	EndNumber              uint64 // 0 when not set
	PresentationTimeOffset uint64
	Timeline               []TimelineEntry // nil without SegmentTimeline

	// Window context copied from the presentation and period so that
	// SegmentsAt needs nothing else.
	Dynamic              bool
	AvailabilityStart    time.Time
	PeriodStart          time.Duration
	PeriodDuration       time.Duration // 0 when open-ended
	TimeShiftBufferDepth time.Duration // 0 means unbounded
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

// SegmentsAt returns r's segments available at wall time now. For
// renditions without a live template it returns r.Segments. It does not
// modify r.
func (r *Rendition) SegmentsAt(now time.Time) []Segment {
	return r.Segments
}
