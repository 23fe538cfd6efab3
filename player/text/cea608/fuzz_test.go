package cea608

import (
	"os"
	"testing"
	"time"

	ct "github.com/abrkit/abrkit/player/text/cea608/cea608test"
)

func FuzzDecoder(f *testing.F) {
	for _, b := range ct.Script {
		f.Add(b.Pairs)
	}
	f.Add(ct.Cat(ct.RU2, ct.Ctl(1, 0x11, 0x40), ct.Chars("X"), ct.CR, ct.Ctl(1, 0x12, 0x25), ct.Ctl(2, 0x14, 0x27)))
	f.Fuzz(func(t *testing.T, data []byte) {
		d := NewDecoder(1)
		for i := 0; i < len(data); i += 8 {
			d.Decode(time.Duration(i)*time.Millisecond, data[i:min(i+8, len(data))])
		}
		d.Flush(time.Duration(len(data)+1) * time.Millisecond)
		for _, c := range d.Take() {
			if c.End <= c.Start || c.Text == "" || len([]rune(c.Text)) > rows*(cols+1) {
				t.Fatalf("bad cue %+v", c)
			}
		}
	})
}

func FuzzExtract(f *testing.F) {
	for _, name := range []string{"testdata/cc.ts", "testdata/cc_init.mp4", "testdata/cc_seg.m4s"} {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte{0x47, 0x40, 0, 0x10})
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = FromTS(data)
		if tr, err := ParseInit(data); err == nil {
			_, _ = FromMP4(tr, data)
		}
		_, _ = FromMP4(&Track{ID: 1, Timescale: 90000}, data)
		_, _ = FromNALUs([][]byte{data})
	})
}
