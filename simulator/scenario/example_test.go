package scenario_test

import (
	"fmt"

	"github.com/abrkit/abrkit/simulator/scenario"
)

func ExampleParse() {
	s, err := scenario.Parse([]byte(`
viewers: {count: 500, arrival: {process: constant, rate: 50/s}}
slos: ["startup_time.p95 < 2s"]
`), "demo.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Name, s.Viewers.Count, s.Viewers.Arrival.Rate, s.SLOs[0].Objective.Metric)

	_, err = scenario.Parse([]byte("viewers:\n  count: 5\n  arival: {}\n"), "bad.yaml")
	fmt.Println(err)
	// Output:
	// demo 500 50 startup_time
	// bad.yaml:3:3: viewers.arival: unknown field "arival" (known: count, arrival)
}
