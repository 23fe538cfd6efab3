package text

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// TimestampMap is the HLS X-TIMESTAMP-MAP of a WebVTT segment: cue time
// Local is MPEG-2 presentation time MPEGTS (90 kHz ticks).
type TimestampMap struct {
	MPEGTS uint64        `json:"mpegts"`
	Local  time.Duration `json:"local_ns"`
}

// VTT is a parsed WebVTT document. Cue times are as written; MediaCues
// maps them onto the media timeline.
type VTT struct {
	Cues []Cue         `json:"cues"`
	Map  *TimestampMap `json:"timestamp_map,omitempty"` // nil when the header has no X-TIMESTAMP-MAP
}

// mpegtsWrap is the period of 33-bit MPEG-2 timestamps.
const mpegtsWrap = 1 << 33

// MediaCues returns the cues on the media timeline. base is the MPEG-2
// timestamp (90 kHz) of media time 0, the PTS the presentation starts
// at; it is used only when the document has an X-TIMESTAMP-MAP, which
// places cue time Map.Local at MPEG-2 time Map.MPEGTS. Without a map cue
// times are media times. Timestamps that wrapped (33 bits) past base are
// unwrapped.
func (v *VTT) MediaCues(base uint64) []Cue {
	if v.Map == nil {
		return v.Cues
	}
	ticks := int64(v.Map.MPEGTS%mpegtsWrap) - int64(base%mpegtsWrap)
	if ticks < -mpegtsWrap/2 {
		ticks += mpegtsWrap
	} else if ticks > mpegtsWrap/2 {
		ticks -= mpegtsWrap
	}
	off := time.Duration(ticks)*time.Second/90000 - v.Map.Local
	return Shift(v.Cues, off)
}

