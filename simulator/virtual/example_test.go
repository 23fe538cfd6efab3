package virtual_test

import (
	"fmt"
	"time"

	"github.com/abrkit/abrkit/simulator/scenario"
	"github.com/abrkit/abrkit/simulator/virtual"
)

func ExampleRun() {
	s, err := scenario.Parse([]byte(`
viewers: {count: 20, arrival: {process: constant, rate: 10/s}}
session: {watch_time: 30s}
networks: [{name: cable, bandwidth: 20Mbps, rtt: 30ms}]
slos: ["play_failures.rate < 1%"]
`), "example.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := virtual.Run(s, virtual.Options{Clock: func() time.Time { return time.Time{} }})
	if err != nil {
		fmt.Println(err)
		return
	}
	sum := res.Summarize()
	fmt.Println(sum.Sessions.Total, "sessions,", sum.Sessions.Started, "started, passed:", sum.Passed)
	// Output: 20 sessions, 20 started, passed: true
}
