package slo

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Unit is how a metric's values are measured and printed.
type Unit uint8

// Units. Values are always float64 in the base unit: seconds, a fraction
// in [0,1], bits per second, or a plain count.
const (
	Seconds Unit = iota + 1
	Ratio
	BitsPerSecond
	Count
)

func (u Unit) String() string {
	switch u {
	case Seconds:
		return "seconds"
	case Ratio:
		return "ratio"
	case BitsPerSecond:
		return "bps"
	case Count:
		return "count"
	}
	return "unknown"
}

// MarshalText writes the unit's name so that it survives a trip through
// results.json.
func (u Unit) MarshalText() ([]byte, error) {
	if u == 0 {
		return []byte{}, nil
	}
	return []byte(u.String()), nil
}

// UnmarshalText reads what MarshalText wrote; an empty text is no unit.
func (u *Unit) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*u = 0
		return nil
	}
	for _, x := range []Unit{Seconds, Ratio, BitsPerSecond, Count} {
		if string(b) == x.String() {
			*u = x
			return nil
		}
	}
	return fmt.Errorf("unknown unit %q (want seconds, ratio, bps or count)", b)
}

// Format prints v in unit u for people.
func (u Unit) Format(v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	switch u {
	case Seconds:
		return time.Duration(v * float64(time.Second)).Round(time.Microsecond).String()
	case Ratio:
		return formatPercent(v * 100)
	case BitsPerSecond:
		switch {
		case v >= 1e9:
			return strconv.FormatFloat(v/1e9, 'f', 2, 64) + "Gbps"
		case v >= 1e6:
			return strconv.FormatFloat(v/1e6, 'f', 2, 64) + "Mbps"
		}
		return strconv.FormatFloat(v/1e3, 'f', 0, 64) + "kbps"
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

// formatPercent prints p with four significant digits in plain decimal
// notation: 12.35%, 0.01234%; shares too small to print read <0.0001%.
func formatPercent(p float64) string {
	const floor = 1e-4
	switch {
	case p == 0:
		return "0%"
	case math.Abs(p) < floor:
		if p < 0 {
			return "-<0.0001%"
		}
		return "<0.0001%"
	}
	decimals := 3 - int(math.Floor(math.Log10(math.Abs(p))))
	decimals = max(0, min(decimals, 4))
	t := strconv.FormatFloat(p, 'f', decimals, 64)
	if strings.Contains(t, ".") {
		t = strings.TrimRight(strings.TrimRight(t, "0"), ".")
	}
	return t + "%"
}

// Metric describes one measurable quantity.
type Metric struct {
	Name string
	Unit Unit
	// Stats are the statistics allowed after the name ("p95", "mean");
	// empty means the metric is a single value used without a stat.
	Stats bool
	Help  string
}

// Metrics returns the catalogue of metrics SLOs can name, a fresh copy on
// every call.
func Metrics() []Metric {
	return append([]Metric(nil), metrics[:]...)
}

var metrics = [...]Metric{
	{"startup_time", Seconds, true, "time from play request to first frame, per session"},
	{"rebuffer_ratio", Ratio, true, "stalled time / (stalled + played time), per session"},
	{"rebuffer_count", Count, true, "stalls per session"},
	{"bitrate", BitsPerSecond, true, "time-weighted mean video bitrate, per session"},
	{"switches", Count, true, "rendition switches per session"},
	{"watch_time", Seconds, true, "time played, per session"},
	{"play_failures.rate", Ratio, false, "sessions that failed to start or died with a fatal error"},
	{"abandonment.rate", Ratio, false, "sessions abandoned because start-up took too long"},
	{"availability", Ratio, false, "share of sessions that played without a fatal error"},
	{"cache_hit_ratio", Ratio, false, "edge cache hits / segment requests"},
	{"segment.latency", Seconds, true, "segment request latency (to last byte)"},
	{"segment.errors.rate", Ratio, false, "failed segment requests / segment requests"},
	{"manifest.latency", Seconds, true, "manifest request latency"},
	{"manifest.errors.rate", Ratio, false, "failed manifest requests"},
	{"api.login.latency", Seconds, true, "control-plane login latency"},
	{"api.login.errors.rate", Ratio, false, "failed login calls"},
	{"api.play.latency", Seconds, true, "control-plane playback API latency"},
	{"api.play.errors.rate", Ratio, false, "failed play calls"},
	{"api.events.latency", Seconds, true, "telemetry intake latency (player beacons)"},
	{"api.events.errors.rate", Ratio, false, "failed telemetry posts"},
	{"requests.errors.rate", Ratio, false, "failed requests of any kind"},
	{"live_latency", Seconds, true, "mean distance behind the live edge while playing, per live session"},
	{"live_rebuffer_ratio", Ratio, true, "rebuffer_ratio of the sessions on live channels"},
	{"origin.requests_per_object", Count, false, "origin fetches per live object, worst edge (1: concurrent misses collapsed into one)"},
}

// Catalogued reports whether name is one of Metrics (not a journey
// step's metric).
func Catalogued(name string) bool {
	for _, m := range metrics {
		if m.Name == name {
			return true
		}
	}
	return false
}

// stepRE matches the per-step metrics of viewer journeys:
// api.<step>.latency, api.<step>.availability and api.<step>.errors.rate.
var stepRE = regexp.MustCompile(`^api\.([a-z][a-z0-9_]{0,63})\.(latency|availability|errors\.rate)$`)

// Lookup finds a metric by name: one of Metrics, or a journey step's
// api.<step>.latency (seconds, with a statistic), api.<step>.availability
// or api.<step>.errors.rate (ratios).
func Lookup(name string) (Metric, bool) {
	for _, m := range metrics {
		if m.Name == name {
			return m, true
		}
	}
	if m := stepRE.FindStringSubmatch(name); m != nil {
		switch m[2] {
		case "latency":
			return Metric{name, Seconds, true, "latency of the journey step " + m[1]}, true
		case "availability":
			return Metric{name, Ratio, false, "answered requests / requests of the journey step " + m[1]}, true
		default:
			return Metric{name, Ratio, false, "failed requests of the journey step " + m[1]}, true
		}
	}
	return Metric{}, false
}

// Op is a comparison.
type Op string

// Comparisons.
const (
	Less      Op = "<"
	LessEq    Op = "<="
	Greater   Op = ">"
	GreaterEq Op = ">="
)

// Objective is one parsed threshold such as "startup_time.p95 < 2s".
type Objective struct {
	Expr   string  `json:"expr"`
	Metric string  `json:"metric"`
	Stat   string  `json:"stat,omitempty"` // "mean", "max", "min", "p95", "p99.9"; empty for single-value metrics
	Op     Op      `json:"op"`
	Value  float64 `json:"threshold"` // in the metric's base unit
	Unit   Unit    `json:"unit,omitempty"`
	Abort  bool    `json:"abort_on_breach,omitempty"`
}

// Sentinel errors for callers that branch.
var (
	ErrSyntax        = errors.New("bad SLO expression")
	ErrUnknownMetric = errors.New("unknown metric")
	ErrBadStat       = errors.New("bad statistic")
	ErrBadValue      = errors.New("bad threshold value")
)

var exprRE = regexp.MustCompile(`^\s*([a-z_][a-z0-9_.]*)\s*(<=|>=|<|>)\s*(\S+)\s*$`)
var splitRE = regexp.MustCompile(`^(.+)\.(p[0-9]+\.[0-9]+)$`)
var statRE = regexp.MustCompile(`^(mean|max|min|p[0-9]{1,2}(\.[0-9]+)?)$`)

// Parse parses "metric[.stat] op value".
func Parse(expr string) (Objective, error) {
	m := exprRE.FindStringSubmatch(expr)
	if m == nil {
		return Objective{}, fmt.Errorf("%w %q: want METRIC[.STAT] <|<=|>|>= VALUE, e.g. startup_time.p95 < 2s", ErrSyntax, expr)
	}
	o := Objective{Expr: strings.TrimSpace(expr), Op: Op(m[2])}
	name := m[1]
	met, ok := Lookup(name)
	if !ok {
		i := strings.LastIndexByte(name, '.')
		if sm := splitRE.FindStringSubmatch(name); sm != nil {
			i = len(sm[1])
		}
		if i < 0 {
			return Objective{}, unknown(name)
		}
		met, ok = Lookup(name[:i])
		if !ok {
			return Objective{}, unknown(name[:i])
		}
		if !met.Stats {
			return Objective{}, fmt.Errorf("%w: %s takes no statistic, got %q", ErrBadStat, met.Name, name[i+1:])
		}
		o.Stat = name[i+1:]
		if !statRE.MatchString(o.Stat) {
			return Objective{}, fmt.Errorf("%w %q for %s: want mean, min, max or pNN such as p95, p99.9", ErrBadStat, o.Stat, met.Name)
		}
		if q, ok := Quantile(o.Stat); ok && (q <= 0 || q > 100) {
			return Objective{}, fmt.Errorf("%w %q: percentile must be in (0, 100]", ErrBadStat, o.Stat)
		}
	} else if met.Stats {
		return Objective{}, fmt.Errorf("%w: %s needs a statistic, e.g. %s.p95 or %s.mean", ErrBadStat, met.Name, met.Name, met.Name)
	}
	o.Metric, o.Unit = met.Name, met.Unit
	v, err := parseValue(m[3], met.Unit)
	if err != nil {
		return Objective{}, fmt.Errorf("%w for %s: %v", ErrBadValue, met.Name, err)
	}
	o.Value = v
	return o, nil
}

func unknown(name string) error {
	names := make([]string, len(metrics))
	for i, m := range metrics {
		names[i] = m.Name
	}
	sort.Strings(names)
	return fmt.Errorf("%w %q (known: %s, and per journey step api.<step>.latency, api.<step>.availability, api.<step>.errors.rate)", ErrUnknownMetric, name, strings.Join(names, ", "))
}

// Quantile returns 95 for "p95" and 99.9 for "p99.9".
func Quantile(stat string) (float64, bool) {
	if !strings.HasPrefix(stat, "p") {
		return 0, false
	}
	q, err := strconv.ParseFloat(stat[1:], 64)
	return q, err == nil
}

func parseValue(s string, u Unit) (float64, error) {
	switch u {
	case Seconds:
		if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 0 {
			return f, nil
		}
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return 0, fmt.Errorf("want a duration such as 2s or 300ms, got %q", s)
		}
		return d.Seconds(), nil
	case Ratio:
		t := strings.TrimSuffix(s, "%")
		f, err := strconv.ParseFloat(t, 64)
		if err != nil || math.IsNaN(f) {
			return 0, fmt.Errorf("want a percentage such as 0.5%% or a ratio such as 0.005, got %q", s)
		}
		if t != s {
			f /= 100
		}
		if f < 0 || f > 1 {
			return 0, fmt.Errorf("%q is outside 0..100%%", s)
		}
		return f, nil
	case BitsPerSecond:
		l := strings.ToLower(s)
		mult := 1.0
		for _, x := range []struct {
			s string
			m float64
		}{{"gbps", 1e9}, {"mbps", 1e6}, {"kbps", 1e3}, {"bps", 1}} {
			if strings.HasSuffix(l, x.s) {
				l, mult = strings.TrimSuffix(l, x.s), x.m
				break
			}
		}
		f, err := strconv.ParseFloat(l, 64)
		if err != nil || f < 0 {
			return 0, fmt.Errorf("want a bitrate such as 3Mbps, got %q", s)
		}
		return f * mult, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) {
		return 0, fmt.Errorf("want a number, got %q", s)
	}
	return f, nil
}

// Held reports whether observed satisfies the objective.
func (o Objective) Held(observed float64) bool {
	if math.IsNaN(observed) {
		return true // nothing observed: nothing breached
	}
	switch o.Op {
	case Less:
		return observed < o.Value
	case LessEq:
		return observed <= o.Value
	case Greater:
		return observed > o.Value
	case GreaterEq:
		return observed >= o.Value
	}
	return false
}

// Source gives observed values. Value returns NaN, false when the metric
// has no data (no sessions, no requests of that kind).
type Source interface {
	Value(metric, stat string) (float64, bool)
}

// Verdict is the outcome of one objective.
type Verdict struct {
	Objective
	Observed     float64 `json:"observed"`
	ObservedText string  `json:"observed_text"`
	HasData      bool    `json:"has_data"`
	Held         bool    `json:"held"`
}

// Evaluate judges every objective against src.
func Evaluate(objs []Objective, src Source) []Verdict {
	out := make([]Verdict, len(objs))
	for i, o := range objs {
		v, ok := src.Value(o.Metric, o.Stat)
		if !ok {
			v = math.NaN()
		}
		out[i] = Verdict{Objective: o, Observed: v, ObservedText: o.Unit.Format(v), HasData: ok, Held: o.Held(v)}
		if math.IsNaN(v) {
			out[i].Observed = 0
		}
	}
	return out
}

// AllHeld reports whether every verdict held.
func AllHeld(vs []Verdict) bool {
	for _, v := range vs {
		if !v.Held {
			return false
		}
	}
	return true
}
