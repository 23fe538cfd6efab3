package journey_test

import (
	"fmt"

	"github.com/abrkit/abrkit/simulator/journey"
)

func ExampleParse() {
	src := `
steps:
  login:
    request: {method: POST, url: "{{base}}/login", body: '{"user":"{{member}}"}'}
    extract: {token: token}
    next: {browse: 1}
  browse:
    request: {url: "{{base}}/titles", headers: {Authorization: "Bearer {{token}}"}}
    think: {dist: lognormal, median: 10s, sigma: 0.6}
    next: {browse: 0.8, exit: 0.2}
slos: ["api.browse.latency.p99 < 300ms"]
`
	j, err := journey.Parse([]byte(src), "mine.yaml")
	fmt.Println(j.Start, j.Order, j.SLOs, err)
	_, err = journey.Parse([]byte("steps:\n  a:\n    next: {b: 1}\n"), "bad.yaml")
	fmt.Println(err)
	// Output:
	// login [login browse] [api.browse.latency.p99 < 300ms] <nil>
	// bad.yaml:2: steps.a.next: no step "b"
}
