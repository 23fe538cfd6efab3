package download

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// State is where a download is in its life.
type State uint8

// States of a download. Completed, Failed and Paused are at rest; Queued and
// Downloading are active; Removing is transient.
const (
	StateQueued State = iota + 1
	StateDownloading
	StatePaused
	StateCompleted
	StateFailed
	StateRemoving
)

var stateNames = [...]string{"", "queued", "downloading", "paused", "completed", "failed", "removing"}

func (s State) String() string {
	if int(s) < len(stateNames) && s != 0 {
		return stateNames[s]
	}
	return "unknown"
}

// MarshalText writes the state name, so JSON shows "downloading".
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText is the inverse of MarshalText ("unknown" is the zero State).
func (s *State) UnmarshalText(b []byte) error {
	v, ok := ParseState(string(b))
	if !ok && string(b) != "unknown" {
		return fmt.Errorf("download: unknown state %q", b)
	}
	*s = v
	return nil
}

// Active reports whether the download is queued or downloading.
func (s State) Active() bool { return s == StateQueued || s == StateDownloading }

// ParseState is the inverse of State.String.
func ParseState(s string) (State, bool) {
	for i, n := range stateNames {
		if i > 0 && n == s {
			return State(i), true
		}
	}
	return 0, false
}

// StopReason says why a download is paused or failed.
type StopReason string

// Stop reasons. The empty reason means the download is not stopped.
const (
	StopNone         StopReason = ""
	StopUser         StopReason = "user"          // Pause was called
	StopCancelled    StopReason = "cancelled"     // Cancel was called
	StopShutdown     StopReason = "shutdown"      // the manager was closed while it ran
	StopNoSpace      StopReason = "no_space"      // disk full or under the free-space floor
	StopQuota        StopReason = "quota"         // a per-download or overall quota would be exceeded
	StopNetwork      StopReason = "network"       // segments kept failing
	StopVerify       StopReason = "verify"        // segments kept failing verification
	StopManifest     StopReason = "manifest"      // the manifest could not be read or is unsafe
	StopAuth         StopReason = "auth"          // signed URLs expired and could not be refreshed
	StopStorageError StopReason = "storage_error" // another local I/O error
)

// Selection chooses the tracks to download. The zero value takes the
// highest video rendition, every audio language's best rendition and no
// subtitles.
//
// When no video rendition satisfies MaxHeight and MaxBitrate, the one
// with the lowest declared bandwidth is downloaded (the limits are a
// preference, not a requirement). A selection fails with ErrNoTracks only
// when it leaves no track at all, or no audio in the AudioLangs asked for.
type Selection struct {
	// MaxHeight picks the tallest video rendition not taller than this (0: no limit).
	MaxHeight int `json:"max_height,omitempty"`
	// MaxBitrate picks the highest video rendition whose declared peak
	// bandwidth is at or under this many bit/s (0: no limit). The peak is
	// HLS BANDWIDTH (not AVERAGE-BANDWIDTH) or DASH @bandwidth, so a
	// rendition averaging under the limit may still be excluded.
	MaxBitrate int `json:"max_bitrate,omitempty"`
	// Lowest picks the lowest video rendition instead of the highest.
	Lowest bool `json:"lowest,omitempty"`
	// AudioLangs are the audio languages to keep (BCP-47 prefixes); empty keeps all.
	AudioLangs []string `json:"audio_langs,omitempty"`
	// Subtitles keeps subtitle tracks; SubtitleLangs narrows them.
	Subtitles     bool     `json:"subtitles,omitempty"`
	SubtitleLangs []string `json:"subtitle_langs,omitempty"`
}

// RefreshFunc returns a new manifest URL when signed URLs have expired
// (the origin answered 401, 403 or 410) or when the server keeps failing
// (no connection, stalls, 5xx): a hook that knows several servers should
// then answer with one that works. For the reference backend this is a
// new POST /v1/play.
type RefreshFunc func(ctx context.Context) (newManifestURL string, err error)

// Request asks for one title to be downloaded.
type Request struct {
	// ID names the download; empty derives it from URL (scheme, host and path, no query).
	ID  string
	URL string // manifest URL (HLS master or DASH MPD)

	// Selection chooses the tracks; the zero value takes the best video
	// and every audio language.
	Selection Selection
	// Quota caps the bytes this download may store (0: no cap beyond the manager's).
	Quota int64
	// Expires is when offline playback stops being allowed (zero: never).
	Expires time.Time
	// Refresh renews expired signed URLs and moves off a failing server;
	// nil fails the download with StopAuth when URLs expire. Adding an
	// existing download with a Refresh hook makes its next run use URL
	// rather than the URLs stored from an earlier run.
	Refresh RefreshFunc
	// Title is free text kept with the download (shown by list).
	Title string
}

