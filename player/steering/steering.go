package steering

import (
	"errors"
	"time"

	"github.com/abrkit/abrkit/player/manifest"
)

// Time in this package is the player clock: a time.Duration since an
// arbitrary origin that never runs backwards (the same clock as
// abr.State.Now). The real-time driver passes time since the session
// began; the virtual-time simulator passes its event time.

// Sentinel errors callers branch on.
var (
	// ErrNoServers is returned by New when no source names any server.
	ErrNoServers = errors.New("steering: no servers")
	// ErrBadEdge is returned by New for an edge without ID or URL.
	ErrBadEdge = errors.New("steering: bad edge")
	// ErrUnknownServer is returned when a report names a server ID the
	// selector does not know.
	ErrUnknownServer = errors.New("steering: unknown server")
	// ErrBadManifest wraps every steering-manifest parse failure (see
	// *ManifestError for the field).
	ErrBadManifest = errors.New("steering: bad steering manifest")
)

// Origin says where a server entry came from.
type Origin uint8

const (
	// FromAPI is a ranked edge from the playback API (signed base URL).
	FromAPI Origin = iota + 1
	// FromPathway is an HLS pathway (PATHWAY-ID of the multivariant playlist).
	FromPathway
	// FromServiceLocation is a DASH BaseURL serviceLocation.
	FromServiceLocation
	// FromClone is a pathway or service location cloned by PATHWAY-CLONES.
	FromClone
	// FromRedundant is an HLS redundant-variant group (variants that
	// differ only in URI, without PATHWAY-ID); ID is "redundant-<n>".
	FromRedundant
)

func (o Origin) String() string {
	switch o {
	case FromAPI:
		return "api"
	case FromPathway:
		return "pathway"
	case FromServiceLocation:
		return "service_location"
	case FromClone:
		return "clone"
	case FromRedundant:
		return "redundant"
	}
	return "unknown"
}

// Protocol selects the content-steering dialect: query parameter names
// (_HLS_pathway / _DASH_pathway) and the priority key of the steering
// manifest (PATHWAY-PRIORITY / SERVICE-LOCATION-PRIORITY).
type Protocol uint8

const (
	ProtocolHLS  Protocol = iota + 1 // HLS content steering (_HLS_pathway, PATHWAY-PRIORITY)
	ProtocolDASH                     // DASH content steering (_DASH_pathway, SERVICE-LOCATION-PRIORITY)
)

// Edge is one entry of the playback API's ranked edge list.
type Edge struct {
	// ID names the edge; it may equal an HLS PATHWAY-ID or DASH
	// serviceLocation, in which case the entries are merged.
	ID string
	// URL is the signed base URL: media URIs under another server's base
	// are rebased onto its path and get its query (signature) parameters.
	URL string
}

// Server is a read-only view of one candidate server, as returned by
// [Selector.Current] and [Selector.Servers].
type Server struct {
	// ID names the server: the API edge ID, PATHWAY-ID, serviceLocation,
	// clone ID or "redundant-<n>". Requests and events refer to it.
	ID     string
	Origin Origin // where the entry came from
	// Rank is the position in the current priority order, 0 is best.
	Rank int
	// BaseURL is the server's base (API edges; DASH BaseURL of the first
	// group); "" for HLS pathways.
	BaseURL string
	// VariantPathway is the PATHWAY-ID whose variants the player uses on
	// this server: the ID itself, or the BASE-ID chain's root for clones.
	// "" when every rendition can be used (API edges, DASH).
	VariantPathway string
	// PenalizedUntil is when the current penalty ends; 0 when none.
	PenalizedUntil time.Duration
	// Failures counts consecutive failures (drives the exponential penalty).
	Failures int
	// Throughput is the server's recent throughput estimate in bits per
	// second; 0 when it has no samples.
	Throughput float64
	// Latency is the server's smoothed time to first byte; 0 when unknown.
	Latency time.Duration
}

// Reason says why the selector changed server.
type Reason uint8

const (
	ReasonStart      Reason = iota + 1 // first choice
	ReasonProbe                        // probing found rank 1 much worse
	ReasonError                        // request errors on the previous server
	ReasonThroughput                   // throughput collapse on the previous server
	ReasonSteering                     // a steering manifest reordered the servers
	ReasonRecovered                    // a better-ranked server's penalty expired
)

func (r Reason) String() string {
	switch r {
	case ReasonStart:
		return "start"
	case ReasonProbe:
		return "probe"
	case ReasonError:
		return "error"
	case ReasonThroughput:
		return "throughput"
	case ReasonSteering:
		return "steering"
	case ReasonRecovered:
		return "recovered"
	}
	return "unknown"
}

