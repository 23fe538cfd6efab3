package manifest

import (
	"bytes"
	"encoding/xml"
	"errors"

	mxml "github.com/Eyevinn/dash-mpd/xml"
	"io"
	"strconv"
	"strings"

	"github.com/Eyevinn/dash-mpd/mpd"
)

// xmlWalk calls fn for every start element with its path
// ("MPD/Period[0]/AdaptationSet[1]") and line. fn returns false to stop.
// The decoder is not strict so that undeclared prefixes (a real-world
// quirk) do not stop the walk.
func xmlWalk(data []byte, fn func(path string, line int, se xml.StartElement) bool) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = false
	type frame struct {
		path   string
		counts map[string]int
	}
	stack := []frame{{counts: map[string]int{}}}
	for {
		line, _ := d.InputPos()
		tok, err := d.Token()
		if err != nil {
			return
		}
		switch t := tok.(type) {
		case xml.StartElement:
			top := &stack[len(stack)-1]
			name := t.Name.Local
			i := top.counts[name]
			top.counts[name] = i + 1
			p := name
			if len(stack) > 1 {
				p = top.path + "/" + name + "[" + strconv.Itoa(i) + "]"
			}
			if !fn(p, line, t) {
				return
			}
			stack = append(stack, frame{path: p, counts: map[string]int{}})
		case xml.EndElement:
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
		}
	}
}

// normalisePath adds [0] to path elements given without an index.
func normalisePath(path string) string {
	parts := strings.Split(path, "/")
	for i := 1; i < len(parts); i++ {
		if !strings.HasSuffix(parts[i], "]") {
			parts[i] += "[0]"
		}
	}
	return strings.Join(parts, "/")
}

// elementLine returns the line of the element at path, 0 if not found.
func elementLine(data []byte, path string) int {
	want := normalisePath(path)
	line := 0
	xmlWalk(data, func(p string, l int, _ xml.StartElement) bool {
		if p == want {
			line = l
			return false
		}
		return true
	})
	return line
}

// durationAttrs are the attributes dash-mpd parses as xs:duration.
var durationAttrs = map[string]bool{
	"mediaPresentationDuration": true, "minimumUpdatePeriod": true, "minBufferTime": true,
	"timeShiftBufferDepth": true, "suggestedPresentationDelay": true, "maxSegmentDuration": true,
	"maxSubsegmentDuration": true, "start": true, "duration": true, "bufferTime": true, "starttime": true,
}

// locateXMLError turns an unmarshal error into a located *ParseError: the
// line of an XML syntax error, or the element and attribute holding the
// value that failed to convert.
func locateXMLError(data []byte, uri string, err error) error {
	pe := &ParseError{URI: uri, Err: err}
	var se *mxml.SyntaxError
	if errors.As(err, &se) {
		pe.Line = se.Line
		pe.Msg = "XML syntax"
		return pe
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		pe.Line = bytes.Count(data, []byte("\n")) + 1
		pe.Msg = "truncated XML"
		return pe
	}
	var ue mxml.UnmarshalError
	if errors.As(err, &ue) {
		pe.Line = 1
		pe.Path = "MPD"
		pe.Msg = "not an MPD"
		return pe
	}
	msg := err.Error()
	var numErr *strconv.NumError
	errors.As(err, &numErr)
	_, isDur := err.(mpd.ParseDurationError)
	xmlWalk(data, func(p string, l int, el xml.StartElement) bool {
		for _, a := range el.Attr {
			v := a.Value
			match := false
			switch {
			case numErr != nil:
				match = v == numErr.Num
			case isDur:
				if durationAttrs[a.Name.Local] {
					_, derr := mpd.ParseDuration(v)
					match = derr != nil
				}
			default:
				match = v != "" && strings.Contains(msg, strconv.Quote(v))
			}
			if match {
				pe.Path, pe.Line, pe.Field = p, l, a.Name.Local
				pe.Msg = "bad value " + strconv.Quote(v)
				return false
			}
		}
		return true
	})
	if pe.Path == "" {
		pe.Msg = "cannot decode MPD"
	}
	return pe
}
