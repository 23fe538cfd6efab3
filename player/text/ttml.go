package text

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// Unbounded is the End of a TTML cue whose document never ends it.
const Unbounded = time.Duration(math.MaxInt64)

// maxTTMLDepth bounds element nesting (the decoder keeps a stack).
const maxTTMLDepth = 64

// ttmlTiming holds the timing parameters of a <tt> element.
type ttmlTiming struct {
	frameRate float64 // frames per second (frameRate × frameRateMultiplier)
	subFrames float64 // subFrameRate
	tickRate  float64 // ticks per second
}

// ttmlElem is an open element: its active interval (absolute) and region.
type ttmlElem struct {
	begin, end time.Duration
	region     string
	collect    *strings.Builder // a <p>, or a timed <span> in one: collects a cue's text
}

// ParseTTML parses a TTML document (IMSC1 text profile and the common
// subset of TTML1 used for subtitles: <p> and <span> with begin, end and
// dur in clock or offset time, nested par timing, <br/>, regions) into
// one cue per timed paragraph. Times are the document's own; for a TTML
// sample of an fMP4 track they are track media time. A paragraph no
// element ends gets End Unbounded.
func ParseTTML(data []byte) ([]Cue, error) {
	if len(data) > MaxDocumentBytes {
		return nil, ErrTooLarge
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = false
	dec.CharsetReader = func(charset string, r io.Reader) (io.Reader, error) {
		if strings.EqualFold(charset, "utf-8") || strings.EqualFold(charset, "us-ascii") {
			return r, nil
		}
		return nil, fmt.Errorf("%w: charset %q", ErrSyntax, charset)
	}
	tm := ttmlTiming{frameRate: 30, subFrames: 1, tickRate: 1}
	var stack []ttmlElem
	var cues []Cue
	var cur *strings.Builder // text of the innermost open <p> or timed <span>
	inP := 0                 // open <p> elements
	seenTT := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrSyntax, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= maxTTMLDepth {
				return nil, fmt.Errorf("%w: nesting deeper than %d", ErrTooLarge, maxTTMLDepth)
			}
			parent := ttmlElem{end: Unbounded}
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			}
			if t.Name.Local == "tt" && !seenTT {
				seenTT = true
				tm = readTiming(t.Attr, tm)
			}
			e := ttmlElem{begin: parent.begin, end: parent.end, region: parent.region}
			var begin, end, dur time.Duration
			var hasBegin, hasEnd, hasDur bool
			for _, a := range t.Attr {
				var err error
				switch a.Name.Local {
				case "begin":
					begin, err = tm.parse(a.Value)
					hasBegin = true
				case "end":
					end, err = tm.parse(a.Value)
					hasEnd = true
				case "dur":
					dur, err = tm.parse(a.Value)
					hasDur = true
				case "region":
					if a.Name.Space == "" || a.Name.Space == "http://www.w3.org/ns/ttml" {
						e.region = a.Value
					}
				}
				if err != nil {
					return nil, err
				}
			}
			if hasBegin {
				e.begin = parent.begin + begin
			}
			switch {
			case hasEnd:
				e.end = min(parent.begin+end, parent.end)
			case hasDur:
				e.end = min(e.begin+dur, parent.end)
			}
			if hasDur && hasEnd {
				e.end = min(e.end, e.begin+dur)
			}
			switch t.Name.Local {
			case "p":
				if inP == 0 {
					e.collect = &strings.Builder{}
					cur = e.collect
				}
				inP++
			case "span":
				// a timed span in a paragraph is a cue of its own
				if inP > 0 && (hasBegin || hasEnd || hasDur) {
					e.collect = &strings.Builder{}
					cur = e.collect
				}
			case "br":
				if cur != nil {
					cur.WriteByte('\n')
				}
			}
			stack = append(stack, e)
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, fmt.Errorf("%w: unbalanced </%s>", ErrSyntax, t.Name.Local)
			}
			e := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if t.Name.Local == "p" {
				inP--
			}
			if e.collect != nil {
				txt := collapse(e.collect.String())
				cur = nil
				for i := len(stack) - 1; i >= 0 && cur == nil; i-- {
					cur = stack[i].collect // back to the enclosing paragraph
				}
				if txt == "" || e.end <= e.begin {
					continue
				}
				if len(cues) >= MaxCues {
					return nil, ErrTooLarge
				}
				cues = append(cues, Cue{Start: e.begin, End: e.end, Text: txt, Region: e.region})
			}
		case xml.CharData:
			if cur != nil && cur.Len() < MaxCueText {
				cur.Write(t)
			}
		}
	}
	if !seenTT {
		return nil, fmt.Errorf("%w: no <tt> element", ErrSyntax)
	}
	Sort(cues)
	return cues, nil
}

