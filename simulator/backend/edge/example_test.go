package edge_test

import (
	"context"
	"fmt"

	"github.com/abrkit/abrkit/simulator/backend/edge"
)

func ExampleCache() {
	c := edge.NewCache(1 << 20)
	fill := func(context.Context) ([]byte, error) { return make([]byte, 600<<10), nil }
	ctx := context.Background()
	for _, f := range []string{"seg_1.m4s", "seg_1.m4s", "seg_2.m4s", "seg_1.m4s"} {
		_, out, _ := c.Get(ctx, "t1", f, fill)
		fmt.Println(f, out)
	}
	st := c.Stats()
	fmt.Println("items", st.Items, "evictions", st.Evictions)
	// Output:
	// seg_1.m4s miss
	// seg_1.m4s hit
	// seg_2.m4s miss
	// seg_1.m4s miss
	// items 1 evictions 2
}
