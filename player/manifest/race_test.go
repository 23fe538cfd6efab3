package manifest

import (
	"sync"
	"testing"
	"time"
)

// TestSharedPresentation runs many "viewers" on one parsed presentation at
// once, as the simulator does; with -race it proves nothing is written to
// shared state.
func TestSharedPresentation(t *testing.T) {
	dash, err := ParseDASH(mustRead(t, "testdata/dash/dynamic_number.mpd"), "https://o.example/live.mpd")
	if err != nil {
		t.Fatal(err)
	}
	media, err := ParseHLSMedia(mustRead(t, "testdata/hls/vod_fmp4.m3u8"), "https://o.example/v.m3u8")
	if err != nil {
		t.Fatal(err)
	}
	master, err := ParseHLS(mustRead(t, "testdata/hls/master.m3u8"), "https://o.example/m.m3u8")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for v := 0; v < 8; v++ {
		wg.Add(1)
		go func(v int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				r := dash.Periods[0].Sets[0].Renditions[0] // viewer's copy
				now := dash.AvailabilityStart.Add(time.Duration(60+v*7+i) * time.Second)
				if len(r.SegmentsAt(now)) == 0 {
					t.Errorf("viewer %d: empty window at %v", v, now)
					return
				}
				h := master.Periods[0].Sets[0].Renditions[1]
				h.ApplyMedia(media)
				if len(h.Segments) != len(media.Segments) || !h.Loaded {
					t.Errorf("viewer %d: ApplyMedia gave %d segments", v, len(h.Segments))
					return
				}
			}
		}(v)
	}
	wg.Wait()
	if master.Periods[0].Sets[0].Renditions[1].Loaded {
		t.Error("ApplyMedia on a copy changed the shared presentation")
	}
}
