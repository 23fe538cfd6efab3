package download

import (
	"testing"

	"github.com/abrkit/abrkit/player/manifest"
)

// TestPickVideoLimits pins which bandwidth MaxBitrate is compared with
// (the declared peak, not the average) and the fallback when nothing fits.
func TestPickVideoLimits(t *testing.T) {
	ladder := func() []*manifest.Rendition {
		// in declaration order, not sorted: pickVideo sorts
		return []*manifest.Rendition{
			{ID: "v1080", Bandwidth: 4_000_000, AverageBandwidth: 2_500_000, Height: 1080},
			{ID: "v300k", Bandwidth: 674_000, AverageBandwidth: 300_000, Height: 360},
			{ID: "v720", Bandwidth: 2_000_000, AverageBandwidth: 1_200_000, Height: 720},
		}
	}
	tests := []struct {
		name string
		sel  Selection
		want string
	}{
		{"no limits: highest", Selection{}, "v1080"},
		{"lowest", Selection{Lowest: true}, "v300k"},
		{"peak at the limit fits", Selection{MaxBitrate: 2_000_000}, "v720"},
		{"peak over the limit, average under it: excluded", Selection{MaxBitrate: 1_999_999}, "v300k"},
		{"nothing under the limit: lowest bandwidth", Selection{MaxBitrate: 400_000}, "v300k"},
		{"nothing fits, lowest asked too", Selection{MaxBitrate: 400_000, Lowest: true}, "v300k"},
		{"height and bitrate together", Selection{MaxHeight: 1080, MaxBitrate: 3_000_000}, "v720"},
		{"nothing under the height: lowest bandwidth", Selection{MaxHeight: 240}, "v300k"},
		{"lowest under a limit", Selection{MaxBitrate: 5_000_000, Lowest: true}, "v300k"},
	}
	for _, tt := range tests {
		if got := pickVideo(ladder(), tt.sel); got.ID != tt.want {
			t.Errorf("%s: pickVideo(%+v) = %s; want %s", tt.name, tt.sel, got.ID, tt.want)
		}
	}
}
