// Package manifest builds one presentation model ([Presentation]) from HLS
// playlists (grafov/m3u8), DASH MPDs (Eyevinn/dash-mpd) and fMP4 segment
// indexes (Eyevinn/mp4ff).
//
// Entry points:
//
//	Parse(data []byte, uri string) (*Presentation, error)        // sniffs HLS or DASH
//	ParseHLS(data []byte, uri string) (*Presentation, error)     // master or media playlist
//	ParseHLSMedia(data []byte, uri string) (*MediaPlaylist, error)
//	(*Rendition).ApplyMedia(*MediaPlaylist)                      // fills segments of an HLS rendition
//	ParseDASH(data []byte, uri string) (*Presentation, error)
//	ParseSidx(data []byte, mediaURI string, indexRange ByteRange) ([]Segment, error)
//	ParseInit(data []byte) (*InitInfo, error)
//	ParseMediaSegment(data []byte) (*SegmentInfo, error)
//
// Errors are *ParseError values that say where (URI, line or XML path,
// field) and what went wrong.
package manifest
