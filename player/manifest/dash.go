package manifest

// ParseDASH parses a DASH MPD. uri is the MPD's location, the base for
// relative BaseURLs.
func ParseDASH(data []byte, uri string, opts ...Option) (*Presentation, error) {
	_ = buildOptions(opts)
	return nil, &ParseError{URI: uri, Msg: "not implemented yet"}
}
