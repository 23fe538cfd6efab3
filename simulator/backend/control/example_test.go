package control_test

import (
	"fmt"
	"time"

	"github.com/abrkit/abrkit/simulator/backend/control"
	"github.com/abrkit/abrkit/simulator/backend/edge"
)

func ExampleRank() {
	now := time.Unix(1000, 0)
	seen := func(id, region string, active int, titles ...string) control.EdgeState {
		return control.EdgeState{Report: edge.Report{ID: id, Region: region, Healthy: true, Active: active,
			MaxConnections: 100, Titles: titles}, LastSeen: now}
	}
	edges := []control.EdgeState{
		seen("us-1", "us", 0),
		seen("eu-1", "eu", 50),
		seen("eu-2", "eu", 5, "t1"),
		{Report: edge.Report{ID: "eu-3", Region: "eu", Healthy: true}, LastSeen: now.Add(-time.Minute)}, // silent: dropped
	}
	for _, r := range control.Rank(edges, "eu", "t1", now, 2*time.Second) {
		fmt.Printf("%s %.0f\n", r.ID, r.Score)
	}
	// Output:
	// eu-2 -12
	// eu-1 50
	// us-1 1004
}

func ExampleBreaker() {
	b := control.NewBreaker(2, 5*time.Second)
	t := time.Unix(0, 0)
	b.Record(false, t)
	b.Record(false, t)
	ok, wait := b.Allow(t.Add(time.Second))
	fmt.Println(b.State(), ok, wait)
	ok, _ = b.Allow(t.Add(5 * time.Second))
	fmt.Println(b.State(), ok)
	b.Record(true, t.Add(5*time.Second))
	fmt.Println(b.State())
	// Output:
	// open false 4s
	// half-open true
	// closed
}
