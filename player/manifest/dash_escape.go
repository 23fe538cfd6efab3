package manifest

import "bytes"

// findDeclaration returns the offset of the first markup declaration
// ("<!DOCTYPE", "<!ENTITY", any "<!" other than a comment or CDATA
// section) outside comments and CDATA, or -1. MPDs never need one, and the
// dash-mpd decoder can loop forever on malformed ones, so ParseDASH
// rejects them before decoding.
func findDeclaration(data []byte) int {
	for i := 0; i < len(data); {
		j := bytes.Index(data[i:], []byte("<!"))
		if j < 0 {
			return -1
		}
		i += j
		rest := data[i:]
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			k := bytes.Index(rest[4:], []byte("-->"))
			if k < 0 {
				return -1
			}
			i += 4 + k + 3
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			k := bytes.Index(rest, []byte("]]>"))
			if k < 0 {
				return -1
			}
			i += k + 3
		default:
			return i
		}
	}
	return -1
}

// escapeTextGT replaces '>' in character data by "&gt;".
//
// The XML decoder forked inside Eyevinn/dash-mpd v0.17.0 loops forever on
// a '>' in character data (legal XML, e.g. "<Title>A > B</Title>"): its
// text reader stops before the '>' without consuming it. Escaping keeps
// the document's meaning and its line numbers. Markup (tags with quoted
// attributes, comments, CDATA sections, processing instructions,
// declarations) is copied unchanged. data is returned as is when it holds
// no such '>'.
func escapeTextGT(data []byte) []byte {
	first := nextTextGT(data, 0)
	if first < 0 {
		return data
	}
	out := make([]byte, 0, len(data)+16)
	last := 0
	for i := first; i >= 0; i = nextTextGT(data, i+1) {
		out = append(out, data[last:i]...)
		out = append(out, "&gt;"...)
		last = i + 1
	}
	return append(out, data[last:]...)
}

// nextTextGT returns the index of the next '>' in character data at or
// after from (which must be outside markup), or -1.
func nextTextGT(data []byte, from int) int {
	i := from
	for i < len(data) {
		j := bytes.IndexAny(data[i:], "<>")
		if j < 0 {
			return -1
		}
		i += j
		if data[i] == '>' {
			return i
		}
		i = skipMarkup(data, i)
	}
	return -1
}

// skipMarkup returns the index after the markup starting with '<' at i.
func skipMarkup(data []byte, i int) int {
	rest := data[i:]
	end := func(term string) int {
		k := bytes.Index(rest, []byte(term))
		if k < 0 {
			return len(data)
		}
		return i + k + len(term)
	}
	switch {
	case bytes.HasPrefix(rest, []byte("<!--")):
		return end("-->")
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		return end("]]>")
	case bytes.HasPrefix(rest, []byte("<?")):
		return end("?>")
	case bytes.HasPrefix(rest, []byte("<!")):
		// DOCTYPE and other declarations, with an optional [internal subset].
		depth := 0
		for k := 1; k < len(rest); k++ {
			switch rest[k] {
			case '[':
				depth++
			case ']':
				depth--
			case '>':
				if depth <= 0 {
					return i + k + 1
				}
			}
		}
		return len(data)
	}
	// A tag: '>' ends it unless inside a quoted attribute value.
	var quote byte
	for k := 1; k < len(rest); k++ {
		c := rest[k]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i + k + 1
		}
	}
	return len(data)
}
