package manifest

import (
	"bytes"
)

// Parse sniffs data as an HLS playlist or a DASH MPD and parses it.
// uri is where data was read from (absolute URL or file path); relative
// URIs inside are resolved against it.
func Parse(data []byte, uri string, opts ...Option) (*Presentation, error) {
	switch sniff(data) {
	case FormatHLS:
		return ParseHLS(data, uri, opts...)
	case FormatDASH:
		return ParseDASH(data, uri, opts...)
	}
	return nil, &ParseError{URI: uri, Line: 1, Msg: "cannot tell the format", Err: ErrUnknownFormat}
}

// sniff looks at the first non-blank bytes. HLS may have a stray comment
// or blank lines before #EXTM3U; DASH starts with '<' (XML declaration,
// comment or the MPD element) possibly after a byte-order mark.
func sniff(data []byte) Format {
	d := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	d = bytes.TrimLeft(d, " \t\r\n")
	if len(d) == 0 {
		return 0
	}
	if d[0] == '<' {
		return FormatDASH
	}
	head := d
	if len(head) > 4096 {
		head = head[:4096]
	}
	if bytes.Contains(head, []byte("#EXTM3U")) || bytes.HasPrefix(d, []byte("#EXT")) {
		return FormatHLS
	}
	return 0
}
