// Package cea608 decodes CEA-608 (CTA-608) closed captions into timed
// cues: the byte pairs of one caption channel (CC1-CC4) in pop-on,
// roll-up and paint-on modes, and the cc_data that carries them in
// H.264 SEI messages of fMP4 and MPEG-TS video segments.
package cea608

import (
	"strconv"
	"strings"
	"time"

	"github.com/abrkit/abrkit/player/text"
)

const (
	rows = 15 // caption rows of the screen
	cols = 32 // columns of a row
)

// MaxCues bounds the cues a Decoder holds before Take.
const MaxCues = 10000

type mode int

const (
	modeNone mode = iota
	modePopOn
	modePaintOn
	modeRollUp
	modeText // text mode (TR, RTD): data is not captions
)

type screen [rows][cols]rune

func (s *screen) clear() { *s = screen{} }

// text is the screen's text: rows with content, trailing spaces removed,
// joined with "\n"; top is the first such row (0-based) and indent the
// smallest leading space of them.
func (s *screen) text() (txt string, top, indent int) {
	var lines []string
	top, indent = -1, cols
	for r := range s {
		line := []rune{}
		for _, c := range s[r] {
			if c == 0 {
				c = ' '
			}
			line = append(line, c)
		}
		l := strings.TrimRight(string(line), " ")
		if strings.TrimSpace(l) == "" {
			continue
		}
		if top < 0 {
			top = r
		}
		indent = min(indent, len(l)-len(strings.TrimLeft(l, " ")))
		lines = append(lines, l)
	}
	for i := range lines {
		lines[i] = lines[i][indent:] // leading spaces are one byte each
	}
	return strings.Join(lines, "\n"), top, indent
}

// Decoder decodes one caption channel. Feed it the byte pairs of the
// channel's field (CC1 and CC2: field 1; CC3 and CC4: field 2), parity
// bits included, in presentation order with Decode; Take returns the
// cues finished so far. The zero value is not usable: see NewDecoder.
type Decoder struct {
	channel int // 1 or 2 within the field
	cur     int // data channel of the last control code
	mode    mode
	rollup  int // rows of the roll-up window
	row     int // cursor, 0-based
	col     int
	disp    screen
	nondisp screen
	lastCtl [2]byte // previous control pair, for doubling
	xds     bool    // inside an XDS packet (field 2)

	shown    string // text of the cue being shown
	settings string
	since    time.Duration
	cues     []text.Cue
	dropped  int
}

// NewDecoder returns a decoder of caption channel cc, 1 to 4 (CC1-CC4).
func NewDecoder(cc int) *Decoder {
	d := &Decoder{channel: (cc-1)%2 + 1}
	d.Reset()
	return d
}

// Field reports the field (1 or 2) that carries caption channel cc.
func Field(cc int) int {
	if cc >= 3 {
		return 2
	}
	return 1
}

// Reset forgets the screen and the cue being shown (after a seek or a
// discontinuity); finished cues stay for Take.
func (d *Decoder) Reset() {
	d.cur, d.mode, d.rollup = 0, modeNone, 0
	d.row, d.col = rows-1, 0
	d.disp.clear()
	d.nondisp.clear()
	d.lastCtl = [2]byte{}
	d.xds = false
	d.shown, d.settings = "", ""
}

// Decode processes the byte pairs of one frame shown at t (pairs holds
// an even number of bytes; an odd last byte is ignored).
func (d *Decoder) Decode(t time.Duration, pairs []byte) {
	for i := 0; i+1 < len(pairs); i += 2 {
		d.pair(pairs[i], pairs[i+1])
	}
	d.commit(t)
}

// Flush ends the cue being shown at t.
func (d *Decoder) Flush(t time.Duration) {
	d.end(t)
	d.shown = ""
}

// Showing returns the cue being shown, ending at end (false when none
// is shown or end is not after its start).
func (d *Decoder) Showing(end time.Duration) (text.Cue, bool) {
	if d.shown == "" || end <= d.since {
		return text.Cue{}, false
	}
	return text.Cue{Start: d.since, End: end, Text: d.shown, Settings: d.settings}, true
}

// Take returns the cues finished so far and forgets them.
func (d *Decoder) Take() []text.Cue {
	c := d.cues
	d.cues = nil
	return c
}

