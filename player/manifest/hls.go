package manifest

// ParseHLS parses an HLS master or media playlist. A master playlist gives
// renditions with PlaylistURI set and Loaded false (fill them with
// ParseHLSMedia and (*Rendition).ApplyMedia); a media playlist gives a
// presentation with one loaded video rendition.
func ParseHLS(data []byte, uri string) (*Presentation, error) {
	return nil, &ParseError{URI: uri, Msg: "not implemented yet"}
}
