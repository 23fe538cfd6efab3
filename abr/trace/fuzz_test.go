package trace

import (
	"bytes"
	"testing"
)

func FuzzParsePensieve(f *testing.F) {
	for _, c := range pensieveCases {
		f.Add([]byte(c.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tr, err := ParsePensieve(bytes.NewReader(b), "fuzz")
		if err == nil && (len(tr.Time) < 2 || len(tr.Time) != len(tr.Mbps)) {
			t.Fatalf("ParsePensieve accepted %d/%d samples", len(tr.Time), len(tr.Mbps))
		}
	})
}

func FuzzParseSabre(f *testing.F) {
	for _, c := range sabreCases {
		f.Add([]byte(c.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tr, err := ParseSabre(bytes.NewReader(b), "fuzz")
		if err == nil && (len(tr.Time) < 2 || len(tr.LatencyMs) != len(tr.Time)) {
			t.Fatalf("ParseSabre accepted a malformed trace: %+v", tr)
		}
	})
}

func FuzzParseMahimahi(f *testing.F) {
	for _, c := range mahimahiCases {
		f.Add([]byte(c.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tr, err := ParseMahimahi(bytes.NewReader(b), "fuzz", 0)
		if err == nil && len(tr.Time) < 2 {
			t.Fatalf("ParseMahimahi accepted %d samples", len(tr.Time))
		}
	})
}

func FuzzParsePensieveSizes(f *testing.F) {
	for _, c := range sizeCases {
		f.Add([]byte(c.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParsePensieveSizes(bytes.NewReader(b), "fuzz")
		if err == nil && len(s) == 0 {
			t.Fatal("ParsePensieveSizes accepted no sizes")
		}
		for _, v := range s {
			if v <= 0 {
				t.Fatalf("ParsePensieveSizes accepted size %d", v)
			}
		}
	})
}

func FuzzParseSabreVideo(f *testing.F) {
	for _, c := range sabreVideoCases {
		f.Add([]byte(c.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := ParseSabreVideo(bytes.NewReader(b), "fuzz")
		if err == nil && (len(v.Sizes) != len(v.Bitrates) || v.SegmentDuration <= 0) {
			t.Fatalf("ParseSabreVideo accepted %+v", v)
		}
	})
}
