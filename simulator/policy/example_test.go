package policy_test

import (
	"fmt"

	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/simulator/policy"
)

func ExampleMaxBitrate() {
	p := &manifest.Presentation{Periods: []manifest.Period{{Sets: []manifest.AdaptationSet{
		{Type: manifest.Video, Renditions: []manifest.Rendition{{Bandwidth: 800_000, Height: 360}, {Bandwidth: 3_000_000, Height: 720}, {Bandwidth: 8_000_000, Height: 1080}}},
	}}}}
	fmt.Println(policy.MaxBitrate(p, 720), policy.ABRName(""))
	// Output: 3000000 auto
}
