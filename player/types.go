package player

import (
	"fmt"
	"math"
	"time"

	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/player/transport"
)

// Never is the wake time Poll returns when the core needs no timer: it
// waits for a completion or a user command.
const Never = time.Duration(math.MaxInt64)

// RequestID names one fetch the core asked for. IDs are unique within a
// core and never reused.
type RequestID uint32

// Op is what an Action asks the driver to do.
type Op uint8

const (
	// OpFetch asks the driver to start a fetch and report it with
	// Core.Complete (and optionally Core.Progress).
	OpFetch Op = iota + 1
	// OpCancel asks the driver to stop the fetch with this ID. The core has
	// already forgotten it: do not call Complete for it.
	OpCancel
	// OpBeacon asks the driver to send a telemetry beacon of kind
	// Action.Beacon, built from Core.QoE at the time of the Poll. It needs
	// no answer.
	OpBeacon
)

func (o Op) String() string {
	switch o {
	case OpFetch:
		return "fetch"
	case OpCancel:
		return "cancel"
	case OpBeacon:
		return "beacon"
	}
	return "unknown"
}

// Track is one of the media streams the core schedules.
type Track uint8

const (
	// TrackNone marks requests that belong to no track (manifests, steering).
	TrackNone Track = iota
	TrackVideo
	TrackAudio
)

// BeaconKind says why a telemetry beacon is sent. Its String is the event
// type the playback API's telemetry intake expects.
type BeaconKind uint8

const (
	// BeaconStart is sent at the first frame.
	BeaconStart BeaconKind = iota + 1
	// BeaconPeriodic is sent every CoreConfig.BeaconInterval from Load.
	BeaconPeriodic
	// BeaconEnd is the last beacon: the end of the title, or Core.End.
	BeaconEnd
	// BeaconError is the last beacon of a session that failed.
	BeaconError
)

var beaconNames = [...]string{"", "start", "beacon", "end", "error"}

// String returns "start", "beacon", "end" or "error".
func (k BeaconKind) String() string {
	if k != 0 && int(k) < len(beaconNames) {
		return beaconNames[k]
	}
	return "unknown"
}

// MarshalText writes the beacon's name, so JSON shows "start".
func (k BeaconKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

func (t Track) String() string {
	switch t {
	case TrackVideo:
		return "video"
	case TrackAudio:
		return "audio"
	}
	return "none"
}

// Action is one thing the driver must do now. Actions hold only values and
// strings that point into the presentation, so producing them does not
// allocate.
type Action struct {
	Op   Op
	ID   RequestID
	Kind transport.Kind // KindManifest (multivariant and media playlists, MPD), KindInit, KindMedia, KindSteering

	URL    string
	Offset int64 // byte range start
	Length int64 // byte range length; 0 with Offset 0: the whole resource

	Server string // steering pathway or server the URL points to; "" when there is no choice

	// For requests of a track (media playlists, indexes, init and media).
	Track     Track
	Level     int           // rung of the track's ladder, 0 the lowest bitrate
	Rendition int           // index of the rendition in its adaptation set
	Bitrate   int           // declared bandwidth of that rendition, bits/s
	Number    uint64        // segment number
	Start     time.Duration // media time of the segment on the presentation timeline
	Duration  time.Duration // media duration of the segment
	// Index marks the fetch of a segment index (DASH SegmentBase sidx at
	// Offset/Length of the media file): hand its bytes back in Outcome.Body.
	Index bool
	// Chunked marks an LL-DASH segment asked for before it is complete:
	// the server sends its CMAF chunks as they are made. Drivers that can
	// see chunk boundaries report each complete chunk with Core.Chunk, so
	// its media plays before the segment ends.
	Chunked bool
	// Playlist marks the fetch of an HLS media playlist: a driver may
	// answer with Outcome.Media instead of Outcome.Body.
	Playlist bool
	// Key is the HLS EXT-X-KEY in force for a media segment (or, for an
	// init segment, for the segment that needs it); nil when clear (and
	// for DASH, whose protection is in the init segment).
	Key *manifest.Key
	// Size is the expected body size in bytes: Length when a byte range is
	// known, otherwise the declared bitrate times the duration. Virtual-time
	// drivers that have no real bytes can use it.
	Size int64

	// CMCD holds what the core knows at issue time for the request's
	// Common Media Client Data (its ObjectType is always set); the zero
	// value when CoreConfig.CMCD is CMCDOff. Drivers send it in their mode.
	CMCD transport.CMCD

	// Beacon is the kind of an OpBeacon.
	Beacon BeaconKind
}

func (a Action) String() string {
	switch a.Op {
	case OpCancel:
		return fmt.Sprintf("cancel #%d", a.ID)
	case OpBeacon:
		return "beacon " + a.Beacon.String()
	}
	return fmt.Sprintf("fetch #%d %s %s level=%d n=%d %s", a.ID, kindName(a.Kind), a.Track, a.Level, a.Number, a.URL)
}

func kindName(k transport.Kind) string {
	switch k {
	case transport.KindManifest:
		return "manifest"
	case transport.KindInit:
		return "init"
	case transport.KindMedia:
		return "media"
	case transport.KindSteering:
		return "steering"
	case transport.KindProbe:
		return "probe"
	}
	return "other"
}

// State is the playback state of a core or player.
type State uint8

const (
	StateIdle      State = iota // nothing loaded
	StateLoading                // manifest requested, not playing yet
	StateBuffering              // start-up or after a seek: filling the buffer before the first frame
	StatePlaying                // the playhead advances
	StatePaused                 // the user paused; loading continues up to the buffer goal
	StateStalled                // rebuffering: the buffer ran dry while playing
	StateEnded                  // the playhead reached the end of a VOD presentation
	StateFailed                 // a fatal error stopped playback
)

var stateNames = [...]string{"idle", "loading", "buffering", "playing", "paused", "stalled", "ended", "failed"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "unknown"
}

// MarshalText writes the state name, so JSON shows "playing".
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
