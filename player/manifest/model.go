package manifest

import "time"

// Format tells which manifest language a presentation came from.
type Format uint8

const (
	FormatHLS Format = iota + 1
	FormatDASH
)

func (f Format) String() string {
	switch f {
	case FormatHLS:
		return "hls"
	case FormatDASH:
		return "dash"
	}
	return "unknown"
}

// MediaType is the kind of media a rendition carries.
type MediaType uint8

const (
	Video MediaType = iota + 1
	Audio
	Text
	Image
)

func (t MediaType) String() string {
	switch t {
	case Video:
		return "video"
	case Audio:
		return "audio"
	case Text:
		return "text"
	case Image:
		return "image"
	}
	return "unknown"
}

// Presentation is the one model both HLS and DASH are parsed into.
// For HLS a master playlist gives renditions whose segments are filled in
// later from their media playlists (see Rendition.Loaded).
type Presentation struct {
	Format Format
	URI    string // absolute URI the manifest was read from; base for relative URIs

	Live     bool          // HLS without EXT-X-ENDLIST, DASH type="dynamic"
	Duration time.Duration // total media duration for VOD; 0 when unknown

	Periods []Period // HLS: always exactly one

	// Live timing.
	AvailabilityStart    time.Time     // DASH availabilityStartTime
	PublishTime          time.Time     // DASH publishTime
	TimeShiftBufferDepth time.Duration // DASH timeShiftBufferDepth; HLS: window length
	MinUpdatePeriod      time.Duration // DASH minimumUpdatePeriod; HLS: target duration
	SuggestedDelay       time.Duration // DASH suggestedPresentationDelay, HLS HOLD-BACK
	MinBufferTime        time.Duration // DASH minBufferTime

	IndependentSegments bool
	Steering            *ContentSteering // nil when the manifest names none
	Locations           []string         // DASH Location elements (resolved)
	SessionKeys         []Key            // HLS EXT-X-SESSION-KEY

	// Warnings are located, non-fatal problems the parser worked around
	// (as lenient as the major players): an entry it skipped, a value it
	// derived. Empty for clean input.
	Warnings []string

	// Variables are the HLS master playlist's EXT-X-DEFINE values, for
	// media playlists that IMPORT them (ParseHLSMediaWithVars).
	Variables map[string]string
}

// Period is a DASH period; HLS presentations have one.
type Period struct {
	ID       string
	Start    time.Duration // from the presentation start
	Duration time.Duration // 0 when unknown (last period of a live stream)
	Sets     []AdaptationSet
}

// AdaptationSet groups interchangeable renditions of one media type:
// a DASH AdaptationSet, or for HLS the variants (video) or one
// EXT-X-MEDIA group (audio, subtitles).
type AdaptationSet struct {
	ID         string
	Type       MediaType
	GroupID    string // HLS GROUP-ID of EXT-X-MEDIA alternates
	Lang       string
	Name       string
	Default    bool
	Autoselect bool
	MimeType   string
	Codecs     string
	Renditions []Rendition
}

// Rendition is one encoding: an HLS variant or alternate, a DASH
// Representation. Bandwidths are in bits per second.
type Rendition struct {
	ID               string
	Type             MediaType
	Bandwidth        int
	AverageBandwidth int
	Width, Height    int
	FrameRate        float64
	Codecs           string
	MimeType         string
	Lang             string
	IFrameOnly       bool

	// HLS
	PlaylistURI    string // media playlist (resolved)
	AudioGroup     string
	SubtitlesGroup string
	ClosedCaptions string
	PathwayID      string // EXT-X-STREAM-INF PATHWAY-ID
	Loaded         bool   // segments are filled in (always true for DASH VOD)

	// DASH
	BaseURLs []BaseURL // resolved, most specific level last-applied; first is preferred

	Timescale             uint32
	Init                  *InitSegment // nil when segments are self-initialising (e.g. TS)
	Segments              []Segment
	MediaSequence         uint64        // number of Segments[0]
	TargetDuration        time.Duration // HLS EXT-X-TARGETDURATION, DASH max segment duration
	EndList               bool          // no more segments will be added
	DiscontinuitySequence uint64

	// LL-HLS
	PartTarget    time.Duration
	PreloadHint   *PreloadHint
	ServerControl *ServerControl

	// DASH SegmentBase: the segment index is in a sidx box at this range
	// of the media file; Segments is empty until it is resolved.
	IndexRange *ByteRange

	// Additions (after the first contract).

	// PendingParts are LL-HLS parts published after the last complete
	// segment (the segment being produced).
	PendingParts []Part
	// Template is set for DASH SegmentTemplate renditions; for dynamic
	// MPDs without a SegmentTimeline the segment window depends on the
	// wall clock: see (*Rendition).SegmentsAt.
	Template *SegmentTemplate
	// MediaURI is the DASH SegmentBase media file (resolved), the file
	// IndexRange points into.
	MediaURI string
	// PresentationTimeOffset is the DASH @presentationTimeOffset: media
	// time that maps to the period start. ApplyIndex subtracts it from
	// sidx times.
	PresentationTimeOffset time.Duration
}

// BaseURL is a DASH BaseURL with its serviceLocation (a CDN or pathway).
type BaseURL struct {
	URL             string
	ServiceLocation string
}

// ByteRange is a range of Length bytes from Offset. Length 0 means to the end.
type ByteRange struct {
	Offset int64
	Length int64
}

// InitSegment is an fMP4 initialisation segment (EXT-X-MAP, DASH Initialization).
type InitSegment struct {
	URI   string
	Range *ByteRange
}

// Segment is one media segment.
type Segment struct {
	Number          uint64 // HLS media sequence number, DASH $Number$
	URI             string // resolved
	Range           *ByteRange
	Start           time.Duration // presentation time from the period start
	Duration        time.Duration
	Time            uint64 // DASH $Time$ / decode time in the rendition timescale
	Discontinuity   bool
	Key             *Key
	ProgramDateTime time.Time
	Parts           []Part
	Gap             bool

	// Init is the initialisation segment in force for this segment
	// (EXT-X-MAP may change after a discontinuity); nil for
	// self-initialising segments.
	Init *InitSegment
	// Independent is set when the segment starts with an independent
	// frame (EXT-X-INDEPENDENT-SEGMENTS or I-frame playlists).
	Independent bool
}

// Part is an LL-HLS partial segment.
type Part struct {
	URI         string
	Range       *ByteRange
	Duration    time.Duration
	Independent bool
	Gap         bool
}

// PreloadHint is an LL-HLS EXT-X-PRELOAD-HINT.
type PreloadHint struct {
	Type  string // PART or MAP
	URI   string
	Range *ByteRange
}

// ServerControl is LL-HLS EXT-X-SERVER-CONTROL.
type ServerControl struct {
	CanBlockReload bool
	CanSkipUntil   time.Duration
	HoldBack       time.Duration
	PartHoldBack   time.Duration
}

// Key is an encryption key reference; it is recorded, not used to decrypt.
type Key struct {
	Method            string
	URI               string
	IV                string
	KeyFormat         string
	KeyFormatVersions string
}

// ContentSteering is EXT-X-CONTENT-STEERING or the DASH ContentSteering element.
type ContentSteering struct {
	ServerURI        string // resolved steering manifest URI
	DefaultPathwayID string // HLS PATHWAY-ID / DASH defaultServiceLocation
	QueryBeforeStart bool   // DASH queryBeforeStart
	ProxyServerURL   string // DASH proxyServerURL
}
