package live_test

import (
	"context"
	"fmt"
	"time"

	"github.com/abrkit/abrkit/simulator/live"
	"github.com/abrkit/abrkit/simulator/scenario"
)

// Run plays a small scenario with real players against the reference
// backend, started on loopback for the run (it takes real time).
func ExampleRun() {
	s, err := scenario.Load("scenarios/quickstart.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := live.Run(ctx, s, live.Options{Viewers: 10, WatchTime: 20 * time.Second})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Summarize().Passed)
}
