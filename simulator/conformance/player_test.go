package conformance

import (
	"context"
	"fmt"
	"github.com/abrkit/abrkit/clock"
	"sync"
	"testing"
	"time"

	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/steering"
	"github.com/abrkit/abrkit/simulator/backend/packager"
	"github.com/abrkit/abrkit/simulator/policy"
	"github.com/abrkit/abrkit/simulator/scenario"
)

// scale is how much faster than the wall clock the player's cases run.
// It is 1: on a loaded machine every millisecond the scheduler withholds
// is scale milliseconds of player time, and at 4x the start-up and the
// first throughput samples drifted beyond the tolerances. The matrix gets
// its speed from running all cases at once instead.
const scale = 1

// title is the case's packaged title, the one the simulator's catalog
// makes for t1.
func title(t testing.TB) *packager.Package {
	t.Helper()
	ct := packager.DefaultCatalog(1).Titles[0]
	ct.Duration, ct.SegmentDuration = titleLength, segmentLen
	p, err := packager.Build(ct)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// runPlayer plays the case with the SDK's player.Player over loopback
// against two shaping edges (eu-1 ranked first, us-1), in scaled time.
func runPlayer(t testing.TB, c Case, s *scenario.Scenario, pkg *packager.Package) (Trace, error) {
	clk := clock.NewScaled(scale)
	t0 := clk.Now()
	eu1 := newShaper(t, pkg, clk, t0, c, true)
	us1 := newShaper(t, pkg, clk, t0, c, false)
	if c.Steer != nil {
		uri := newSteeringServer(t, clk, t0, c.Steer).URL + "/v1/steering/t1"
		eu1.steerURI, us1.steerURI = uri, uri
	}
	bp, err := policy.BufferPolicy(s)
	if err != nil {
		return Trace{}, err
	}
	algo, err := policy.NewABR(s.Devices[0].ABR)
	if err != nil {
		return Trace{}, err
	}
	var (
		mu    sync.Mutex
		rec   recorder
		first = make(chan struct{})
		once  sync.Once
	)
	listener := player.ListenerFunc(func(e player.Event) {
		mu.Lock()
		rec.event(e)
		mu.Unlock()
		if e.Kind == player.EventFirstFrame {
			once.Do(func() { close(first) })
		}
	})
	edges := []steering.Edge{{ID: "eu-1", URL: eu1.srv.URL + "/t1/"}, {ID: "us-1", URL: us1.srv.URL + "/t1/"}}
	p, err := player.New(player.WithEdges(edges), player.WithClock(clk), player.WithListener(listener),
		player.WithBufferPolicy(bp), player.WithABR(algo))
	if err != nil {
		return Trace{}, err
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*titleLength/scale+10*time.Second)
	defer cancel()
	if err := p.Load(ctx, eu1.srv.URL+"/t1/"+packager.MasterPlaylist); err != nil {
		return Trace{}, fmt.Errorf("player: Load: %w", err)
	}
	go script(ctx, p, clk, c.Script, first)
	if err := p.Wait(ctx); err != nil {
		return Trace{}, fmt.Errorf("player: Wait: %w", err)
	}
	mu.Lock()
	defer mu.Unlock()
	return rec.finish(p.QoE()), nil
}

// script carries out the case's user actions, timed from the first frame.
func script(ctx context.Context, p *player.Player, clk clock.Clock, steps []step, first <-chan struct{}) {
	select {
	case <-first:
	case <-ctx.Done():
		return
	}
	start := clk.Now()
	wait := func(d time.Duration) bool {
		if d <= 0 {
			return true
		}
		tm := clk.NewTimer(d)
		defer tm.Stop()
		select {
		case <-tm.C():
			return true
		case <-ctx.Done():
			return false
		}
	}
	for _, st := range steps {
		if !wait(st.At - clk.Now().Sub(start)) {
			return
		}
		if st.Pause == 0 {
			p.Seek(st.Seek)
			continue
		}
		p.Pause()
		if !wait(st.Pause) {
			return
		}
		p.Play()
	}
}
