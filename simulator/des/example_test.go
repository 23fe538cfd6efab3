package des_test

import (
	"fmt"
	"time"

	"github.com/abrkit/abrkit/simulator/des"
)

func ExampleEngine() {
	e := des.New()
	const tick uint8 = 1
	e.Schedule(2*time.Second, tick, 7, 0)
	e.Schedule(time.Second, tick, 3, 0)
	e.RunUntil(time.Minute, func(ev des.Event) {
		fmt.Println(ev.At, "viewer", ev.ID)
	}, nil)
	// Output:
	// 1s viewer 3
	// 2s viewer 7
}
