package abr_test

import (
	"fmt"
	"time"

	"github.com/abrkit/abrkit/abr"
)

func ExampleNew() {
	alg, err := abr.New("bb")
	if err != nil {
		panic(err)
	}
	level := alg.Choose(&abr.State{
		Buffer:          10 * time.Second,
		SegmentDuration: 4 * time.Second,
		Bitrates:        []int{300_000, 750_000, 1_200_000, 1_850_000, 2_850_000, 4_300_000},
		Last:            1,
	})
	fmt.Println(alg.Name(), level)
	// Output: bb 2
}

func ExampleNewEstimator() {
	est, _ := abr.NewEstimator("harmonic")
	est.Add(abr.Sample{Bytes: 125_000, Duration: time.Second}) // 1 Mbit/s
	est.Add(abr.Sample{Bytes: 375_000, Duration: time.Second}) // 3 Mbit/s
	bps, ok := est.Estimate()
	fmt.Printf("%.0f %v\n", bps, ok)
	// Output: 1500000 true
}

// cautious is a custom rate rule: the highest level whose bitrate fits in
// 70% of the estimate, and the lowest level while the buffer is short.
// Bitrates and Estimate are both bits per second.
type cautious struct{}

func (cautious) Name() string { return "cautious" }

func (cautious) Choose(s *abr.State) int {
	if s.Buffer < 2*s.SegmentDuration && !s.Startup {
		return 0
	}
	level := 0
	for i, b := range s.Bitrates {
		if float64(b) <= 0.7*s.Estimate {
			level = i
		}
	}
	return level
}

var _ abr.Algorithm = cautious{}

// A custom Algorithm needs two methods; give one instance to each player
// with player.WithABR (instances may keep per-session state).
func ExampleAlgorithm() {
	var alg abr.Algorithm = cautious{}
	s := &abr.State{
		SegmentDuration: 4 * time.Second,
		Bitrates:        []int{300_000, 750_000, 1_200_000, 1_850_000},
		Estimate:        2_000_000, // bits/s
		EstimateOK:      true,
		Startup:         true,
		Last:            -1,
	}
	fmt.Println(alg.Name(), "start-up:", alg.Choose(s))
	s.Startup, s.Last, s.Buffer = false, 2, 3*time.Second
	fmt.Println(alg.Name(), "short buffer:", alg.Choose(s))
	s.Buffer = 20 * time.Second
	fmt.Println(alg.Name(), "full buffer:", alg.Choose(s))
	// Output:
	// cautious start-up: 2
	// cautious short buffer: 0
	// cautious full buffer: 2
}