// Progress counts work done on one download.
type Progress struct {
	Segments      int           `json:"segments"`       // segments (including init segments) in the plan
	SegmentsDone  int           `json:"segments_done"`  // verified and recorded in the index
	Bytes         int64         `json:"bytes"`          // bytes of completed segments
	BytesEstimate int64         `json:"bytes_estimate"` // Bytes plus an estimate for the files not done; equals Bytes once complete
	Duration      time.Duration `json:"-"`              // media duration of the selected tracks
	ETA           time.Duration `json:"-"`              // 0 when unknown
	BytesPerSec   float64       `json:"bytes_per_sec"`  // recent rate
	Retries       int           `json:"retries"`        // segment fetches that were retried
	Refreshes     int           `json:"refreshes"`      // signed-URL refreshes
}

// MarshalJSON writes the tagged fields plus duration_seconds and, when
// known, eta_seconds.
func (p Progress) MarshalJSON() ([]byte, error) {
	type plain Progress // without this method
	return json.Marshal(struct {
		plain
		DurationSeconds float64 `json:"duration_seconds"`
		ETASeconds      float64 `json:"eta_seconds,omitempty"`
	}{plain(p), p.Duration.Seconds(), p.ETA.Seconds()})
}

// Fraction is Bytes/BytesEstimate (SegmentsDone/Segments before any size
// is known); 1 once every file is done.
func (p Progress) Fraction() float64 {
	if p.BytesEstimate > 0 {
		f := float64(p.Bytes) / float64(p.BytesEstimate)
		if f > 1 {
			f = 1
		}
		if p.Segments > 0 && p.SegmentsDone == p.Segments {
			f = 1
		}
		return f
	}
	if p.Segments == 0 {
		return 0
	}
	return float64(p.SegmentsDone) / float64(p.Segments)
}

// Download is a snapshot of one download. Its times come from the
// manager's Clock (Config.Clock; the system clock gives local time) and
// keep their zone offset through the index: compare them with Before,
// After and Equal, not ==.
type Download struct {
	ID         string     `json:"id"`                    // Request.ID, or derived from the URL
	URL        string     `json:"url"`                   // manifest URL as requested (before any refresh)
	Title      string     `json:"title,omitempty"`       // Request.Title
	Dir        string     `json:"dir"`                   // folder holding the files, relative to the manager's Dir
	State      State      `json:"state"`                 // where it is in its life
	StopReason StopReason `json:"stop_reason,omitempty"` // why it is paused or failed; "" otherwise
	Err        string     `json:"error,omitempty"`       // the error that stopped it, as text
	Selection  Selection  `json:"selection"`             // the tracks asked for
	Quota      int64      `json:"quota,omitempty"`       // cap on the bytes this download stores (0: none; Config.Quota caps all together)
	Created    time.Time  `json:"created"`               // when it was added
	Updated    time.Time  `json:"updated"`               // last change of its record (state, refresh)
	Completed  time.Time  `json:"completed,omitzero"`    // when it completed; zero before
	Expires    time.Time  `json:"expires,omitzero"`      // Request.Expires: offline playback is refused from then on
	Progress   Progress   `json:"progress"`              // how far it got
	// Offline is the local manifest (relative to Dir) once the download completed.
	Offline string `json:"offline,omitempty"`
}

// Expired reports whether offline playback is refused at now.
func (d Download) Expired(now time.Time) bool {
	return !d.Expires.IsZero() && !now.Before(d.Expires)
}

// EventKind tells what an Event reports.
type EventKind uint8

// Event kinds.
const (
	EventState    EventKind = iota + 1 // the state changed
	EventProgress                      // a segment completed
	EventRetry                         // a segment fetch failed and will be retried
	EventRefresh                       // signed URLs were refreshed
)

func (k EventKind) String() string {
	switch k {
	case EventState:
		return "state"
	case EventProgress:
		return "progress"
	case EventRetry:
		return "retry"
	case EventRefresh:
		return "refresh"
	}
	return "unknown"
}

// Event reports a change to a download; Download is a snapshot taken at the
// time of the event.
type Event struct {
	Kind     EventKind // what happened
	Download Download  // the download after the change
	Err      error     // the failure behind EventRetry, or a failed/paused state
}
