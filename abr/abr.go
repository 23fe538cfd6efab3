package abr

import "time"

// Sample is one completed transfer, as seen by a bandwidth estimator.
type Sample struct {
	Bytes    int64         // bytes received
	Duration time.Duration // from request to last byte
}

// Estimator turns transfer samples into a bandwidth estimate.
type Estimator interface {
	Add(s Sample)
	// Estimate returns bits per second; ok is false while there is too
	// little data to trust it.
	Estimate() (bps float64, ok bool)
	Reset()
}

// Chunk is what happened to one downloaded segment.
type Chunk struct {
	Level    int           // level it was fetched at (index into State.Bitrates)
	Bytes    int64         // its size
	Download time.Duration // transfer time
	Rebuffer time.Duration // stall caused while it downloaded
}

// State is everything an algorithm may look at to choose the next level.
type State struct {
	Now             time.Duration // player clock
	Buffer          time.Duration // media buffered ahead of the playhead
	MaxBuffer       time.Duration // the player's buffer goal
	SegmentDuration time.Duration // media duration of the segment being chosen (the player passes 4s when unknown)
	Bitrates        []int         // bits per second, ascending; index is the level
	Last            int           // level of the previous segment; -1 before the first
	Index           int           // index of the segment being chosen
	Remaining       int           // segments left including this one; -1 when unknown (live)
	// Estimate is the bandwidth estimate in bits per second (not bytes).
	// EstimateOK is false while the estimator has too little data; the
	// player then fills Estimate with its start bitrate and sets it true.
	Estimate   float64
	EstimateOK bool
	History    []Chunk // recent chunks, most recent last (bounded by the caller)
	// SegmentSize returns the exact size of segment index at level when
	// known (Pensieve size files, sidx); nil or ok=false otherwise.
	SegmentSize func(index, level int) (bytes int64, ok bool)
	Live        bool // live presentation: Remaining is -1 and the buffer is bounded by the live edge
	Startup     bool // nothing has played yet
	Rebuffering bool // playback is stalled: the buffer ran dry
}

// Algorithm chooses a level for the next segment. Instances hold
// per-session state and are not shared between players.
type Algorithm interface {
	Name() string
	Choose(s *State) int
}

// Progress is the state of an in-flight segment download.
type Progress struct {
	Level       int           // level being fetched
	BytesLoaded int64         // bytes received so far
	BytesTotal  int64         // expected size; 0 when unknown
	Elapsed     time.Duration // since the request was sent
}

// Abandoner is implemented by algorithms that can give up on an in-flight
// download that would stall playback and refetch at a lower level.
type Abandoner interface {
	Abandon(s *State, p Progress) (level int, abandon bool)
}
