package player

import (
	"errors"
	"testing"
)

var bitrateCases = []struct {
	in   string
	want int
	ok   bool
}{
	{"3000000", 3_000_000, true},
	{"800k", 800_000, true},
	{"2.5M", 2_500_000, true},
	{"1.2Mbps", 1_200_000, true},
	{"1G", 1_000_000_000, true},
	{"500 kbit/s", 500_000, true},
	{"0", 0, true},
	{"", 0, false},
	{"fast", 0, false},
	{"-1M", 0, false},
	{"1e20", 0, false},
	{"NaN", 0, false},
	{"k", 0, false},
}

func TestParseBitrate(t *testing.T) {
	for _, tc := range bitrateCases {
		got, err := ParseBitrate(tc.in)
		if tc.ok != (err == nil) || got != tc.want {
			t.Errorf("ParseBitrate(%q) = %d, %v; want %d (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrBitrate) {
			t.Errorf("ParseBitrate(%q) error %v does not wrap ErrBitrate", tc.in, err)
		}
	}
}

func FuzzParseBitrate(f *testing.F) {
	for _, tc := range bitrateCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseBitrate(s)
		if err == nil && (v < 0 || v > 1e12) {
			t.Fatalf("ParseBitrate(%q) = %d; out of range", s, v)
		}
	})
}
