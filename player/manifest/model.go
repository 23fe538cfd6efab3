package manifest

import "time"

// Format tells which manifest language a presentation came from.
type Format uint8

const (
	FormatHLS  Format = iota + 1 // HLS (m3u8 playlists)
	FormatDASH                   // MPEG-DASH (MPD)
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
	Video MediaType = iota + 1 // video (HLS variants, DASH video sets)
	Audio                      // audio
	Text                       // subtitles and captions
	Image                      // thumbnails (DASH image sets)
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
	Format Format // the manifest language
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

	IndependentSegments bool             // HLS EXT-X-INDEPENDENT-SEGMENTS
	Steering            *ContentSteering // nil when the manifest names none
	Locations           []string         // DASH Location elements (resolved)
	UTCTiming           []UTCTiming      // DASH UTCTiming elements, in preference order
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
	ID       string          // DASH Period@id (may be empty); HLS "0"
	Start    time.Duration   // from the presentation start
	Duration time.Duration   // 0 when unknown (last period of a live stream)
	Sets     []AdaptationSet // in manifest order
	// Captions are the closed-caption services carried in the video.
	Captions []Captions `json:",omitempty"`
}

// Captions is a CEA-608 closed-caption service carried in the video
// stream (H.264 SEI): an HLS EXT-X-MEDIA TYPE=CLOSED-CAPTIONS with
// INSTREAM-ID CC1-CC4, or a channel of a DASH Accessibility descriptor
// urn:scte:dash:cc:cea-608:2015.
type Captions struct {
	Channel int    // 1-4: CC1-CC4
	Lang    string // language, "" when not given
	Name    string // HLS NAME
	GroupID string // HLS GROUP-ID
	Default bool   // HLS DEFAULT=YES
}

// addCaptions adds c to cs unless its channel is there already.
func addCaptions(cs []Captions, c Captions) []Captions {
	for _, have := range cs {
		if have.Channel == c.Channel {
			return cs
		}
	}
	return append(cs, c)
}

// AdaptationSet groups interchangeable renditions of one media type:
// a DASH AdaptationSet, or for HLS the variants (video) or one
// EXT-X-MEDIA group (audio, subtitles).
type AdaptationSet struct {
	ID         string      // DASH @id (else its index); HLS "variants", "iframes", "audio0", ...
	Type       MediaType   // what its renditions carry
	GroupID    string      // HLS GROUP-ID of EXT-X-MEDIA alternates
	Lang       string      // language (BCP 47), "" when not given
	Name       string      // HLS NAME, DASH Label: for track menus
	Default    bool        // HLS DEFAULT=YES, DASH Role "main"
	Autoselect bool        // HLS AUTOSELECT=YES
	MimeType   string      // DASH @mimeType
	Codecs     string      // RFC 6381: DASH @codecs; HLS the first variant's
	Roles      []string    // DASH Role values ("main", "alternate", "commentary", ...); HLS CHARACTERISTICS
	Channels   int         // audio channels: HLS CHANNELS, DASH AudioChannelConfiguration; 0 when not given
	Renditions []Rendition // in manifest order (HLS) or by the MPD
	// Protection is the DASH ContentProtection of the set; nil when clear.
	Protection []Protection `json:",omitempty"`
}

// Protection is a DASH ContentProtection descriptor.
type Protection struct {
	Scheme     string // @schemeIdUri, e.g. urn:mpeg:dash:mp4protection:2011 or a DRM system's urn:uuid:...
	Value      string // @value: "cenc", "cbcs" for mp4protection
	DefaultKID string `json:",omitempty"` // cenc:default_KID as written (UUID form)
	LicenseURL string `json:",omitempty"` // dashif:Laurl (or, for ClearKey, the older clearkey:Laurl), resolved against the MPD
}

// Rendition is one encoding: an HLS variant or alternate, a DASH
// Representation. Bandwidths are in bits per second.
type Rendition struct {
	ID               string    // DASH Representation@id; HLS generated ("v0", "iframe0", ...)
	Type             MediaType // what it carries
	Bandwidth        int       // declared peak: HLS BANDWIDTH, DASH @bandwidth
	AverageBandwidth int       // HLS AVERAGE-BANDWIDTH; 0 when not given
	Width, Height    int       // pixels; 0 when not given
	FrameRate        float64   // frames per second; 0 when not given
	Codecs           string    // RFC 6381 codecs
	MimeType         string    // DASH @mimeType
	Lang             string    // language (BCP 47), "" when not given
	IFrameOnly       bool      // an I-frame (trick-play) rendition

	// HLS
	PlaylistURI    string // media playlist (resolved)
	AudioGroup     string // AUDIO group ID of the variant
	SubtitlesGroup string // SUBTITLES group ID of the variant
	ClosedCaptions string // CLOSED-CAPTIONS group ID or NONE
	PathwayID      string // EXT-X-STREAM-INF PATHWAY-ID
	Loaded         bool   // segments are filled in (always true for DASH VOD)

	// DASH
	BaseURLs []BaseURL // resolved, most specific level last-applied; first is preferred

	Timescale             uint32        // ticks per second of Segment.Time (HLS: 1000)
	Init                  *InitSegment  // nil when segments are self-initialising (e.g. TS)
	Segments              []Segment     // in order; empty until loaded or resolved
	MediaSequence         uint64        // number of Segments[0]
	TargetDuration        time.Duration // HLS EXT-X-TARGETDURATION, DASH max segment duration
	EndList               bool          // no more segments will be added
	DiscontinuitySequence uint64        // HLS EXT-X-DISCONTINUITY-SEQUENCE

	// LL-HLS
	PartTarget    time.Duration  // EXT-X-PART-INF PART-TARGET; 0 without parts
	PreloadHint   *PreloadHint   // nil when none
	ServerControl *ServerControl // nil when the playlist has none

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
	// Tiles is the DASH-IF thumbnail_tile EssentialProperty of an image
	// rendition: its images are grids of "COLUMNSxROWS" thumbnails
	// ("10x1"); "" when not given.
	Tiles string `json:",omitempty"`
}

