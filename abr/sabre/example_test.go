package sabre_test

import (
	"fmt"

	"github.com/abrkit/abrkit/abr"
	"github.com/abrkit/abrkit/abr/sabre"
)

func Example() {
	m := &sabre.Manifest{SegmentTime: 3000, Bitrates: []float64{500, 1000, 2000}}
	for range 20 {
		m.Segments = append(m.Segments, []float64{1.5e6, 3e6, 6e6})
	}
	link := []sabre.Period{{Time: 10000, Bandwidth: 2500, Latency: 50}}
	bola, _ := sabre.New("bola")
	a, _ := sabre.Run(sabre.DefaultConfig(), m, link, bola)
	b, _ := sabre.Run(sabre.DefaultConfig(), m, link, sabre.Adapt(abr.NewBB()))
	fmt.Printf("sabre bola: %.0f kbit/s, %.1f s rebuffer\n", a.Metrics.TimeAveragePlayedBitrate, a.Metrics.TotalRebuffer)
	fmt.Printf("abrkit bb:  %.0f kbit/s, %.1f s rebuffer\n", b.Metrics.TimeAveragePlayedBitrate, b.Metrics.TotalRebuffer)
	// Output:
	// sabre bola: 1830 kbit/s, 0.0 s rebuffer
	// abrkit bb:  1533 kbit/s, 0.0 s rebuffer
}
