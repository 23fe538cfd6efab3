// Package manifest builds one presentation model ([Presentation]) from HLS
// playlists, DASH MPDs (Eyevinn/dash-mpd) and fMP4 segment indexes
// (Eyevinn/mp4ff).
//
// Entry points:
//
//	Parse(data []byte, uri string, opts ...Option) (*Presentation, error)   // sniffs HLS or DASH
//	ParseHLS(data []byte, uri string) (*Presentation, error)                // master or media playlist
//	ParseHLSMedia(data []byte, uri string) (*MediaPlaylist, error)
//	ParseHLSMediaWithVars(data, uri, master.Variables)                      // EXT-X-DEFINE:IMPORT
//	(*Rendition).ApplyMedia(*MediaPlaylist)                                 // fills segments of an HLS rendition, O(1)
//	ParseDASH(data []byte, uri string, opts ...Option) (*Presentation, error)
//	(*Rendition).SegmentsAt(now time.Time) []Segment                        // live DASH window at a wall time
//	ParseSidx(data []byte, mediaURI string, indexRange ByteRange) ([]Segment, error)
//	(*Rendition).ApplyIndex([]Segment)                                      // fills a SegmentBase rendition
//	ParseInit(data []byte) (*InitInfo, error)
//	ParseMediaSegment(data []byte) (*SegmentInfo, error)
//	Resolve(base, ref string) (string, error)                               // URL or file-path bases
//
// A parsed [Presentation] and [MediaPlaylist] hold no per-player state
// and are never modified after they are returned: one may be shared
// read-only by thousands of simulated viewers. A player copies the
// [Rendition] it plays (a value copy) and calls ApplyMedia, ApplyIndex or
// SegmentsAt on its copy; those share the parsed segment slices.
//
// Time never comes from the clock: dynamic DASH templates without a
// SegmentTimeline get their segment window from [WithNow] or from
// SegmentsAt(now).
//
// Errors are *[ParseError] values that say where (URI, line or XML path,
// field) and what went wrong; all match [ErrMalformed] with errors.Is.
// Problems the parser works around, as lenient as the major players are,
// are listed in Presentation.Warnings.
//
// HLS playlists are read by a line scanner of this package rather than by
// grafov/m3u8, which drops LL-HLS tags, EXT-X-GAP, EXT-X-INDEPENDENT-SEGMENTS
// in media playlists and CONTENT-STEERING/PATHWAY-ID, mishandles
// EXT-X-BYTERANGE without an offset and EXT-X-KEY carry-over, reports no
// line numbers and panics on some malformed input. The tests compare both
// parsers on the shared conformance playlists, and the benchmarks measure
// both.
package manifest
