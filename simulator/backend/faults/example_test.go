package faults_test

import (
	"fmt"
	"time"

	"github.com/abrkit/abrkit/simulator/backend/faults"
)

type printTarget string

func (p printTarget) Kill() error    { fmt.Println(string(p), "killed"); return nil }
func (p printTarget) Restart() error { fmt.Println(string(p), "restarted"); return nil }
func (p printTarget) Impair(i faults.Impairment) {
	fmt.Println(string(p), "latency", i.Latency)
}

func ExampleController_Schedule() {
	c := faults.NewController()
	c.Register("eu-1", printTarget("eu-1"))
	start := time.Unix(0, 0)
	_ = c.Schedule(start.Add(10*time.Second), faults.Fault{Target: "eu-1", Kind: faults.Kill})
	_ = c.Schedule(start.Add(5*time.Second), faults.Fault{Target: "eu-1", Kind: faults.Slow, Latency: 300 * time.Millisecond})
	for s := 0; s <= 10; s += 5 {
		_, _ = c.Tick(start.Add(time.Duration(s) * time.Second))
	}
	// Output:
	// eu-1 latency 300ms
	// eu-1 killed
}
