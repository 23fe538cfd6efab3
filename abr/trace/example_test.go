package trace_test

import (
	"fmt"
	"strings"

	"github.com/abrkit/abrkit/abr/trace"
)

func ExampleParsePensieve() {
	tr, err := trace.ParsePensieve(strings.NewReader("0.0 2.0\n1.0 4.0\n3.0 1.0\n"), "example.txt")
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d samples, %v, mean %.1f Mbit/s\n", len(tr.Time), tr.Duration(), tr.MeanMbps())
	// Output: 3 samples, 3s, mean 2.0 Mbit/s
}

func ExampleParseSabre() {
	tr, _ := trace.ParseSabre(strings.NewReader(
		`[{"duration_ms": 2000, "bandwidth_kbps": 1500, "latency_ms": 50}]`), "4g.json")
	fmt.Println(tr.Time, tr.Mbps, tr.LatencyMs)
	// Output: [0 2] [1.5 1.5] [50 50]
}