// commit starts a new cue at t when the displayed text or its place
// changed.
func (d *Decoder) commit(t time.Duration) {
	txt, top, indent := d.disp.text()
	settings := ""
	if txt != "" {
		settings = "line:" + strconv.Itoa(top*100/rows) + "% position:" + strconv.Itoa(10+indent*80/cols) + "% align:start"
	}
	if txt == d.shown && settings == d.settings {
		return
	}
	d.end(t)
	d.shown, d.settings, d.since = txt, settings, t
}

func (d *Decoder) end(t time.Duration) {
	if d.shown == "" || t <= d.since {
		return
	}
	if len(d.cues) >= MaxCues {
		d.dropped++
		return
	}
	d.cues = append(d.cues, text.Cue{Start: d.since, End: t, Text: d.shown, Settings: d.settings})
}

// oddParity reports whether b has an odd number of set bits.
func oddParity(b byte) bool {
	b ^= b >> 4
	b ^= b >> 2
	b ^= b >> 1
	return b&1 == 1
}

func (d *Decoder) pair(b1, b2 byte) {
	if !oddParity(b1) {
		return // the pair cannot be trusted
	}
	c1, c2 := b1&0x7f, b2&0x7f
	if !oddParity(b2) {
		c2 = 0x7f // a character lost in transmission: a solid block
		if c1 >= 0x10 && c1 < 0x20 {
			return // a control code with a bad byte is ignored
		}
	}
	if c1 == 0 && c2 == 0 {
		return // padding
	}
	if c1 >= 0x10 && c1 < 0x20 {
		d.xds = false
		if d.lastCtl == [2]byte{c1, c2} {
			d.lastCtl = [2]byte{}
			return // the transmitted repeat of a control code
		}
		d.lastCtl = [2]byte{c1, c2}
		d.cur = 1
		if c1&0x08 != 0 {
			d.cur = 2
		}
		if d.cur == d.channel {
			d.control(c1&^0x08, c2)
		}
		return
	}
	d.lastCtl = [2]byte{}
	if c1 < 0x10 {
		d.xds = c1 != 0x0f // XDS packets (field 2) run to their end code
		return
	}
	if d.xds || d.cur != d.channel || d.mode == modeNone || d.mode == modeText {
		return
	}
	d.put(basic(c1))
	if c2 >= 0x20 {
		d.put(basic(c2))
	}
}

// control handles a control code of the decoder's channel (c1 with the
// channel bit cleared).
func (d *Decoder) control(c1, c2 byte) {
	switch {
	case (c1 == 0x14 || c1 == 0x15) && c2 >= 0x20 && c2 <= 0x2f:
		d.misc(c2)
	case c1 == 0x17 && c2 >= 0x21 && c2 <= 0x23: // tab offsets
		d.col = min(d.col+int(c2-0x20), cols-1)
	case c1 == 0x11 && c2 >= 0x20 && c2 <= 0x2f: // mid-row code: shown as a space
		d.put(' ')
	case c1 == 0x11 && c2 >= 0x30 && c2 <= 0x3f:
		d.put(special[c2-0x30])
	case (c1 == 0x12 || c1 == 0x13) && c2 >= 0x20 && c2 <= 0x3f:
		// extended characters replace the standard one sent before them
		if d.col > 0 {
			d.col--
		}
		if c1 == 0x12 {
			d.put(extended1[c2-0x20])
		} else {
			d.put(extended2[c2-0x20])
		}
	case c2 >= 0x40:
		d.pac(c1, c2)
	}
}

func (d *Decoder) misc(c2 byte) {
	switch c2 {
	case 0x20: // RCL
		d.mode = modePopOn
	case 0x21: // BS
		if d.mode == modeNone || d.mode == modeText {
			return
		}
		if d.col > 0 {
			d.col--
			d.mem()[d.row][d.col] = 0
		}
	case 0x24: // DER
		if m := d.mem(); m != nil {
			for c := d.col; c < cols; c++ {
				m[d.row][c] = 0
			}
		}
	case 0x25, 0x26, 0x27: // RU2-RU4
		if d.mode != modeRollUp {
			d.disp.clear()
			d.nondisp.clear()
			d.row, d.col = rows-1, 0
		}
		d.mode, d.rollup = modeRollUp, int(c2-0x25)+2
		d.clipWindow()
	case 0x29: // RDC
		d.mode = modePaintOn
	case 0x2a, 0x2b: // TR, RTD
		d.mode = modeText
	case 0x2c: // EDM
		d.disp.clear()
	case 0x2d: // CR
		if d.mode == modeRollUp {
			d.roll()
		}
	case 0x2e: // ENM
		d.nondisp.clear()
	case 0x2f: // EOC
		d.disp, d.nondisp = d.nondisp, d.disp
		d.mode = modePopOn
	}
}

