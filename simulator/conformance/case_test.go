package conformance

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/simulator/backend/control"
	"github.com/abrkit/abrkit/simulator/backend/topology"
	"github.com/abrkit/abrkit/simulator/scenario"
)

// The shared set-up of every case: one viewer in region eu, whose
// playback API answer ranks eu-1 then us-1 (one edge per region keeps
// the ranking identical in all drivers), a 20 s title of 2 s segments,
// a constant 3 Mbit/s access link with 20 ms round trips.
const (
	titleLength = 20 * time.Second
	segmentLen  = 2 * time.Second
	linkBps     = 3_000_000
	rtt         = 20 * time.Millisecond
	edgeBps     = 100_000_000
)

// window is a fault in force from At for For (after the viewer pressed
// play).
type window struct{ At, For time.Duration }

// step is a scripted user action after the first frame.
type step struct {
	At    time.Duration
	Seek  time.Duration // seek target when Pause is 0
	Pause time.Duration
}

// A Case is one situation every driver plays.
type Case struct {
	Name string
	// Collapse drops eu-1's capacity to CollapseBps while in force.
	Collapse    *window
	CollapseBps float64
	Kill        *window // eu-1 down
	Script      []step
	// Steer has the content-steering server swap the pathway priority to
	// us-1 first at Steer.At; only the drivers that can be pointed at a
	// steering server play it (see Drivers).
	Steer *steerSwap
	// MinAbandons is how many abandonments every driver must show.
	MinAbandons int
}

func cases() []Case {
	return []Case{
		{Name: "end_of_title"},
		{Name: "link_collapse", Collapse: &window{At: 7 * time.Second, For: 6 * time.Second}, CollapseBps: 300_000, MinAbandons: 1},
		{Name: "edge_killed", Kill: &window{At: 6 * time.Second, For: 5 * time.Second}},
		{Name: "seek", Script: []step{{At: 3 * time.Second, Seek: 14 * time.Second}}},
		{Name: "pause_resume", Script: []step{{At: 3 * time.Second, Pause: 4 * time.Second}}},
		{Name: "steering_reload", Steer: &steerSwap{At: 7 * time.Second, TTL: 2}},
	}
}

// steerSwap scripts the steering server: eu-1 first until At, then us-1
// first; reloads every TTL seconds.
type steerSwap struct {
	At  time.Duration
	TTL int
}

// manifest is the steering server's answer at time at.
func (s *steerSwap) manifest(at time.Duration) control.Manifest {
	prio := []string{"eu-1", "us-1"}
	if at >= s.At {
		prio = []string{"us-1", "eu-1"}
	}
	return control.Manifest{Version: 1, TTL: s.TTL, PathwayPriority: prio}
}

// live reports whether the live simulator plays the case: the reference
// backend's manifests name no steering server, so it cannot be scripted.
func (c Case) live() bool { return c.Steer == nil }

// scenarioOf writes the case as a scenario for the simulator's drivers.
func scenarioOf(t testing.TB, c Case) *scenario.Scenario {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, `name: conformance-%s
seed: 1
viewers: {count: 1, arrival: {process: instant}}
session: {watch_time: 10m, login: false, abandon_startup_after: 0s`, c.Name)
	if len(c.Script) > 0 {
		b.WriteString(", script: [")
		for i, st := range c.Script {
			if i > 0 {
				b.WriteString(", ")
			}
			if st.Pause > 0 {
				fmt.Fprintf(&b, "{at: %s, pause: %s}", st.At, st.Pause)
			} else {
				fmt.Fprintf(&b, "{at: %s, seek: %s}", st.At, st.Seek)
			}
		}
		b.WriteString("]")
	}
	fmt.Fprintf(&b, `}
content: {titles: 1, title_length: %s, segment_length: %s, format: hls}
regions: [{name: eu}]
networks: [{name: n, bandwidth: %d, rtt: %s}]
backend: {embedded: {topology: default, edge_capacity: %d, origin_latency: 1ms}}
`, titleLength, segmentLen, linkBps, rtt, edgeBps)
	var faults []string
	if w := c.Collapse; w != nil {
		faults = append(faults, fmt.Sprintf(`{at: %s, for: %s, target: "edge:eu-1", kind: slow, capacity: %g%%}`, w.At, w.For, c.CollapseBps/edgeBps*100))
	}
	if w := c.Kill; w != nil {
		faults = append(faults, fmt.Sprintf(`{at: %s, for: %s, target: "edge:eu-1", kind: down}`, w.At, w.For))
	}
	if len(faults) > 0 {
		b.WriteString("faults: [" + strings.Join(faults, ", ") + "]\n")
	}
	s, err := scenario.Parse([]byte(b.String()), c.Name+".yaml")
	if err != nil {
		t.Fatalf("case %s: %v\n%s", c.Name, err, b.String())
	}
	s.Topology = smallTopology()
	return s
}

// smallTopology is the default topology cut to eu-1 and us-1.
func smallTopology() *topology.Topology {
	t := topology.Default()
	t.Regions = t.Regions[:2]
	for i := range t.Regions {
		t.Regions[i].Edges = t.Regions[i].Edges[:1]
		t.Regions[i].Edges[0].Capacity = edgeBps
	}
	return t
}

// Trace is what a driver saw one session do.
type Trace struct {
	Levels   []int    // video level of each rendition switch, in order
	Servers  []string // server of each server change, in order
	Abandons int
	Startup  time.Duration // press play to first frame
	Stall    time.Duration
	Bitrate  float64 // time-weighted video bitrate played, bits/s
	Ended    bool
}

// recorder turns player events into a Trace; its caller serialises calls.
type recorder struct{ tr Trace }

func (r *recorder) event(e player.Event) {
	switch e.Kind {
	case player.EventRenditionSwitch:
		if e.Track == player.TrackVideo {
			r.tr.Levels = append(r.tr.Levels, e.Level)
		}
	case player.EventServerChange:
		r.tr.Servers = append(r.tr.Servers, e.Server)
	case player.EventAbandon:
		r.tr.Abandons++
	case player.EventFirstFrame:
		r.tr.Startup = e.At
	case player.EventEnded:
		r.tr.Ended = true
	}
}

func (r *recorder) finish(q player.QoE) Trace {
	r.tr.Stall, r.tr.Bitrate = q.StallTime, q.AvgBitrate
	return r.tr
}