// collapse applies XML default whitespace handling per line: runs of
// white space become one space, lines are trimmed, empty lines dropped
// at the ends.
func collapse(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		out = append(out, strings.Join(strings.Fields(l), " "))
	}
	r := strings.Trim(strings.Join(out, "\n"), "\n")
	if len(r) > MaxCueText {
		r = strings.ToValidUTF8(r[:MaxCueText], "")
	}
	return r
}

// readTiming reads the ttp: timing parameters of <tt>.
func readTiming(attrs []xml.Attr, tm ttmlTiming) ttmlTiming {
	mult := 1.0
	for _, a := range attrs {
		v := strings.TrimSpace(a.Value)
		switch a.Name.Local {
		case "frameRate":
			if f, err := strconv.ParseFloat(v, 64); err == nil && f > 0 && f < 1000 {
				tm.frameRate = f
			}
		case "subFrameRate":
			if f, err := strconv.ParseFloat(v, 64); err == nil && f > 0 && f < 1000 {
				tm.subFrames = f
			}
		case "tickRate":
			if f, err := strconv.ParseFloat(v, 64); err == nil && f > 0 && f < 1e10 {
				tm.tickRate = f
			}
		case "frameRateMultiplier":
			if n, d, ok := strings.Cut(v, " "); ok {
				nf, err1 := strconv.ParseFloat(n, 64)
				df, err2 := strconv.ParseFloat(strings.TrimSpace(d), 64)
				if err1 == nil && err2 == nil && nf > 0 && df > 0 {
					mult = nf / df
				}
			}
		}
	}
	tm.frameRate *= mult
	return tm
}

// maxTTMLTime bounds time expressions (a day; documents longer than that
// are not subtitles) so arithmetic cannot overflow.
const maxTTMLTime = 24 * time.Hour

// parse reads a TTML time expression: clock time (hh:mm:ss, .fraction or
// :frames[.subframes]) or offset time (<number>h|m|s|ms|f|t).
func (tm ttmlTiming) parse(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("%w: bad time expression %q", ErrSyntax, s)
	var secs float64
	if strings.Contains(s, ":") {
		parts := strings.Split(s, ":")
		if len(parts) < 3 || len(parts) > 4 {
			return 0, bad
		}
		h, err1 := strconv.ParseUint(parts[0], 10, 32)
		m, err2 := strconv.ParseUint(parts[1], 10, 32)
		sec, err3 := strconv.ParseFloat(parts[2], 64)
		if err1 != nil || err2 != nil || err3 != nil || m > 59 || sec < 0 || sec >= 61 {
			return 0, bad
		}
		secs = float64(h)*3600 + float64(m)*60 + sec
		if len(parts) == 4 {
			fr, sub, _ := strings.Cut(parts[3], ".")
			f, err := strconv.ParseUint(fr, 10, 32)
			if err != nil {
				return 0, bad
			}
			frames := float64(f)
			if sub != "" {
				sf, err := strconv.ParseUint(sub, 10, 32)
				if err != nil {
					return 0, bad
				}
				frames += float64(sf) / tm.subFrames
			}
			secs += frames / tm.frameRate
		}
	} else {
		i := len(s)
		for i > 0 && (s[i-1] < '0' || s[i-1] > '9') {
			i--
		}
		num, unit := s[:i], s[i:]
		v, err := strconv.ParseFloat(num, 64)
		if err != nil || num == "" || num[0] == '-' || num[0] == '+' {
			return 0, bad
		}
		switch unit {
		case "h":
			secs = v * 3600
		case "m":
			secs = v * 60
		case "s":
			secs = v
		case "ms":
			secs = v / 1000
		case "f":
			secs = v / tm.frameRate
		case "t":
			secs = v / tm.tickRate
		default:
			return 0, bad
		}
	}
	if math.IsNaN(secs) || secs < 0 || secs > maxTTMLTime.Seconds() {
		return 0, bad
	}
	return time.Duration(math.Round(secs * 1e9)), nil
}
