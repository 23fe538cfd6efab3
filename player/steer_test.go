package player

import (
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/player/steering"
	"github.com/abrkit/abrkit/player/transport"
)

var twoEdges = []steering.Edge{{ID: "a", URL: "http://a.test/"}, {ID: "b", URL: "http://b.test/"}}

func TestCoreFailoverWithFullBuffer(t *testing.T) {
	p := content(100, 2*time.Second, ladder...)
	s := newSim(t, CoreConfig{Edges: twoEdges}, 10e6)
	down := func(now time.Duration) bool { return now >= 40*time.Second && now < 45*time.Second }
	s.fail = func(a Action, now time.Duration) bool { return a.Server == "a" && down(now) }
	s.c.LoadPresentation(0, p)
	s.run(40 * time.Second)
	if s.c.Server() != "a" {
		t.Fatalf("server before the failure = %q; want a", s.c.Server())
	}
	s.run(48 * time.Second)
	q := s.c.QoE(s.now)
	if q.Stalls != 0 {
		t.Errorf("stalls = %d; want 0 (the buffer covers the failover)\n%s", q.Stalls, s.log())
	}
	e, ok := s.first(EventServerChange)
	if !ok || e.FromServer != "a" || e.Server != "b" {
		t.Fatalf("server change event = %+v (found %v); want a -> b\n%s", e, ok, s.log())
	}
	if e.At < 40*time.Second {
		t.Errorf("server change at %v; want after the failure at 40s", e.At)
	}
	for _, a := range s.fetch {
		if a.Server == "b" && !strings.HasPrefix(a.URL, "http://b.test/") {
			t.Errorf("request on server b goes to %s", a.URL)
		}
	}
	// The penalty expires: requests return to the preferred server a.
	s.run(300 * time.Second)
	if s.c.Server() != "a" {
		t.Errorf("server after the penalty = %q; want a\n%s", s.c.Server(), s.log())
	}
	if got := s.c.QoE(s.now).ServerChanges; got != 2 {
		t.Errorf("server changes = %d; want 2 (a->b, b->a)", got)
	}
	if s.c.State() != StateEnded {
		t.Errorf("state = %v; want ended", s.c.State())
	}
}

func TestCoreAllServersDownIsFatal(t *testing.T) {
	p := content(100, 2*time.Second, ladder...)
	s := newSim(t, CoreConfig{Edges: twoEdges}, 10e6)
	s.fail = func(a Action, now time.Duration) bool { return now >= 20*time.Second }
	s.c.LoadPresentation(0, p)
	s.run(10 * time.Minute)
	if s.c.State() != StateFailed {
		t.Fatalf("state = %v; want failed\n%s", s.c.State(), s.log())
	}
	var fatal int
	for _, e := range s.events {
		if e.Kind == EventError && e.Fatal {
			fatal++
		}
	}
	if fatal != 1 {
		t.Errorf("fatal error events = %d; want 1", fatal)
	}
	if q := s.c.QoE(s.now); q.FatalError == "" || q.Errors < DefaultMaxRetries {
		t.Errorf("qoe errors = %d fatal %q", q.Errors, q.FatalError)
	}
}

func TestCoreSteeringManifest(t *testing.T) {
	p := content(100, 2*time.Second, ladder...)
	reloads := 0
	cfg := CoreConfig{NewSelector: func(now time.Duration, p *manifest.Presentation) (steering.Selector, error) {
		return steering.New(steering.Config{Edges: twoEdges, Presentation: p,
			SteeringURI: "http://steer.test/s.json", ProbeCount: -1}, now)
	}}
	s := newSim(t, cfg, 10e6)
	s.body = func(a Action) Outcome {
		if a.Kind != transport.KindSteering {
			t.Fatalf("unexpected body request %v", a)
		}
		reloads++
		prio := `["a","b"]`
		if reloads >= 2 {
			prio = `["b","a"]`
		}
		return Outcome{Status: 200, Body: []byte(`{"VERSION":1,"TTL":10,"PATHWAY-PRIORITY":` + prio + `}`)}
	}
	s.c.LoadPresentation(0, p)
	s.run(5 * time.Second)
	if reloads != 1 || s.c.Server() != "a" {
		t.Fatalf("after start: %d reloads, server %q; want 1 and a", reloads, s.c.Server())
	}
	s.run(12 * time.Second)
	if reloads != 2 {
		t.Fatalf("reloads after the TTL = %d; want 2", reloads)
	}
	if s.c.Server() != "b" {
		t.Errorf("server after reordering = %q; want b\n%s", s.c.Server(), s.log())
	}
	e, ok := s.first(EventServerChange)
	if !ok || e.Reason != "steering" {
		t.Errorf("server change = %+v; want reason steering", e)
	}
	s.run(35 * time.Second)
	if reloads < 4 {
		t.Errorf("reloads by 35s = %d; want every TTL (>= 4)", reloads)
	}
}

func selectorWithSteering(now time.Duration, p *manifest.Presentation) (steering.Selector, error) {
	return steering.New(steering.Config{Edges: twoEdges, Presentation: p,
		SteeringURI: "http://steer.test/s.json", ProbeCount: -1}, now)
}
