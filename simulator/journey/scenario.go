package journey

import (
	"fmt"
	"strings"

	"github.com/abrkit/abrkit/simulator/scenario"
)

// FromScenario returns the scenario's journey: the default one, a file
// relative to the scenario, or the journey written inline; nil when the
// scenario has none.
func FromScenario(s *scenario.Scenario) (*Journey, error) {
	ref := s.Journey
	switch {
	case ref == nil:
		return nil, nil
	case ref.Node != nil:
		return ParseNode(ref.Node, s.File)
	case ref.Path == "default":
		return Default(), nil
	case ref.Path == "":
		return nil, fmt.Errorf("%w: journey: want default, a file or a journey", ErrInvalid)
	}
	return Load(s.Resolve(ref.Path))
}

// Check parses the scenario's journey and checks that its objectives name
// its steps; pass it to scenario.WithJourneyCheck.
func Check(s *scenario.Scenario) error {
	j, err := FromScenario(s)
	if err != nil || j == nil {
		return err
	}
	for _, o := range s.Objectives() {
		step, ok := StepOfMetric(o.Metric)
		if ok && j.Steps[step] == nil && step != "login" && step != "play" && step != "events" {
			return fmt.Errorf("%w: SLO %q: the journey has no step %q", ErrInvalid, o.Expr, step)
		}
	}
	return nil
}

// StepOfMetric returns the step of api.<step>.latency,
// api.<step>.availability or api.<step>.errors.rate.
func StepOfMetric(metric string) (string, bool) {
	rest, ok := strings.CutPrefix(metric, "api.")
	if !ok {
		return "", false
	}
	step, _, ok := strings.Cut(rest, ".")
	return step, ok
}

// Routes of the reference backend that virtual mode models.
const (
	RouteWait      = ""          // the step sends nothing
	RouteLogin     = "login"     // POST /v1/login
	RouteHome      = "home"      // GET /v1/home
	RouteRows      = "rows"      // GET /v1/rows/{id}
	RouteSearch    = "search"    // GET /v1/search
	RouteDetails   = "details"   // GET /v1/titles/{id}
	RoutePlay      = "play"      // POST /v1/play
	RouteHeartbeat = "heartbeat" // POST /v1/heartbeat
)

// Route names the reference backend's service a step's request goes to,
// from its method and path; an error for requests to anything else
// (virtual mode models only the reference backend).
func Route(s *Step) (string, error) {
	if s.Request == nil {
		return RouteWait, nil
	}
	u := strings.TrimPrefix(s.Request.URL, "{{base}}")
	u, _, _ = strings.Cut(u, "?")
	m := s.Request.Method
	switch {
	case m == "POST" && u == "/v1/login":
		return RouteLogin, nil
	case m == "GET" && u == "/v1/home":
		return RouteHome, nil
	case m == "GET" && strings.HasPrefix(u, "/v1/rows/"):
		return RouteRows, nil
	case m == "GET" && u == "/v1/search":
		return RouteSearch, nil
	case m == "GET" && strings.HasPrefix(u, "/v1/titles/"):
		return RouteDetails, nil
	case m == "POST" && u == "/v1/play":
		return RoutePlay, nil
	case m == "POST" && u == "/v1/heartbeat":
		return RouteHeartbeat, nil
	}
	return "", fmt.Errorf("%w: step %s (line %d): %s %s is not a route of the reference backend; virtual mode models /v1/login, /v1/home, /v1/rows/ID, /v1/search, /v1/titles/ID, /v1/play and /v1/heartbeat (live mode drives any HTTP service)",
		ErrInvalid, s.Name, s.Line, m, s.Request.URL)
}
