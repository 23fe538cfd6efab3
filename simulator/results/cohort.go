package results

import "math"

// CohortMetric compares one metric between a cohort and the control.
type CohortMetric struct {
	Metric  string  `json:"metric"`
	Control float64 `json:"control_mean"`
	Value   float64 `json:"mean"`
	Diff    float64 `json:"diff"`    // mean - control mean
	CILow   float64 `json:"ci_low"`  // 95% confidence interval of Diff (Welch)
	CIHigh  float64 `json:"ci_high"` //
}

// CohortDiff is an experiment cohort against the control cohort.
type CohortDiff struct {
	Cohort   string         `json:"cohort"`
	Control  string         `json:"control"`
	N        int            `json:"sessions"`
	ControlN int            `json:"control_sessions"`
	Metrics  []CohortMetric `json:"metrics"`
}

// CohortMetrics are the metrics compared between cohorts.
var CohortMetrics = []string{"startup_time", "rebuffer_ratio", "bitrate", "switches"}

// CohortDiffs compares every cohort with the control (named by
// ControlCohort); nil when there are no cohorts.
func (r *Results) CohortDiffs() []CohortDiff {
	if r.ControlCohort == "" {
		return nil
	}
	groups := map[string][]*Record{}
	var names []string
	for i := range r.Records {
		x := &r.Records[i]
		if x.Cohort == "" || !x.Started {
			continue
		}
		if _, ok := groups[x.Cohort]; !ok {
			names = append(names, x.Cohort)
		}
		groups[x.Cohort] = append(groups[x.Cohort], x)
	}
	ctl := groups[r.ControlCohort]
	var out []CohortDiff
	for _, name := range names {
		if name == r.ControlCohort {
			continue
		}
		g := groups[name]
		if len(ctl) == 0 || len(g) == 0 {
			continue
		}
		d := CohortDiff{Cohort: name, Control: r.ControlCohort, N: len(g), ControlN: len(ctl)}
		for _, m := range CohortMetrics {
			cm, cv := meanVar(ctl, m)
			gm, gv := meanVar(g, m)
			se := math.Sqrt(cv/float64(max(len(ctl), 1)) + gv/float64(max(len(g), 1)))
			diff := gm - cm
			d.Metrics = append(d.Metrics, CohortMetric{Metric: m, Control: cm, Value: gm, Diff: diff, CILow: diff - 1.96*se, CIHigh: diff + 1.96*se})
		}
		out = append(out, d)
	}
	return out
}

func meanVar(xs []*Record, metric string) (mean, variance float64) {
	if len(xs) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, x := range xs {
		mean += SessionMetric(x, metric)
	}
	mean /= float64(len(xs))
	if len(xs) < 2 {
		return mean, 0
	}
	for _, x := range xs {
		d := SessionMetric(x, metric) - mean
		variance += d * d
	}
	return mean, variance / float64(len(xs)-1)
}
