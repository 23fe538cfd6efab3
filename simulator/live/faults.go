package live

import (
	"fmt"
	"time"

	"github.com/abrkit/abrkit/simulator/backend/control"
	"github.com/abrkit/abrkit/simulator/backend/faults"
	"github.com/abrkit/abrkit/simulator/results"
	"github.com/abrkit/abrkit/simulator/scenario"
)

// scheduleFaults hands the scenario's fault schedule, relative to start,
// to schedule: the embedded backend's fault controller, or a running
// backend's admin API.
func scheduleFaults(schedule func(at time.Time, f faults.Fault) error, s *scenario.Scenario, start time.Time) ([]results.FaultMark, error) {
	var marks []results.FaultMark
	for i, f := range s.Faults {
		t, err := scenario.ParseTarget(f.Target)
		if err != nil {
			return nil, err
		}
		var targets []string
		browse := t.Kind == "service" && scenario.IsCatalogTarget(t.Name)
		switch t.Kind {
		case "edge":
			targets = []string{t.Name}
		case "region":
			if r, ok := s.Topology.Region(t.Name); ok {
				for _, e := range r.Edges {
					targets = append(targets, e.ID)
				}
			}
		case "service":
			targets = []string{control.SvcPlayback}
			if t.Name == "login" {
				targets = []string{control.SvcAuth}
			}
			if browse {
				// a browse-plane dependency (cache node, datastore,
				// heartbeat consumers) the gateway registered by name
				targets = []string{t.Name}
			}
		}
		on, off := faults.Fault{}, faults.Fault{Kind: faults.Clear}
		switch f.Kind {
		case "down":
			on.Kind, off.Kind = faults.Kill, faults.Restart
			if t.Kind == "service" && !browse {
				on = faults.Fault{Kind: faults.Fail, ErrorRate: 1, Status: 503}
				off.Kind = faults.Clear
			}
		case "slow":
			on = faults.Fault{Kind: faults.Slow, Latency: f.Latency.D()}
			if t.Kind != "service" && s.Has(fmt.Sprintf("faults[%d].capacity", i)) {
				if e, ok := s.Topology.Edge(targets[0]); ok {
					on.BandwidthBps = max(1, int64(float64(e.Capacity)*float64(f.Capacity)))
				}
			}
		case "errors":
			on = faults.Fault{Kind: faults.Fail, ErrorRate: float64(f.ErrorRate), Status: 503}
		}
		for _, name := range targets {
			on.Target, off.Target = name, name
			if err := schedule(start.Add(f.At.D()), on); err != nil {
				return nil, fmt.Errorf("faults[%d]: %w", i, err)
			}
			if f.For > 0 {
				if err := schedule(start.Add(f.At.D()+f.For.D()), off); err != nil {
					return nil, fmt.Errorf("faults[%d]: %w", i, err)
				}
			}
		}
		m := results.FaultMark{StartS: f.At.D().Seconds(), Target: f.Target, Kind: f.Kind}
		if f.For > 0 {
			m.EndS = (f.At + f.For).D().Seconds()
		}
		marks = append(marks, m)
	}
	return marks, nil
}