// BaseURL is a DASH BaseURL with its serviceLocation (a CDN or pathway).
type BaseURL struct {
	URL             string // resolved
	ServiceLocation string // @serviceLocation; "" when not given
}

// ByteRange is a range of Length bytes from Offset. Length 0 means to the end.
type ByteRange struct {
	Offset int64 // first byte
	Length int64 // bytes; 0: to the end
}

// InitSegment is an fMP4 initialisation segment (EXT-X-MAP, DASH Initialization).
type InitSegment struct {
	URI   string     // resolved
	Range *ByteRange // nil: the whole resource
}

// Segment is one media segment.
type Segment struct {
	Number          uint64        // HLS media sequence number, DASH $Number$
	URI             string        // resolved
	Range           *ByteRange    // nil: the whole resource
	Start           time.Duration // presentation time from the period start
	Duration        time.Duration // media duration (HLS EXTINF, DASH @d / @duration)
	Time            uint64        // DASH $Time$ / decode time in the rendition timescale
	Discontinuity   bool          // HLS EXT-X-DISCONTINUITY before this segment
	Key             *Key          // encryption in force; nil when clear
	ProgramDateTime time.Time     // HLS EXT-X-PROGRAM-DATE-TIME (given or carried forward); zero when none
	Parts           []Part        // LL-HLS parts of this segment
	Gap             bool          // HLS EXT-X-GAP: the segment is missing, do not fetch it

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
	URI         string        // resolved
	Range       *ByteRange    // nil: the whole resource
	Duration    time.Duration // EXT-X-PART DURATION
	Independent bool          // INDEPENDENT=YES: starts with an independent frame
	Gap         bool          // GAP=YES: the part is missing
}

// PreloadHint is an LL-HLS EXT-X-PRELOAD-HINT.
type PreloadHint struct {
	Type  string     // PART or MAP
	URI   string     // resolved
	Range *ByteRange // nil: the whole resource
}

// RenditionReport is LL-HLS EXT-X-RENDITION-REPORT: where another
// rendition's playlist stands, so that a player switching to it can ask
// for its newest part with a blocking request at once.
type RenditionReport struct {
	URI      string // resolved
	LastMSN  uint64
	LastPart int // -1 when absent
}

// MaxRenditionReports bounds the reports kept from one playlist (a
// rendition report per rendition of the stream).
const MaxRenditionReports = 64

// ServerControl is LL-HLS EXT-X-SERVER-CONTROL.
type ServerControl struct {
	CanBlockReload bool          // CAN-BLOCK-RELOAD=YES
	CanSkipUntil   time.Duration // CAN-SKIP-UNTIL; 0 when delta updates are not offered
	HoldBack       time.Duration // HOLD-BACK: minimum distance from the live edge
	PartHoldBack   time.Duration // PART-HOLD-BACK: the same for low-latency playback
}

// Key is an encryption key reference; it is recorded, not used to decrypt.
type Key struct {
	Method            string // METHOD: AES-128, SAMPLE-AES, ... ("NONE" is no key)
	URI               string // resolved key URI
	IV                string // IV as written (hex with 0x); "" when derived from the sequence number
	KeyFormat         string // KEYFORMAT; "" means identity
	KeyFormatVersions string // KEYFORMATVERSIONS as written
}

// ContentSteering is EXT-X-CONTENT-STEERING or the DASH ContentSteering element.
type ContentSteering struct {
	ServerURI        string // resolved steering manifest URI
	DefaultPathwayID string // HLS PATHWAY-ID / DASH defaultServiceLocation
	QueryBeforeStart bool   // DASH queryBeforeStart
	ProxyServerURL   string // DASH proxyServerURL
}

// UTCTiming is a DASH UTCTiming element: how a client learns the time
// the MPD's availability times are counted in.
type UTCTiming struct {
	Scheme TimingScheme
	Value  string // the time source URL (resolved) or, for TimingDirect, the time itself
}

// TimingScheme is the kind of a UTCTiming source.
type TimingScheme uint8

// The UTCTiming schemes a player reads (ISO/IEC 23009-1 Table 21).
const (
	TimingUnknown    TimingScheme = iota // a scheme the parser does not know; skipped by players
	TimingHTTPXSDate                     // urn:mpeg:dash:utc:http-xsdate:2014: GET returns an xs:dateTime
	TimingHTTPISO                        // urn:mpeg:dash:utc:http-iso:2014: GET returns an ISO 8601 time
	TimingDirect                         // urn:mpeg:dash:utc:direct:2014: value is the xs:dateTime
	TimingNone                           // urn:mpeg:dash:utc:none:2014 (non-standard): use the local clock
)

// String is the scheme's short name (http-xsdate, http-iso, direct, none).
func (s TimingScheme) String() string {
	switch s {
	case TimingHTTPXSDate:
		return "http-xsdate"
	case TimingHTTPISO:
		return "http-iso"
	case TimingDirect:
		return "direct"
	case TimingNone:
		return "none"
	}
	return "unknown"
}
