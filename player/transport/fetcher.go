package transport

import (
	"context"
	"io"
	"net/http"
	"time"
)

// Kind tells what a request is for; filters, CMCD (ot=) and metrics use it.
type Kind uint8

const (
	KindManifest Kind = iota + 1 // multivariant and media playlists, MPDs
	KindInit                     // initialisation segments
	KindMedia                    // media segments (and DASH segment indexes)
	KindSteering                 // content-steering manifests
	KindProbe                    // probes of a server before it is used; the player issues none itself
	KindAPI                      // playback API calls (edge lists, tokens); the player issues none itself
	KindKey                      // content keys: HLS key URIs and DRM license requests
)

var kindNames = [...]string{"", "manifest", "init", "media", "steering", "probe", "api", "key"}

// String returns the kind's name: "manifest", "init", "media", "steering",
// "probe", "api" or "key"; "unknown" for other values.
func (k Kind) String() string {
	if k != 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// MarshalText writes the kind's name, so JSON shows "media".
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Request is one fetch. Length 0 with Offset 0 fetches the whole resource.
type Request struct {
	URL    string      // absolute http(s) URL
	Kind   Kind        // what the request is for (filters, CMCD ot=, metrics)
	Offset int64       // first byte of the range; 0 with Length 0: no Range header
	Length int64       // bytes from Offset; 0: to the end
	Header http.Header // extra request headers; nil for none. Filters may change it.
	// Body receives the response body; nil discards it (only its size is counted).
	Body io.Writer
	// Post, when not nil, makes the request a POST with this body (DRM
	// license requests); Header gives its Content-Type.
	Post []byte
	// CMCD is sent with the request when the fetcher's CMCD mode is on;
	// nil sends none. An empty ObjectType is filled from Kind (m, i).
	CMCD *CMCD
}

// Result describes a completed fetch.
type Result struct {
	Status   int           // HTTP status of the last attempt
	Header   http.Header   // response headers of the last attempt
	Bytes    int64         // body bytes received over all attempts (resumed attempts add only new bytes)
	TTFB     time.Duration // from the Fetch call to the first response headers
	Duration time.Duration // from the Fetch call to the last byte (or the failure)
	Attempts int           // attempts made, retries included
	// Proto is the protocol of the last response ("HTTP/1.1", "HTTP/2.0").
	Proto string
	// Size is the complete length of the resource when known (from
	// Content-Range or Content-Length), else -1.
	Size int64
}

// ProgressFunc is called as bytes arrive: total bytes so far and time since the request began.
type ProgressFunc func(bytes int64, elapsed time.Duration)

// Fetcher gets the bytes of a URL or byte range, reporting progress.
type Fetcher interface {
	Fetch(ctx context.Context, req *Request, progress ProgressFunc) (*Result, error)
}
