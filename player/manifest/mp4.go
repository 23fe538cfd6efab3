package manifest

// InitInfo describes an fMP4 initialisation segment.
type InitInfo struct {
	Tracks []TrackInfo
}

// TrackInfo is one track of an init segment.
type TrackInfo struct {
	ID         uint32
	Type       MediaType
	Timescale  uint32
	Codec      string // RFC 6381 codec string, e.g. avc1.64001f, mp4a.40.2
	Width      int
	Height     int
	SampleRate int
	Channels   int
	Lang       string
	Encrypted  bool
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

// SegmentInfo describes an fMP4 media segment: every fragment's track runs.
type SegmentInfo struct {
	SequenceNumber uint32 // mfhd of the first fragment
	Fragments      int
	Tracks         []FragmentTrack // one per trafs' track ID, merged over fragments
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

// ParseSidx reads a sidx box (data starts at the box) found at indexRange of
// mediaURI and returns its segments with byte ranges into mediaURI.
func ParseSidx(data []byte, mediaURI string, indexRange ByteRange) ([]Segment, error) {
	return nil, &ParseError{URI: mediaURI, Msg: "not implemented yet"}
}

// ParseInit reads an fMP4 initialisation segment (ftyp+moov).
func ParseInit(data []byte) (*InitInfo, error) {
	return nil, &ParseError{Msg: "not implemented yet"}
}

// ParseMediaSegment reads an fMP4 media segment (styp? sidx? (moof mdat)+).
func ParseMediaSegment(data []byte) (*SegmentInfo, error) {
	return nil, &ParseError{Msg: "not implemented yet"}
}
