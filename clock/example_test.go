package clock_test

import (
	"fmt"
	"time"

	"github.com/abrkit/abrkit/clock"
)

// A Fake clock moves only when told; its timers fire as it passes them.
func ExampleFake() {
	c := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	t := c.NewTimer(2 * time.Second)
	c.Advance(2 * time.Second)
	fmt.Println((<-t.C()).Format(time.TimeOnly))
	// Output: 00:00:02
}
