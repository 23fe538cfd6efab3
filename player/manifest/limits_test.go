package manifest

import (
	"errors"
	"fmt"
	"testing"
)

// The hostile manifests of the security review (200k Representations,
// 100k Periods, 100k variants, a 1,000,000-segment playlist), scaled down
// but still over the default limits, are refused with the line of the
// first element past the cap, before anything is modelled.
func TestLimits(t *testing.T) {
	tests := []struct {
		name  string
		data  []byte
		opts  []Option
		field string
		line  int
	}{
		{"20k Representations", manyRepsMPD(20000), nil, "Representation", 4005},
		{"10k Periods", manyPeriodsMPD(10000), nil, "Period", 1003},
		{"10k AdaptationSets", manySetsMPD(10000), nil, "AdaptationSet", 2004},
		{"10k variants", manyVariantsMaster(10000), nil, "EXT-X-STREAM-INF", 4003},
		{"300k segments", vodPlaylist(300000), nil, "EXTINF", 400007},
		{"timeline over a set limit", timelineMPD(5000), []Option{WithLimits(Limits{TotalSegments: 1000})}, "S", 1005},
		{"variants over a set limit", manyVariantsMaster(200), []Option{WithLimits(Limits{Variants: 100})}, "EXT-X-STREAM-INF", 203},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.data, "https://cdn.example/t/m", tt.opts...)
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, ErrLimit) || !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse = %v; want a *ParseError with ErrLimit", err)
			}
			if pe.Field != tt.field || pe.Line != tt.line {
				t.Errorf("Parse = %q at line %d; want field %q at line %d", pe.Field, pe.Line, tt.field, tt.line)
			}
		})
	}
}

// Inputs at the limits still parse, and a 1,000-element input parses
// with the same counts as a direct count says.
func TestLimitsAllowRealSizes(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		sets int
		reps int
	}{
		{"1000 Representations", manyRepsMPD(1000), 1, 1000},
		{"1000 Periods", manyPeriodsMPD(1000), 1, 1},
		{"2000 AdaptationSets", manySetsMPD(2000), 2000, 1},
		{"2000 variants", manyVariantsMaster(2000), 1, 2000},
	}
	for _, tt := range tests {
		p, err := Parse(tt.data, "https://cdn.example/t/m")
		if err != nil {
			t.Fatalf("%s: Parse = %v", tt.name, err)
		}
		if got := len(p.Periods[0].Sets); got != tt.sets {
			t.Errorf("%s: %d sets; want %d", tt.name, got, tt.sets)
		}
		if got := len(p.Periods[0].Sets[0].Renditions); got != tt.reps {
			t.Errorf("%s: %d renditions; want %d", tt.name, got, tt.reps)
		}
	}
	if m, err := ParseHLSMedia(vodPlaylist(DefaultMaxSegments), "https://cdn.example/t/v.m3u8"); err != nil || len(m.Segments) != DefaultMaxSegments {
		t.Errorf("ParseHLSMedia at the segment limit = %v", err)
	}
}

// BenchmarkHostileShapes parses each hostile shape at growing sizes under
// the limits; ns/op grows in proportion to n (linear time):
//
//	go test -run XXX -bench HostileShapes ./player/manifest/
func BenchmarkHostileShapes(b *testing.B) {
	shapes := []struct {
		name string
		gen  func(int) []byte
	}{
		{"representations", manyRepsMPD},
		{"periods", manyPeriodsMPD},
		{"adaptation_sets", manySetsMPD},
		{"variants", manyVariantsMaster},
		{"segments", func(n int) []byte { return vodPlaylist(n * 50) }},
	}
	for _, s := range shapes {
		for _, n := range []int{250, 500, 1000} {
			data := s.gen(n)
			b.Run(fmt.Sprintf("%s/n=%d", s.name, n), func(b *testing.B) {
				b.SetBytes(int64(len(data)))
				for i := 0; i < b.N; i++ {
					if _, err := Parse(data, "https://cdn.example/t/m"); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
