package control

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/abrkit/abrkit/simulator/backend/edge"
	"github.com/abrkit/abrkit/simulator/backend/queue"
)

func state(id, region string, seen time.Duration, mod func(*EdgeState)) EdgeState {
	s := EdgeState{Report: edge.Report{ID: id, Region: region, URL: "http://" + id, Healthy: true, MaxConnections: 100, CapacityBps: 1e9}, LastSeen: t0.Add(seen)}
	if mod != nil {
		mod(&s)
	}
	return s
}

func ids(r []Ranked) []string {
	out := make([]string, len(r))
	for i, e := range r {
		out[i] = e.ID
	}
	return out
}

func TestRank(t *testing.T) {
	now := t0.Add(10 * time.Second)
	stale := 2 * time.Second
	tests := []struct {
		name   string
		edges  []EdgeState
		region string
		want   []string
	}{
		{"region first", []EdgeState{state("us-1", "us", 10*time.Second, nil), state("eu-1", "eu", 10*time.Second, nil)}, "eu", []string{"eu-1", "us-1"}},
		{"stale dropped", []EdgeState{state("eu-1", "eu", 7*time.Second, nil), state("eu-2", "eu", 9*time.Second, nil)}, "eu", []string{"eu-2"}},
		{"unhealthy dropped", []EdgeState{state("eu-1", "eu", 10*time.Second, func(s *EdgeState) { s.Healthy = false })}, "eu", []string{}},
		{"load", []EdgeState{
			state("eu-1", "eu", 10*time.Second, func(s *EdgeState) { s.Active = 80 }),
			state("eu-2", "eu", 10*time.Second, func(s *EdgeState) { s.Active = 10 }),
		}, "eu", []string{"eu-2", "eu-1"}},
		{"errors", []EdgeState{
			state("eu-1", "eu", 10*time.Second, func(s *EdgeState) { s.ErrorRatio = 0.5 }),
			state("eu-2", "eu", 10*time.Second, func(s *EdgeState) { s.Active = 30 }),
		}, "eu", []string{"eu-2", "eu-1"}},
		{"cached", []EdgeState{
			state("eu-1", "eu", 10*time.Second, nil),
			state("eu-2", "eu", 10*time.Second, func(s *EdgeState) { s.Titles = []string{"t1"} }),
		}, "eu", []string{"eu-2", "eu-1"}},
		{"overloaded home edge sinks below a remote one", []EdgeState{
			state("eu-1", "eu", 10*time.Second, func(s *EdgeState) { s.EgressBps = 0.99e9 }),
			state("us-1", "us", 10*time.Second, nil),
		}, "eu", []string{"us-1", "eu-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(Rank(tt.edges, tt.region, "t1", now, stale))
			if len(got) != len(tt.want) {
				t.Fatalf("Rank() = %v; want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("Rank() = %v; want %v", got, tt.want)
				}
			}
		})
	}
}

func TestRankSpreadsTitles(t *testing.T) {
	var edges []EdgeState
	for _, id := range []string{"eu-1", "eu-2", "eu-3"} {
		edges = append(edges, state(id, "eu", 0, nil))
	}
	top := map[string]int{}
	for i := 0; i < 60; i++ {
		top[Rank(edges, "eu", "t"+string(rune('A'+i)), t0, time.Minute)[0].ID]++
	}
	for _, id := range []string{"eu-1", "eu-2", "eu-3"} {
		if top[id] < 8 {
			t.Errorf("edge %s is top for %d of 60 titles; want a fair share (%v)", id, top[id], top)
		}
	}
}

func TestSteeringManifest(t *testing.T) {
	now := t0
	s := NewSteering(2*time.Second, 10*time.Second, func() time.Time { return now })
	s.Report(edge.Report{ID: "eu-1", Region: "eu", URL: "http://a", Healthy: true})
	s.Report(edge.Report{ID: "us-1", Region: "us", URL: "http://b", Healthy: true})
	m := s.Manifest("http://gw", "t1", "us", "abc")
	if m.Version != 1 || m.TTL != 10 || m.ReloadURI != "http://gw/v1/steering/t1?region=us&session=abc" || len(m.PathwayPriority) != 2 || m.PathwayPriority[0] != "us-1" {
		t.Errorf("Manifest() = %+v", m)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/v1/steering/t1?_HLS_pathway=us-1", nil)
	req.SetPathValue("title", "t1")
	s.serveManifest(rec, req, "http://gw")
	if !strings.Contains(rec.Body.String(), `"PATHWAY-PRIORITY":["us-1","eu-1"]`) {
		t.Errorf("steering without region from pathway us-1 = %s; want us-1 first", rec.Body)
	}
	now = now.Add(3 * time.Second)
	s.Report(edge.Report{ID: "eu-1", Region: "eu", URL: "http://a", Healthy: true})
	if m := s.Manifest("http://gw", "t1", "us", ""); len(m.PathwayPriority) != 1 || m.PathwayPriority[0] != "eu-1" {
		t.Errorf("Manifest() after us-1 went silent = %+v; want eu-1 only", m)
	}
}

func TestTelemetryDropsCounted(t *testing.T) {
	tel := NewTelemetry(queue.NewPipeline(1, 3, nil, false))
	r := tel.Offer(EventsRequest{Events: make([]Event, 5)})
	if r.Accepted != 3 || r.Dropped != 2 {
		t.Errorf("Offer(5 into 3) = %+v; want 3 accepted, 2 dropped", r)
	}
	if n := tel.Drain(); n != 3 {
		t.Errorf("Drain() = %d; want 3", n)
	}
	st := tel.Stats()
	if st.Accepted != 3 || st.Dropped != 2 || st.Processed != 3 || st.Queued != 0 {
		t.Errorf("Stats() = %+v", st)
	}
}
