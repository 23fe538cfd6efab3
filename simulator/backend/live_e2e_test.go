package backend

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/simulator/backend/control"
	"github.com/abrkit/abrkit/simulator/backend/topology"
)

// TestLiveChannelEndToEnd plays the default LL-HLS channel through the
// playback API and an edge: listed as live, a blocking playlist reload
// answered when its part exists, the part served.
func TestLiveChannelEndToEnd(t *testing.T) {
	h := start(t, smallTopology(t, func(topo *topology.Topology) {
		topo.Channels = []topology.Channel{topology.DefaultChannel()}
	}), nil)
	h.login()
	_, data := h.do("GET", h.b.GatewayURL()+"/v1/titles", h.token, "")
	var tr control.TitlesResponse
	if err := json.Unmarshal(data, &tr); err != nil || len(tr.Titles) != 3 || !tr.Titles[2].Live || tr.Titles[0].Live {
		t.Fatalf("GET /v1/titles = %s; want t1, t2 and the live channel", data)
	}
	code, pr := h.play("live")
	if code != 200 || !pr.Live || !strings.HasSuffix(pr.HLS, "/live/master.m3u8") {
		t.Fatalf("play(live) = %d %+v", code, pr)
	}
	_, master := h.do("GET", pr.HLS, "", "")
	media := strings.TrimSuffix(pr.HLS, "master.m3u8") + firstURI(t, master, ".m3u8")
	_, pl := h.do("GET", media, "", "")
	if !strings.Contains(string(pl), "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part_16_0.m4s\"") {
		t.Fatalf("live media playlist:\n%s", pl)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan string, 1)
	go func() {
		_, b := h.do("GET", media+"?_HLS_msn=16&_HLS_part=0", "", "")
		done <- string(b)
	}()
	if err := h.clock.BlockUntil(ctx, 1); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(500 * time.Millisecond)
	if got := <-done; !strings.Contains(got, "URI=\"part_16_0.m4s\",INDEPENDENT=YES\n") {
		t.Fatalf("blocking reload through the edge:\n%s", got)
	}
	resp, part := h.do("GET", strings.TrimSuffix(media, "media.m3u8")+"part_16_0.m4s", "", "")
	if resp.StatusCode != 200 || len(part) < 100 || string(part[4:8]) != "moof" {
		t.Errorf("part_16_0 = %d, %d bytes %q", resp.StatusCode, len(part), part[:min(8, len(part))])
	}
	var st int64
	for _, e := range h.b.Edges {
		st += e.LiveStats().Fetches
	}
	if st == 0 {
		t.Errorf("no edge fetched live objects")
	}
}