// ParseVTT parses a WebVTT document (a sidecar file or an HLS segment).
// It is lenient as browsers are: a cue with a bad timing line is skipped;
// NOTE, STYLE and REGION blocks are ignored. Only a missing "WEBVTT"
// signature is an error.
func ParseVTT(data []byte) (*VTT, error) {
	if len(data) > MaxDocumentBytes {
		return nil, ErrTooLarge
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	s := strings.ReplaceAll(strings.ReplaceAll(string(data), "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(s, "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "WEBVTT") ||
		len(lines[0]) > 6 && lines[0][6] != ' ' && lines[0][6] != '\t' {
		return nil, fmt.Errorf("%w: no WEBVTT signature", ErrSyntax)
	}
	v := &VTT{}
	i := 1
	// Header: up to the first blank line.
	for ; i < len(lines) && lines[i] != ""; i++ {
		if rest, ok := strings.CutPrefix(lines[i], "X-TIMESTAMP-MAP="); ok {
			if m, ok := parseTimestampMap(rest); ok {
				v.Map = &m
			}
		}
	}
	for i < len(lines) {
		for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
			i++
		}
		if i >= len(lines) {
			break
		}
		start := i
		for i < len(lines) && lines[i] != "" {
			i++
		}
		block := lines[start:i]
		if c, ok := parseVTTCue(block); ok {
			if len(v.Cues) >= MaxCues {
				return nil, ErrTooLarge
			}
			v.Cues = append(v.Cues, c)
		}
	}
	return v, nil
}

// parseVTTCue reads one block; ok is false for non-cue blocks (NOTE,
// STYLE, REGION) and cues with a bad timing line.
func parseVTTCue(block []string) (Cue, bool) {
	var c Cue
	t := 0
	if !strings.Contains(block[0], "-->") {
		if len(block) < 2 || !strings.Contains(block[1], "-->") {
			return c, false // NOTE, STYLE, REGION or junk
		}
		c.ID = block[0]
		t = 1
	}
	a, b, ok := strings.Cut(block[t], "-->")
	if !ok {
		return c, false
	}
	var err error
	if c.Start, err = parseVTTTime(strings.TrimSpace(a)); err != nil {
		return c, false
	}
	b = strings.TrimLeft(b, " \t")
	endStr, settings, _ := cutSpace(b)
	if c.End, err = parseVTTTime(endStr); err != nil || c.End < c.Start {
		return c, false
	}
	c.Settings = strings.Join(strings.Fields(settings), " ")
	for _, f := range strings.Fields(settings) {
		if r, ok := strings.CutPrefix(f, "region:"); ok {
			c.Region = r
		}
	}
	c.Text = vttPlain(strings.Join(block[t+1:], "\n"))
	return c, true
}

// cutSpace splits s at its first space or tab.
func cutSpace(s string) (before, after string, ok bool) {
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

// parseVTTTime reads "hh:mm:ss.ttt" or "mm:ss.ttt" (hours may have more
// than two digits).
func parseVTTTime(s string) (time.Duration, error) {
	main, frac, ok := strings.Cut(s, ".")
	if !ok || len(frac) != 3 || !allDigits(frac) {
		return 0, fmt.Errorf("%w: bad time %q", ErrSyntax, s)
	}
	parts := strings.Split(main, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, fmt.Errorf("%w: bad time %q", ErrSyntax, s)
	}
	var h, m, sec int64
	var err error
	if len(parts) == 3 {
		if len(parts[0]) < 2 || len(parts[0]) > 6 || !allDigits(parts[0]) {
			return 0, fmt.Errorf("%w: bad time %q", ErrSyntax, s)
		}
		h, _ = strconv.ParseInt(parts[0], 10, 64)
		parts = parts[1:]
	}
	if len(parts[0]) != 2 || len(parts[1]) != 2 || !allDigits(parts[0]) || !allDigits(parts[1]) {
		return 0, fmt.Errorf("%w: bad time %q", ErrSyntax, s)
	}
	m, _ = strconv.ParseInt(parts[0], 10, 64)
	sec, _ = strconv.ParseInt(parts[1], 10, 64)
	if m > 59 || sec > 59 {
		return 0, fmt.Errorf("%w: bad time %q", ErrSyntax, s)
	}
	ms, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, err
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second +
		time.Duration(ms)*time.Millisecond, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseTimestampMap reads "MPEGTS:900000,LOCAL:00:00:00.000" (either order).
func parseTimestampMap(s string) (TimestampMap, bool) {
	var m TimestampMap
	var haveTS, haveLocal bool
	for _, kv := range strings.Split(s, ",") {
		k, val, _ := strings.Cut(strings.TrimSpace(kv), ":")
		switch k {
		case "MPEGTS":
			n, err := strconv.ParseUint(val, 10, 64)
			if err != nil {
				return m, false
			}
			m.MPEGTS, haveTS = n, true
		case "LOCAL":
			d, err := parseVTTTime(val)
			if err != nil {
				return m, false
			}
			m.Local, haveLocal = d, true
		}
	}
	return m, haveTS && haveLocal
}

// vttPlain drops cue markup (<b>, <i>, <c.class>, <v Speaker>, timestamps)
// and decodes the character references WebVTT defines.
func vttPlain(s string) string {
	var b strings.Builder
	for len(s) > 0 && b.Len() < MaxCueText {
		i := strings.IndexAny(s, "<&")
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		s = s[i:]
		if s[0] == '<' {
			j := strings.IndexByte(s, '>')
			if j < 0 {
				s = ""
				break
			}
			s = s[j+1:]
			continue
		}
		j := strings.IndexByte(s, ';')
		if j < 0 || j > 8 {
			b.WriteByte('&')
			s = s[1:]
			continue
		}
		if r, ok := vttEntities[s[1:j]]; ok {
			b.WriteString(r)
		} else {
			b.WriteString(s[:j+1])
		}
		s = s[j+1:]
	}
	out := b.String()
	if len(out) > MaxCueText {
		out = strings.ToValidUTF8(out[:MaxCueText], "")
	}
	return out
}

var vttEntities = map[string]string{"amp": "&", "lt": "<", "gt": ">", "nbsp": "\u00a0", "lrm": "\u200e", "rlm": "\u200f"}
