package download

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseQuality(t *testing.T) {
	tests := []struct {
		in   string
		want Selection
		err  bool
	}{
		{"", Selection{}, false},
		{"best", Selection{}, false},
		{"worst", Selection{Lowest: true}, false},
		{"720p", Selection{MaxHeight: 720}, false},
		{"1500k", Selection{MaxBitrate: 1500000}, false},
		{"2.5M", Selection{MaxBitrate: 2500000}, false},
		{"800000", Selection{MaxBitrate: 800000}, false},
		{"hd", Selection{}, true},
		{"-3p", Selection{}, true},
	}
	for _, tt := range tests {
		got, err := ParseQuality(tt.in)
		if (err != nil) != tt.err || !tt.err && (got.MaxHeight != tt.want.MaxHeight || got.MaxBitrate != tt.want.MaxBitrate || got.Lowest != tt.want.Lowest) {
			t.Errorf("ParseQuality(%q) = %+v, %v; want %+v (error %v)", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  bool
	}{
		{"100", 100, false}, {"2GB", 2e9, false}, {"1.5 MB", 1.5e6, false}, {"1GiB", 1 << 30, false},
		{"512MiB", 512 << 20, false}, {"10k", 1e4, false}, {"x", 0, true}, {"-1", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d (error %v)", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestSelection(t *testing.T) {
	o := newOrigin(t, testTitle(t, 4*time.Second))
	tests := []struct {
		name  string
		sel   Selection
		video string // folder of the chosen video rendition
		err   error
	}{
		{"best", Selection{}, "v600", nil},
		{"worst", Selection{Lowest: true}, "v200", nil},
		{"by height", Selection{MaxHeight: 300}, "v200", nil},
		{"by bitrate", Selection{MaxBitrate: 700000}, "v200", nil},
		{"nothing fits takes the smallest", Selection{MaxHeight: 100}, "v200", nil},
		{"audio language", Selection{AudioLangs: []string{"und"}}, "v600", nil},
		{"missing language", Selection{AudioLangs: []string{"fr"}}, "", ErrNoTracks},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl, err := loadPlan(context.Background(), &HTTPFetcher{}, o.url("master.m3u8"), tt.sel)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("loadPlan = %v; want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var video, audio int
			for _, it := range pl.Items {
				switch {
				case strings.HasPrefix(it.Key, "media/"+tt.video+"/"):
					video++
				case strings.HasPrefix(it.Key, "media/a128/"):
					audio++
				default:
					t.Errorf("unexpected file %s", it.Key)
				}
			}
			if video != 3 || audio != 3 {
				t.Errorf("files: video %d audio %d; want 3 and 3", video, audio)
			}
		})
	}
}
