package cea608

import (
	"reflect"
	"testing"
	"time"

	"github.com/abrkit/abrkit/player/text"
	ct "github.com/abrkit/abrkit/player/text/cea608/cea608test"
)

// pac1i8 is the PAC of row 1, indent 8.
var pac1i8 = ct.Ctl(1, 0x11, 0x54)

type step struct {
	at    time.Duration
	pairs []byte
}

func s(sec float64, parts ...[]byte) step {
	return step{time.Duration(sec * float64(time.Second)), ct.Cat(parts...)}
}

func cue(from, to float64, txt string) text.Cue {
	return text.Cue{Start: time.Duration(from * float64(time.Second)), End: time.Duration(to * float64(time.Second)), Text: txt}
}

func TestDecoder(t *testing.T) {
	tests := []struct {
		name  string
		cc    int
		steps []step
		flush float64
		want  []text.Cue
	}{
		{"pop-on", 1, []step{s(0, ct.RCL, ct.ENM, ct.PAC15, ct.Chars("HELLO")), s(1, ct.EOC), s(3, ct.EDM)}, 0,
			[]text.Cue{cue(1, 3, "HELLO")}},
		{"pop-on replaces the shown caption", 1, []step{
			s(0, ct.RCL, ct.PAC14, ct.Chars("ONE"), ct.PAC15, ct.Chars("TWO")), s(1, ct.EOC),
			s(1.5, ct.RCL, ct.ENM, ct.PAC15, ct.Chars("THREE")), s(2, ct.EOC), s(4, ct.EDM)}, 0,
			[]text.Cue{cue(1, 2, "ONE\nTWO"), cue(2, 4, "THREE")}},
		{"doubled control codes act once", 1, []step{
			s(0, ct.RCL, ct.RCL, ct.PAC15, ct.PAC15, ct.Chars("AB")), s(1, ct.EOC, ct.EOC), s(2, ct.EDM, ct.EDM)}, 0,
			[]text.Cue{cue(1, 2, "AB")}},
		{"a code repeated after another pair acts again", 1, []step{
			s(0, ct.RCL, ct.PAC15, ct.Chars("A")), s(1, ct.EOC), s(1.5, ct.RCL, ct.PAC15, ct.Chars("B")), s(2, ct.EOC), s(3, ct.EDM)}, 0,
			[]text.Cue{cue(1, 2, "A"), cue(2, 3, "B")}},
		{"roll-up 2 keeps two rows", 1, []step{
			s(0, ct.RU2, ct.PAC15, ct.Chars("L1")), s(1, ct.CR, ct.Chars("L2")), s(2, ct.CR, ct.Chars("L3"))}, 3,
			[]text.Cue{cue(0, 1, "L1"), cue(1, 2, "L1\nL2"), cue(2, 3, "L2\nL3")}},
		{"roll-up 3", 1, []step{
			s(0, ct.RU3, ct.PAC15, ct.Chars("A")), s(1, ct.CR, ct.Chars("B")), s(2, ct.CR, ct.Chars("C")), s(3, ct.CR, ct.Chars("D"))}, 4,
			[]text.Cue{cue(0, 1, "A"), cue(1, 2, "A\nB"), cue(2, 3, "A\nB\nC"), cue(3, 4, "B\nC\nD")}},
		{"paint-on shows at once", 1, []step{s(0, ct.RDC, ct.PAC15, ct.Chars("HI")), s(1, ct.Chars("!")), s(2, ct.EDM)}, 0,
			[]text.Cue{cue(0, 1, "HI"), cue(1, 2, "HI!")}},
		{"backspace and delete to end of row", 1, []step{
			s(0, ct.RDC, ct.PAC15, ct.Chars("ABCD"), ct.BS), s(1, ct.PAC15, ct.Ctl(1, 0x17, 0x21), ct.DER), s(2, ct.EDM)}, 0,
			[]text.Cue{cue(0, 1, "ABC"), cue(1, 2, "A")}},
		{"special, extended and remapped characters", 1, []step{
			s(0, ct.RCL, ct.PAC15, ct.Chars("*"), ct.Ctl(1, 0x11, 0x37), ct.Chars("a"), ct.Ctl(1, 0x12, 0x20), ct.Chars("o"), ct.Ctl(1, 0x13, 0x32)),
			s(1, ct.EOC), s(2, ct.EDM)}, 0,
			[]text.Cue{cue(1, 2, "á♪ÁÖ")}},
		{"mid-row code is a space", 1, []step{s(0, ct.RCL, ct.PAC15, ct.Chars("A"), ct.Ctl(1, 0x11, 0x2e), ct.Chars("B")), s(1, ct.EOC), s(2, ct.EDM)}, 0,
			[]text.Cue{cue(1, 2, "A B")}},
		{"indent is kept relative to the leftmost row", 1, []step{
			s(0, ct.RCL, pac1i8, ct.Chars("X"), ct.Ctl(1, 0x11, 0x74), ct.Chars("YZ")), s(1, ct.EOC), s(2, ct.EDM)}, 0,
			[]text.Cue{cue(1, 2, "X\nYZ")}},
		{"bad parity drops the pair", 1, []step{
			s(0, ct.RCL, ct.PAC15, ct.Chars("AB"), []byte{0xc3, ct.Par('D')}, ct.Chars("E")), s(1, ct.EOC), s(2, ct.EDM)}, 0,
			[]text.Cue{cue(1, 2, "ABE")}},
		{"bad second byte is a solid block", 1, []step{
			s(0, ct.RCL, ct.PAC15, []byte{ct.Par('A'), 0x42}), s(1, ct.EOC), s(2, ct.EDM)}, 0,
			[]text.Cue{cue(1, 2, "A█")}},
		{"channel 2 is not CC1", 1, []step{
			s(0, ct.RCL, ct.PAC15, ct.Chars("ONE")), s(0.5, ct.Ctl(2, 0x14, 0x20), ct.Ctl(2, 0x14, 0x60), ct.Chars("TWO"), ct.Ctl(2, 0x14, 0x2f)),
			s(1, ct.EOC), s(2, ct.EDM)}, 0,
			[]text.Cue{cue(1, 2, "ONE")}},
		{"CC2 follows its own channel", 2, []step{
			s(0, ct.RCL, ct.PAC15, ct.Chars("ONE")), s(0.5, ct.Ctl(2, 0x14, 0x20), ct.Ctl(2, 0x14, 0x60), ct.Chars("TWO"), ct.Ctl(2, 0x14, 0x2f)),
			s(1, ct.EOC), s(2, ct.Ctl(2, 0x14, 0x2c))}, 0,
			[]text.Cue{cue(0.5, 2, "TWO")}},
		{"text mode is not captions", 1, []step{
			s(0, ct.Ctl(1, 0x14, 0x2a), ct.Chars("TEXT")), s(1, ct.RDC, ct.PAC15, ct.Chars("CAP")), s(2, ct.EDM)}, 0,
			[]text.Cue{cue(1, 2, "CAP")}},
		{"characters before a mode are ignored", 1, []step{s(0, ct.Chars("JUNK")), s(1, ct.RDC, ct.PAC15, ct.Chars("OK"))}, 2,
			[]text.Cue{cue(1, 2, "OK")}},
		{"flush ends the shown cue", 1, []step{s(0, ct.RCL, ct.PAC15, ct.Chars("END")), s(1, ct.EOC)}, 5,
			[]text.Cue{cue(1, 5, "END")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDecoder(tt.cc)
			for _, st := range tt.steps {
				d.Decode(st.at, st.pairs)
			}
			if tt.flush > 0 {
				d.Flush(time.Duration(tt.flush * float64(time.Second)))
			}
			got := d.Take()
			for i := range got {
				got[i].Settings = ""
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("cues\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestDecoderSettingsPlaceTheCaption(t *testing.T) {
	d := NewDecoder(1)
	d.Decode(0, ct.Cat(ct.RCL, pac1i8, ct.Chars("TOP")))
	d.Decode(time.Second, ct.EOC)
	d.Flush(2 * time.Second)
	got := d.Take()
	if len(got) != 1 || got[0].Settings != "line:0% position:30% align:start" {
		t.Fatalf("got %+v", got)
	}
}

func TestResetForgetsTheScreen(t *testing.T) {
	d := NewDecoder(1)
	d.Decode(0, ct.Cat(ct.RCL, ct.PAC15, ct.Chars("OLD")))
	d.Reset()
	d.Decode(time.Second, ct.EOC)
	d.Flush(2 * time.Second)
	if got := d.Take(); len(got) != 0 {
		t.Fatalf("got %+v after Reset", got)
	}
}

func TestField(t *testing.T) {
	for cc, want := range map[int]int{1: 1, 2: 1, 3: 2, 4: 2} {
		if got := Field(cc); got != want {
			t.Errorf("Field(%d) = %d, want %d", cc, got, want)
		}
	}
}
