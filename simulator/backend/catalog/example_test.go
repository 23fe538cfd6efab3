package catalog_test

import (
	"context"
	"fmt"
	"time"

	"github.com/abrkit/abrkit/simulator/backend/catalog"
)

func ExampleCatalog_Home() {
	c, _ := catalog.New(catalog.Config{Titles: []string{"t1", "t2", "t3"}, HomeRows: 3, RowSize: 2,
		Sleep: func(context.Context, time.Duration) error { return nil }})
	ctx := context.Background()
	h, _, _ := c.Home(ctx, "ann")
	fmt.Println(len(h.Rows), h.Rows[0].Name, h.Fallback == "")
	// The datastore and the cache tier are lost: ann gets her last home,
	// a new viewer the generic one.
	_ = c.Datastore.Kill()
	for _, n := range c.Cache.Nodes() {
		_ = n.Kill()
	}
	h, _, _ = c.Home(ctx, "ann")
	fmt.Println(h.Fallback)
	h, _, _ = c.Home(ctx, "bob")
	fmt.Println(h.Fallback, len(h.Rows))
	// Output:
	// 3 Continue Watching true
	// stale
	// generic 3
}