// Switch records a change of server.
type Switch struct {
	At       time.Duration // when it happened (the now passed to the selector)
	From, To string        // server IDs; From is "" for the first choice
	Reason   Reason        // why
}

// Probe is a small request the caller should make to measure a server
// before playback starts (e.g. the first bytes of the init segment).
type Probe struct {
	ServerID string // the server to measure; report with that ID
	URL      string // what to fetch there (already rebased onto the server)
}

// Outcome is what a finished request to a server looked like. The caller
// fills it from transport.Result / error.
type Outcome struct {
	// Err is non-nil when the request failed (network error, timeout,
	// stall, 5xx). A 404 is not a server failure (set Err nil and
	// Status 404) unless the caller decides otherwise. An error wrapping
	// context.Canceled (the player abandoned the request) is ignored.
	Err    error
	Status int   // HTTP status; 0 when there was no response
	Bytes  int64 // body bytes received (throughput is Bytes over Duration)
	// TTFB is the time to first byte; Duration is request start to last byte.
	TTFB     time.Duration
	Duration time.Duration
}

// Reload is the next steering-manifest fetch the caller should make.
type Reload struct {
	// URI is the steering URI to fetch, set when Due: HLS adds
	// _HLS_pathway (current pathway) and _HLS_throughput (bits/s); DASH
	// adds _DASH_pathway and _DASH_throughput as comma-separated lists of
	// the pathways selected since the last reload and their throughputs
	// (empty where unknown).
	URI string
	// At is when to fetch it.
	At time.Duration
	// Due is true when At <= now; the reload is then handed out once and
	// considered in flight until [Selector.ReloadDone].
	Due bool
}

// ReloadResponse is the outcome of a steering-manifest fetch.
type ReloadResponse struct {
	// Err is a transport failure (no HTTP status); Status is then 0.
	Err    error
	Status int // HTTP status of the response
	// RetryAfter is the parsed Retry-After of a 429 (0 when absent).
	RetryAfter time.Duration
	Body       []byte // the steering manifest (JSON) of a 2xx response
}

// Selector chooses the server for each request: the methods the player
// core calls. It is pure logic: no goroutines, no I/O, no clock reads;
// every method that depends on time takes now. A Selector belongs to one
// player session and is not safe for concurrent use. A Selector that can
// measure servers before playback also implements [Prober].
type Selector interface {
	// Current returns the server the next request should go to.
	// It re-evaluates penalties, so a better-ranked server whose penalty
	// expired is returned again (ReasonRecovered).
	Current(now time.Duration) Server
	// LastSwitch returns the most recent change of server; ok is false
	// before the first choice.
	LastSwitch() (s Switch, ok bool)

	// Resolve maps a media or playlist URI onto the current server:
	// base URL swap (API edges, DASH BaseURLs), HOST and PARAMS
	// replacement (pathway clones), signature query parameters.
	// URIs that belong to no known server are returned unchanged.
	Resolve(uri string) string
	// Usable appends to dst the indices of rs that may be played on the
	// current server (HLS: PATHWAY-ID equal to VariantPathway, or the
	// redundant group's copies; otherwise all).
	Usable(dst []int, rs []manifest.Rendition) []int

	// Report feeds the outcome of a media/playlist request to serverID:
	// failures penalise the server (exponential up to a cap) and switch
	// away; throughput samples drive collapse detection.
	Report(now time.Duration, serverID string, o Outcome) error
	// SetMinThroughput sets an absolute floor in bits per second (e.g.
	// the lowest rendition bitrate): a server whose recent throughput
	// stays below it counts as collapsed. 0 disables the floor.
	SetMinThroughput(bps float64)

	// NextReload tells when and what steering URI to fetch next; ok is
	// false when there is no steering, it stopped (410) or a reload is
	// in flight.
	NextReload(now time.Duration) (r Reload, ok bool)
	// ReloadDone feeds the steering response back. A 200 body is parsed
	// and applied (priority order, clones, TTL, RELOAD-URI); 410 stops
	// reloads for the session; 429 reschedules after Retry-After; other
	// failures retry after the last TTL. The returned error describes a
	// bad body; scheduling has already been updated.
	ReloadDone(now time.Duration, resp ReloadResponse) error
}

// Prober is the optional start-up probing of a [Selector]: the player
// core type-asserts it and, when probing is configured, fetches each
// probe (transport.KindProbe) before its first media request.
type Prober interface {
	// Probes returns the probes to make at start (empty when probing is
	// off or done, or once a media request was reported); uri is a small
	// resource (init segment or playlist) that Resolve maps to each
	// candidate.
	Probes(now time.Duration, uri string) []Probe
	// ProbeDone reports a probe result. When every probe has reported,
	// or at the probe deadline (see Current), the selector picks.
	ProbeDone(now time.Duration, serverID string, o Outcome) error
}
