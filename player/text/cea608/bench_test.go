package cea608

import (
	"os"
	"testing"
)

// BenchmarkSegment reads and decodes the captions of one second of
// 30 fps video (testdata), as the player does for each video segment.
func BenchmarkSegment(b *testing.B) {
	init, err := os.ReadFile("testdata/cc_init.mp4")
	if err != nil {
		b.Fatal(err)
	}
	tr, err := ParseInit(init)
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		file string
		read func([]byte) ([]Frame, error)
	}{
		{"fmp4", "testdata/cc_seg.m4s", func(d []byte) ([]Frame, error) { return FromMP4(tr, d) }},
		{"ts", "testdata/cc.ts", FromTS},
	} {
		data, err := os.ReadFile(tc.file)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				frames, err := tc.read(data)
				if err != nil {
					b.Fatal(err)
				}
				d := NewDecoder(1)
				for _, f := range frames {
					d.Decode(f.PTS, f.Field1)
				}
			}
		})
	}
}
