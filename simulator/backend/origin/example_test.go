package origin_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/abrkit/abrkit/simulator/backend/origin"
	"github.com/abrkit/abrkit/simulator/backend/packager"
)

func ExampleNewPackagerSource() {
	src, err := origin.NewPackagerSource(packager.DefaultCatalog(3))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range src.Titles() {
		fmt.Println(t.ID, t.HLS, t.DASH)
	}
	master, _ := src.Open(context.Background(), "t2", "master.m3u8")
	fmt.Println(strings.SplitN(string(master), "\n", 2)[0])
	_, err = src.Open(context.Background(), "t2", "../t1/master.m3u8")
	fmt.Println(err)
	// Output:
	// t1 master.m3u8 manifest.mpd
	// t2 master.m3u8 manifest.mpd
	// t3 master.m3u8 manifest.mpd
	// #EXTM3U
	// t2/../t1/master.m3u8: not found
}
