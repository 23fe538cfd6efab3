package results

import (
	"math"
	"sort"
	"strings"

	"github.com/abrkit/abrkit/simulator/slo"
)

var _ slo.Source = (*Results)(nil)

// Value implements slo.Source: session metrics come from the QoE records
// (exact percentiles, nearest rank), request metrics from the histograms.
func (r *Results) Value(metric, stat string) (float64, bool) {
	switch metric {
	case "startup_time", "rebuffer_ratio", "rebuffer_count", "bitrate", "switches", "watch_time":
		return Stat(r.sessionValues(metric), stat)
	case "live_latency", "live_rebuffer_ratio":
		return Stat(r.liveValues(metric), stat)
	case "origin.requests_per_object":
		return r.OriginRequestsPerObject()
	case "play_failures.rate":
		return r.rate(func(x *Record) bool { return x.Failed })
	case "abandonment.rate":
		return r.rate(func(x *Record) bool { return x.Abandoned })
	case "availability":
		var n, bad int64
		for _, c := range r.Classes {
			n += c.Count
			bad += c.Errors
		}
		if n == 0 {
			return math.NaN(), false
		}
		return 1 - float64(bad)/float64(n), true
	case "requests.errors.rate":
		v, ok := r.Value("availability", "")
		return 1 - v, ok
	case "cache_hit_ratio":
		var h, m int64
		for _, e := range r.Edges {
			h += e.Hits
			m += e.Misses
		}
		if h+m == 0 {
			return math.NaN(), false
		}
		return float64(h) / float64(h+m), true
	}
	if name, ok := strings.CutSuffix(metric, ".availability"); ok {
		c := r.Classes[name]
		if c == nil || c.Count == 0 {
			return math.NaN(), false
		}
		return 1 - float64(c.Errors)/float64(c.Count), true
	}
	if name, ok := strings.CutSuffix(metric, ".errors.rate"); ok {
		c := r.Classes[name]
		if c == nil || c.Count == 0 {
			return math.NaN(), false
		}
		return float64(c.Errors) / float64(c.Count), true
	}
	if name, ok := strings.CutSuffix(metric, ".latency"); ok {
		c := r.Classes[name]
		if c == nil || c.Latency.TotalCount() == 0 {
			return math.NaN(), false
		}
		h := c.Latency
		var us float64
		switch stat {
		case "mean":
			us = h.Mean()
		case "max":
			us = float64(h.Max())
		case "min":
			us = float64(h.Min())
		default:
			q, ok := slo.Quantile(stat)
			if !ok {
				return math.NaN(), false
			}
			us = float64(h.ValueAtQuantile(q))
		}
		return us / 1e6, true
	}
	return math.NaN(), false
}

func (r *Results) rate(pred func(*Record) bool) (float64, bool) {
	if len(r.Records) == 0 {
		return math.NaN(), false
	}
	n := 0
	for i := range r.Records {
		if pred(&r.Records[i]) {
			n++
		}
	}
	return float64(n) / float64(len(r.Records)), true
}

// sessionValues returns the metric for every session that started playing.
func (r *Results) sessionValues(metric string) []float64 {
	out := make([]float64, 0, len(r.Records))
	for i := range r.Records {
		x := &r.Records[i]
		if !x.Started {
			continue
		}
		out = append(out, SessionMetric(x, metric))
	}
	return out
}

// liveValues returns the metric for every live session that started.
func (r *Results) liveValues(metric string) []float64 {
	var out []float64
	for i := range r.Records {
		if x := &r.Records[i]; x.Started && x.Live {
			out = append(out, SessionMetric(x, metric))
		}
	}
	return out
}

// OriginRequestsPerObject is the highest ratio, over the edges that
// fetched live objects, of origin requests to distinct objects.
func (r *Results) OriginRequestsPerObject() (float64, bool) {
	worst, ok := math.NaN(), false
	for _, e := range r.Edges {
		if e.OriginObjects == 0 {
			continue
		}
		if v := float64(e.OriginRequests) / float64(e.OriginObjects); !ok || v > worst {
			worst, ok = v, true
		}
	}
	return worst, ok
}

// SessionMetric is one session metric of a record, in base units.
func SessionMetric(x *Record, metric string) float64 {
	switch metric {
	case "startup_time":
		return x.StartupS
	case "rebuffer_ratio", "live_rebuffer_ratio":
		return x.RebufferRatio
	case "live_latency":
		return x.LiveLatencyS
	case "rebuffer_count":
		return float64(x.Stalls)
	case "bitrate":
		return x.AvgBitrate
	case "switches":
		return float64(x.Switches)
	case "watch_time":
		return x.PlayS
	}
	return math.NaN()
}

// Stat computes mean, min, max or a nearest-rank percentile ("p95") of vs
// (which it sorts).
func Stat(vs []float64, stat string) (float64, bool) {
	if len(vs) == 0 {
		return math.NaN(), false
	}
	sort.Float64s(vs)
	switch stat {
	case "mean":
		s := 0.0
		for _, v := range vs {
			s += v
		}
		return s / float64(len(vs)), true
	case "min":
		return vs[0], true
	case "max":
		return vs[len(vs)-1], true
	}
	q, ok := slo.Quantile(stat)
	if !ok {
		return math.NaN(), false
	}
	k := int(math.Ceil(q/100*float64(len(vs)))) - 1
	k = max(0, min(k, len(vs)-1))
	return vs[k], true
}
