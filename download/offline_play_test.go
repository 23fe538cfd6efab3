package download

import (
	"context"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/player"
)

// A completed download plays to the end in the real player with the
// origin gone: the offline manifest and LocalFetcher are all it needs.
func TestOfflinePlaybackInPlayer(t *testing.T) {
	pkg := testTitle(t, 8*time.Second)
	o := newOrigin(t, pkg)
	m := startManager(t, testConfig(t))
	id, _ := m.Add(Request{URL: o.url("master.m3u8")})
	if d := await(t, m, id); d.State != StateCompleted {
		t.Fatalf("state %s %q", d.State, d.Err)
	}
	o.srv.Close()
	off, err := m.Offline(id)
	if err != nil {
		t.Fatal(err)
	}
	defer off.Close()
	p, err := player.New(player.WithFetcher(off.Fetcher), player.WithClock(clock.NewScaled(100)))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.Load(ctx, off.ManifestURL); err != nil {
		t.Fatalf("Load(%s) = %v", off.ManifestURL, err)
	}
	if err := p.Wait(ctx); err != nil {
		t.Fatalf("offline playback: %v (status %v)", err, p.Status())
	}
	if q := p.QoE(); q.PositionSeconds < 7.5 {
		t.Errorf("played to %.1f s; want the whole 8 s", q.PositionSeconds)
	}
}
