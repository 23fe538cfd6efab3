package eval_test

import (
	"fmt"
	"time"

	"github.com/abrkit/abrkit/abr/eval"
	"github.com/abrkit/abrkit/abr/trace"
)

func ExampleEvaluate() {
	// A steady 3 Mbit/s link and a 6-level constant-bitrate video.
	link := &trace.Trace{Name: "steady"}
	for i := 0; i <= 300; i++ {
		link.Time = append(link.Time, float64(i))
		link.Mbps = append(link.Mbps, 3)
	}
	video := &trace.Video{SegmentDuration: 4 * time.Second, Bitrates: trace.PensieveBitrates()}
	for _, b := range video.Bitrates {
		sizes := make([]int64, 49)
		for i := range sizes {
			sizes[i] = int64(b / 8 * 4)
		}
		video.Sizes = append(video.Sizes, sizes)
	}
	rep, err := eval.Evaluate(eval.Pensieve(), []*trace.Trace{link}, video,
		[]string{"throughput", "auto", "optimal"}, eval.Options{})
	if err != nil {
		panic(err)
	}
	for _, r := range rep.Results {
		fmt.Printf("%s: stalls %.1f s\n", r.Algo, r.MeanRebufferS)
	}
	// Output:
	// throughput: stalls 0.0 s
	// auto: stalls 0.0 s
	// optimal: stalls 0.0 s
}
