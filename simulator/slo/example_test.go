package slo_test

import (
	"fmt"

	"github.com/abrkit/abrkit/simulator/slo"
)

type observed map[string]float64

func (o observed) Value(metric, stat string) (float64, bool) {
	v, ok := o[metric+"."+stat]
	return v, ok
}

func ExampleEvaluate() {
	o, err := slo.Parse("startup_time.p95 < 2s")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range slo.Evaluate([]slo.Objective{o}, observed{"startup_time.p95": 2.4}) {
		fmt.Println(v.Expr, v.ObservedText, v.Held)
	}
	// Output: startup_time.p95 < 2s 2.4s false
}
