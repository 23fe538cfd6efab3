package arrival_test

import (
	"fmt"
	"time"

	"github.com/abrkit/abrkit/simulator/arrival"
	"github.com/abrkit/abrkit/simulator/scenario"
)

func ExampleTimes() {
	// 2 viewers per second, paced like vegeta's ConstantPacer.
	constant := scenario.Arrival{Process: "constant", Rate: 2}
	ts, err := arrival.Times(constant, 5, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range ts {
		fmt.Print(t.Round(10*time.Millisecond), " ")
	}
	fmt.Println()
	// Output: 500ms 1s 1.5s 2s 2.5s
}
