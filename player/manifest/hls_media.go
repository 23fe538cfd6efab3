package manifest

import "time"

// MediaPlaylist is a parsed HLS media playlist. It is immutable once
// returned and may be shared read-only by many players.
type MediaPlaylist struct {
	URI                   string
	Version               int
	TargetDuration        time.Duration
	MediaSequence         uint64
	DiscontinuitySequence uint64
	PlaylistType          string // "VOD", "EVENT" or ""
	EndList               bool
	IFrameOnly            bool
	IndependentSegments   bool
	Init                  *InitSegment // first EXT-X-MAP; segments may carry their own (Segment.Init)
	Segments              []Segment
	PendingParts          []Part // LL-HLS parts after the last complete segment
	Duration              time.Duration
	Skipped               uint64 // EXT-X-SKIP SKIPPED-SEGMENTS

	PartTarget    time.Duration
	PreloadHint   *PreloadHint
	ServerControl *ServerControl
}

// ParseHLSMedia parses an HLS media playlist.
func ParseHLSMedia(data []byte, uri string) (*MediaPlaylist, error) {
	return nil, &ParseError{URI: uri, Msg: "not implemented yet"}
}

// ApplyMedia fills r's segments from m. It is O(1): r shares m's slices,
// which must be treated as read-only. Call it on a player's own copy of
// the rendition, never on a Presentation shared between players.
func (r *Rendition) ApplyMedia(m *MediaPlaylist) {
	r.Segments = m.Segments
	r.PendingParts = m.PendingParts
	r.Init = m.Init
	r.MediaSequence = m.MediaSequence
	r.TargetDuration = m.TargetDuration
	r.EndList = m.EndList
	r.DiscontinuitySequence = m.DiscontinuitySequence
	r.PartTarget = m.PartTarget
	r.PreloadHint = m.PreloadHint
	r.ServerControl = m.ServerControl
	if m.IFrameOnly {
		r.IFrameOnly = true
	}
	r.Loaded = true
}
