package player

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// EventKind says what happened.
type EventKind uint8

const (
	EventLoading         EventKind = iota + 1 // a source is being loaded
	EventManifestLoaded                       // the presentation is known
	EventFirstFrame                           // start-up done: the first frame would be shown
	EventPlaying                              // the playhead started or resumed moving
	EventPaused                               // the user paused
	EventStallStart                           // the buffer ran dry while playing
	EventStallEnd                             // playback resumed after a stall; Event.Stall holds its length
	EventRenditionSwitch                      // the level of the next buffered segment changed
	EventServerChange                         // requests now go to another server/pathway
	EventSeekDone                             // a seek finished: playback can go on from Event.Position
	EventSegmentLoaded                        // a media segment arrived
	EventAbandon                              // an in-flight download was abandoned for a lower level
	EventError                                // a request or the session failed; Event.Fatal says which
	EventEnded                                // the end of the presentation was reached
	EventTrackSwitch                          // the audio track changed (SelectAudio): Event.TrackID from FromTrackID
)

var eventNames = [...]string{"", "loading", "manifest_loaded", "first_frame", "playing", "paused",
	"stall_start", "stall_end", "rendition_switch", "server_change", "seek_done", "segment_loaded",
	"abandon", "error", "ended", "track_switch"}

func (k EventKind) String() string {
	if int(k) < len(eventNames) && k != 0 {
		return eventNames[k]
	}
	return "unknown"
}

// MarshalText writes the snake_case name of the event kind.
func (k EventKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Event is one typed playback event. Only the fields named for its Kind
// are set. Events are plain values: delivering one does not allocate.
type Event struct {
	Kind     EventKind     `json:"kind"`        // what happened
	At       time.Duration `json:"at_ns"`       // core time: since Load
	Position time.Duration `json:"position_ns"` // playhead, media time

	// EventRenditionSwitch, EventSegmentLoaded, EventAbandon.
	Track       Track `json:"-"`                      // video or audio (JSON: "track", see MarshalJSON)
	FromLevel   int   `json:"from_level,omitempty"`   // previous level (switch, abandon)
	Level       int   `json:"level,omitempty"`        // ladder rung, 0 the lowest bitrate
	FromBitrate int   `json:"from_bitrate,omitempty"` // declared bandwidth of FromLevel, bits/s
	Bitrate     int   `json:"bitrate,omitempty"`      // declared bandwidth of Level, bits/s
	Bytes       int64 `json:"bytes,omitempty"`        // segment size (loaded) or bytes received (abandon)

	// EventServerChange.
	FromServer string `json:"from_server,omitempty"` // previous server or pathway ("" at start)
	Server     string `json:"server,omitempty"`      // the server or pathway requests now go to

	// EventTrackSwitch: the track IDs (TrackInfo.ID) before and after.
	FromTrackID string `json:"from_track_id,omitempty"`
	TrackID     string `json:"track_id,omitempty"`

	// EventStallEnd: how long the stall lasted; EventFirstFrame: start-up time.
	Stall time.Duration `json:"stall_ns,omitempty"`

	// EventError.
	Err      error         `json:"-"`                  // the error, often a *PlaybackError
	Category ErrorCategory `json:"category,omitempty"` // kind of failure
	Fatal    bool          `json:"fatal,omitempty"`    // the session failed; otherwise it is retried or failed over

	// Reason is a short machine-friendly cause: "startup", "abr", "seek",
	// "failover", "penalty_expired", "steering", "max_bitrate", "select".
	Reason string `json:"reason,omitempty"`
}

// MarshalJSON writes the tagged fields plus track ("video" or "audio";
// omitted for events of no track).
func (e Event) MarshalJSON() ([]byte, error) {
	type plain Event // without this method
	var track string
	if e.Track != TrackNone {
		track = e.Track.String()
	}
	return json.Marshal(struct {
		plain
		Track string `json:"track,omitempty"`
	}{plain(e), track})
}

// Listener receives playback events. The core calls it synchronously from
// whatever goroutine steps the core; keep it quick.
type Listener interface {
	OnEvent(e Event)
}

// ListenerFunc adapts a function to a Listener.
type ListenerFunc func(e Event)

// OnEvent calls f(e).
func (f ListenerFunc) OnEvent(e Event) { f(e) }

var _ Listener = ListenerFunc(nil)

// ErrorCategory groups errors for reporting and for deciding what to retry.
type ErrorCategory uint8

const (
	ErrNone      ErrorCategory = iota // no error
	ErrNetwork                        // connection failure, timeout, reset
	ErrHTTP                           // a non-2xx status
	ErrManifest                       // the manifest or a playlist could not be parsed or is unusable
	ErrMedia                          // a segment is unusable
	ErrSteering                       // steering manifest failures (never fatal)
	ErrNoServers                      // every server is penalised
	ErrInternal                       // a bug or broken invariant in the player
	ErrDRM                            // encrypted media cannot be decrypted: no key, a wrong key, a failed license request (always fatal)
)

var categoryNames = [...]string{"", "network", "http", "manifest", "media", "steering", "no_servers", "internal", "drm"}

func (c ErrorCategory) String() string {
	if int(c) < len(categoryNames) {
		return categoryNames[c]
	}
	return "unknown"
}

// MarshalText writes the snake_case name of the category.
func (c ErrorCategory) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// Sentinel errors callers can branch on with errors.Is.
var (
	ErrClosed        = errors.New("player: closed")
	ErrLoaded        = errors.New("player: a source is already loaded (one source per Player)")
	ErrBadOption     = errors.New("player: invalid option") // wrapped by every *OptionError
	ErrNotLoaded     = errors.New("player: nothing loaded")
	ErrNoPlayable    = errors.New("player: no playable rendition")
	ErrTooManyErrors = errors.New("player: too many consecutive request failures")
	ErrStatus        = errors.New("player: unexpected HTTP status")
	ErrTooLarge      = errors.New("player: response too large") // see MaxManifestBytes, MinSegmentCap
)

// PlaybackError is an error with the request it came from and its category.
type PlaybackError struct {
	Category ErrorCategory // kind of failure
	Fatal    bool          // it ended the session
	URL      string        // the request that failed; "" when none did
	Status   int           // HTTP status, 0 for network errors
	Err      error         // the cause, returned by Unwrap
}

func (e *PlaybackError) Error() string {
	s := fmt.Sprintf("%s error", e.Category)
	if e.Status != 0 {
		s += fmt.Sprintf(" (status %d)", e.Status)
	}
	if e.URL != "" {
		s += " fetching " + e.URL
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *PlaybackError) Unwrap() error { return e.Err }
