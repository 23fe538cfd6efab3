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
