package results_test

import (
	"fmt"
	"time"

	"github.com/abrkit/abrkit/simulator/results"
	"github.com/abrkit/abrkit/simulator/slo"
)

func ExampleResults_Merge() {
	shard := func(i int, startup float64) *results.Results {
		r := results.New(5 * time.Second)
		r.Scenario, r.Shards = "demo", []int{i}
		r.Records = []results.Record{{Viewer: i, Started: true, StartupS: startup}}
		r.Classes[results.ClassPlay].Add(time.Duration(startup*float64(time.Second))/2, false)
		return r
	}
	all := shard(0, 0.5)
	if err := all.Merge(shard(1, 2.5)); err != nil {
		fmt.Println(err)
		return
	}
	o, _ := slo.Parse("startup_time.max < 2s")
	all.Objectives = []slo.Objective{o}
	for _, v := range all.Verdicts() {
		fmt.Println(v.Expr, v.ObservedText, v.Held)
	}
	// Output: startup_time.max < 2s 2.5s false
}