// pacRows maps the PAC's first byte (channel bit clear) to its two rows
// (1-based; 0: none).
var pacRows = [8][2]int{{11, 0}, {1, 2}, {3, 4}, {12, 13}, {14, 15}, {5, 6}, {7, 8}, {9, 10}}

func (d *Decoder) pac(c1, c2 byte) {
	if d.mode == modeNone || d.mode == modeText {
		return
	}
	row := pacRows[c1&0x07][(c2>>5)&1]
	if row == 0 {
		return
	}
	if d.mode == modeRollUp && row-1 != d.row {
		// the window moves with its base row
		var moved screen
		for i := 0; i < d.rollup; i++ {
			from, to := d.row-i, row-1-i
			if from >= 0 && to >= 0 {
				moved[to] = d.disp[from]
			}
		}
		d.disp = moved
	}
	d.row, d.col = row-1, 0
	if c2&0x10 != 0 {
		d.col = int(c2&0x0e) * 2 // indent: 4 columns per step
	}
	if d.mode == modeRollUp {
		d.clipWindow()
	}
}

// clipWindow keeps the roll-up window inside the screen.
func (d *Decoder) clipWindow() {
	if d.row < d.rollup-1 {
		d.row = d.rollup - 1
	}
	for r := 0; r <= d.row-d.rollup; r++ {
		d.disp[r] = [cols]rune{}
	}
}

// roll scrolls the roll-up window up one row.
func (d *Decoder) roll() {
	top := d.row - d.rollup + 1
	for r := max(top, 0); r < d.row; r++ {
		d.disp[r] = d.disp[r+1]
	}
	if top-1 >= 0 {
		d.disp[top-1] = [cols]rune{}
	}
	d.disp[d.row] = [cols]rune{}
	d.col = 0
}

// mem is the memory characters go to in the current mode (nil: none).
func (d *Decoder) mem() *screen {
	switch d.mode {
	case modePopOn:
		return &d.nondisp
	case modePaintOn, modeRollUp:
		return &d.disp
	}
	return nil
}

func (d *Decoder) put(r rune) {
	m := d.mem()
	if m == nil {
		return
	}
	m[d.row][d.col] = r
	if d.col < cols-1 {
		d.col++
	}
}

// basic maps a standard character code (0x20-0x7f) to its rune: ASCII
// except for the accented letters CEA-608 puts in its place.
func basic(c byte) rune {
	switch c {
	case 0x2a:
		return 'á'
	case 0x5c:
		return 'é'
	case 0x5e:
		return 'í'
	case 0x5f:
		return 'ó'
	case 0x60:
		return 'ú'
	case 0x7b:
		return 'ç'
	case 0x7c:
		return '÷'
	case 0x7d:
		return 'Ñ'
	case 0x7e:
		return 'ñ'
	case 0x7f:
		return '█'
	}
	return rune(c)
}

// special is the special North American character set (0x11 0x30-0x3f).
var special = [16]rune{'®', '°', '½', '¿', '™', '¢', '£', '♪', 'à', ' ', 'è', 'â', 'ê', 'î', 'ô', 'û'}

// extended1 is the extended Spanish/miscellaneous and French set
// (0x12 0x20-0x3f); extended2 the Portuguese and German/Danish set (0x13).
var extended1 = [32]rune{
	'Á', 'É', 'Ó', 'Ú', 'Ü', 'ü', '‘', '¡', '*', '\'', '—', '©', '℠', '•', '“', '”',
	'À', 'Â', 'Ç', 'È', 'Ê', 'Ë', 'ë', 'Î', 'Ï', 'ï', 'Ô', 'Ù', 'ù', 'Û', '«', '»',
}

var extended2 = [32]rune{
	'Ã', 'ã', 'Í', 'Ì', 'ì', 'Ò', 'ò', 'Õ', 'õ', '{', '}', '\\', '^', '_', '|', '~',
	'Ä', 'ä', 'Ö', 'ö', 'ß', '¥', '¤', '¦', 'Å', 'å', 'Ø', 'ø', '┌', '┐', '└', '┘',
}
