package slo

import (
	"encoding/json"
	"errors"
	"math"
	"testing"
)

var parseCases = []struct {
	expr   string
	metric string
	stat   string
	op     Op
	value  float64
	err    error
}{
	{"startup_time.p95 < 2s", "startup_time", "p95", Less, 2, nil},
	{"rebuffer_ratio.mean < 0.5%", "rebuffer_ratio", "mean", Less, 0.005, nil},
	{"play_failures.rate < 0.1%", "play_failures.rate", "", Less, 0.001, nil},
	{"api.play.latency.p99 < 300ms", "api.play.latency", "p99", Less, 0.3, nil},
	{"availability > 99.9%", "availability", "", Greater, 0.999, nil},
	{"availability >= 0.99", "availability", "", GreaterEq, 0.99, nil},
	{"bitrate.mean > 3Mbps", "bitrate", "mean", Greater, 3e6, nil},
	{"segment.latency.p99.9 <= 1.5", "segment.latency", "p99.9", LessEq, 1.5, nil},
	{"rebuffer_count.max < 3", "rebuffer_count", "max", Less, 3, nil},
	{"startup_time < 2s", "", "", "", 0, ErrBadStat},
	{"availability.p95 > 99%", "", "", "", 0, ErrBadStat},
	{"startup_time.p0 < 2s", "", "", "", 0, ErrBadStat},
	{"startup_time.median < 2s", "", "", "", 0, ErrBadStat},
	{"api.home.latency.p99 < 300ms", "api.home.latency", "p99", Less, 0.3, nil},
	{"api.row_page.availability > 99.9%", "api.row_page.availability", "", Greater, 0.999, nil},
	{"api.search.errors.rate < 1%", "api.search.errors.rate", "", Less, 0.01, nil},
	{"api.home.latency < 300ms", "", "", "", 0, ErrBadStat},
	{"api.home.availability.p99 > 99%", "", "", "", 0, ErrBadStat},
	{"api.Home.latency.p99 < 300ms", "", "", "", 0, ErrSyntax},
	{"api.home.throughput.p99 < 3", "", "", "", 0, ErrUnknownMetric},
	{"latency.p95 < 2s", "", "", "", 0, ErrUnknownMetric},
	{"nothing < 2s", "", "", "", 0, ErrUnknownMetric},
	{"startup_time.p95 = 2s", "", "", "", 0, ErrSyntax},
	{"", "", "", "", 0, ErrSyntax},
	{"startup_time.p95 < 2 s", "", "", "", 0, ErrSyntax},
	{"startup_time.p95 < -2s", "", "", "", 0, ErrBadValue},
	{"availability > 120%", "", "", "", 0, ErrBadValue},
	{"bitrate.mean > fast", "", "", "", 0, ErrBadValue},
}

func TestParse(t *testing.T) {
	for _, c := range parseCases {
		o, err := Parse(c.expr)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("Parse(%q) error = %v; want %v", c.expr, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q) = %v", c.expr, err)
			continue
		}
		if o.Metric != c.metric || o.Stat != c.stat || o.Op != c.op || math.Abs(o.Value-c.value) > 1e-12 {
			t.Errorf("Parse(%q) = %s %s %s %g; want %s %s %s %g", c.expr, o.Metric, o.Stat, o.Op, o.Value, c.metric, c.stat, c.op, c.value)
		}
	}
}

type mapSource map[string]float64

func (m mapSource) Value(metric, stat string) (float64, bool) {
	v, ok := m[metric+"."+stat]
	return v, ok
}

func TestEvaluate(t *testing.T) {
	objs := []Objective{}
	for _, e := range []string{"startup_time.p95 < 2s", "availability > 99.9%", "api.play.latency.p99 < 300ms", "bitrate.mean >= 1Mbps"} {
		o, err := Parse(e)
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, o)
	}
	src := mapSource{"startup_time.p95": 1.2, "availability.": 0.998, "bitrate.mean": 1e6}
	vs := Evaluate(objs, src)
	want := []bool{true, false, true, true}
	for i, v := range vs {
		if v.Held != want[i] {
			t.Errorf("Evaluate(%q).Held = %v (observed %g); want %v", v.Expr, v.Held, v.Observed, want[i])
		}
	}
	if vs[2].HasData || vs[2].ObservedText != "n/a" {
		t.Errorf("Evaluate(no data) = %+v; want HasData=false, n/a", vs[2])
	}
	if AllHeld(vs) {
		t.Errorf("AllHeld = true; want false")
	}
	if got := vs[1].ObservedText; got != "99.8%" {
		t.Errorf("ObservedText = %q; want 99.8%%", got)
	}
}

func TestUnitFormat(t *testing.T) {
	tests := []struct {
		u    Unit
		v    float64
		want string
	}{
		{Seconds, 1.5, "1.5s"},
		{Ratio, 0.005, "0.5%"},
		{Ratio, 0, "0%"},
		{Ratio, 1, "100%"},
		{Ratio, 0.123456, "12.35%"},
		{Ratio, 6.7e-08, "<0.0001%"},
		{Ratio, 1.234e-06, "0.0001%"},
		{Ratio, 0.00012345, "0.0123%"},
		{Seconds, 0.748348, "748.348ms"},
		{BitsPerSecond, 3.2e6, "3.20Mbps"},
		{BitsPerSecond, 800e3, "800kbps"},
		{Count, 3, "3"},
		{Count, math.NaN(), "n/a"},
	}
	for _, tt := range tests {
		if got := tt.u.Format(tt.v); got != tt.want {
			t.Errorf("%v.Format(%g) = %q; want %q", tt.u, tt.v, got, tt.want)
		}
	}
}

func TestUnitJSONRoundTrip(t *testing.T) {
	for _, u := range []Unit{Seconds, Ratio, BitsPerSecond, Count} {
		o, err := Parse(Metrics()[0].Name + ".p95 < 2s")
		if err != nil {
			t.Fatal(err)
		}
		o.Unit = u
		data, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		var back Objective
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatalf("Unmarshal(%s) = %v", data, err)
		}
		if back != o {
			t.Errorf("Unmarshal(Marshal(%+v)) = %+v", o, back)
		}
	}
	var o Objective
	if err := json.Unmarshal([]byte(`{"unit":"furlongs"}`), &o); err == nil {
		t.Errorf("Unmarshal of an unknown unit = nil error")
	}
}

func TestMetricsIsACopy(t *testing.T) {
	m := Metrics()
	m[0].Name = "changed"
	if Metrics()[0].Name == "changed" {
		t.Errorf("Metrics() shares its backing array with the catalogue")
	}
}

func FuzzParse(f *testing.F) {
	for _, c := range parseCases {
		f.Add(c.expr)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := Parse(s)
		if err != nil {
			return
		}
		if _, ok := Lookup(o.Metric); !ok {
			t.Fatalf("Parse(%q) accepted unknown metric %q", s, o.Metric)
		}
		if math.IsNaN(o.Value) || o.Value < 0 {
			t.Fatalf("Parse(%q) value %g", s, o.Value)
		}
	})
}

func FuzzUnitText(f *testing.F) {
	for _, u := range []Unit{Seconds, Ratio, BitsPerSecond, Count} {
		f.Add(u.String())
	}
	f.Add("")
	f.Add("furlongs")
	f.Fuzz(func(t *testing.T, s string) {
		var u Unit
		if err := u.UnmarshalText([]byte(s)); err != nil {
			return
		}
		b, err := u.MarshalText()
		if err != nil || string(b) != s {
			t.Fatalf("MarshalText(UnmarshalText(%q)) = %q, %v", s, b, err)
		}
	})
}
