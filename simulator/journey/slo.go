package journey

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/abrkit/abrkit/simulator/slo"
)

// stepSLORE matches the per-step metric names.
var stepSLORE = regexp.MustCompile(`^\s*api\.([a-z][a-z0-9_]*)\.(latency\.[a-z0-9.]+|availability)\s*(<=|>=|<|>)\s*(\S+)\s*$`)

// ParseSLO parses "api.<step>.latency.pNN OP DURATION" or
// "api.<step>.availability OP PERCENT" with the slo package's grammar and
// units (latency as api.play.latency's, availability as availability's).
func ParseSLO(expr string) (slo.Objective, error) {
	m := stepSLORE.FindStringSubmatch(expr)
	if m == nil {
		return slo.Objective{}, fmt.Errorf("%w %q: want api.<step>.latency.pNN < DURATION or api.<step>.availability > PERCENT", slo.ErrSyntax, expr)
	}
	step, metric, rest := m[1], m[2], m[3]+" "+m[4]
	var o slo.Objective
	var err error
	if metric == "availability" {
		o, err = slo.Parse("availability " + rest)
	} else {
		o, err = slo.Parse("api.play." + metric + " " + rest)
	}
	if err != nil {
		return slo.Objective{}, err
	}
	o.Expr = strings.TrimSpace(expr)
	o.Metric = "api." + step + "." + strings.SplitN(metric, ".", 2)[0]
	return o, nil
}
