package netsim

import (
	"errors"
	"math"
	"os"
	"testing"
	"time"
)

var traceCases = []struct {
	name, format, data string
	period             time.Duration
	mean               float64
	ok                 bool
}{
	{"pensieve", "pensieve", "0.0\t2\n1.0\t4\n3.0\t1\n", 3 * time.Second, (4e6 + 2e6) / 3, true},
	{"pensieve guessed", "", "0 1\n2 3\n", 2 * time.Second, 3e6, true},
	{"sabre", "sabre", `[{"duration_ms": 1000, "bandwidth_kbps": 1000, "latency_ms": 20}, {"duration_ms": 3000, "bandwidth_kbps": 2000, "latency_ms": 20}]`, 4 * time.Second, 7e6 / 4, true},
	{"sabre guessed", "", `[{"duration_ms": 500, "bandwidth_kbps": 800}]`, 500 * time.Millisecond, 8e5, true},
	{"one column", "pensieve", "0 1\n2\n", 0, 0, false},
	{"backwards", "pensieve", "2 1\n1 1\n", 0, 0, false},
	{"negative", "pensieve", "0 1\n1 -1\n", 0, 0, false},
	{"single sample", "pensieve", "0 1\n", 0, 0, false},
	{"sabre bad json", "sabre", `[{"duration_ms": }]`, 0, 0, false},
	{"sabre missing", "sabre", `[{"duration_ms": 5}]`, 0, 0, false},
	{"sabre unknown field", "sabre", `[{"duration_ms": 5, "bandwidth_kbps": 1, "x": 1}]`, 0, 0, false},
	{"bad format", "csv", "0 1\n", 0, 0, false},
}

func TestParseTrace(t *testing.T) {
	for _, c := range traceCases {
		tr, err := ParseTrace([]byte(c.data), c.name, c.format)
		if !c.ok {
			if !errors.Is(err, ErrTraceFormat) {
				t.Errorf("ParseTrace(%s) error = %v; want ErrTraceFormat", c.name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseTrace(%s) = %v", c.name, err)
			continue
		}
		if tr.Period() != c.period || math.Abs(tr.Mean()-c.mean) > 1 {
			t.Errorf("ParseTrace(%s) period %v mean %g; want %v %g", c.name, tr.Period(), tr.Mean(), c.period, c.mean)
		}
	}
}

func TestLoadSharedTraces(t *testing.T) {
	for _, d := range []struct{ path, format string }{
		{"../../../shared/data/traces/pensieve/train", "pensieve"},
		{"../../../shared/data/traces/sabre/4Glogs", "sabre"},
	} {
		if _, err := os.Stat(d.path); err != nil {
			t.Skipf("%s absent: shared trace data not available", d.path)
		}
		trs, err := LoadTraces(d.path, d.format, 10)
		if err != nil {
			t.Fatalf("LoadTraces(%s) = %v", d.path, err)
		}
		if len(trs) != 10 {
			t.Errorf("LoadTraces(%s, limit 10) = %d traces", d.path, len(trs))
		}
	}
}

func FuzzParseTrace(f *testing.F) {
	for _, c := range traceCases {
		f.Add([]byte(c.data), c.format)
	}
	f.Fuzz(func(t *testing.T, data []byte, format string) {
		tr, err := ParseTrace(data, "fuzz", format)
		if err != nil {
			return
		}
		if tr.Period() <= 0 || tr.Mean() < 0 || math.IsNaN(tr.Mean()) {
			t.Fatalf("ParseTrace accepted a trace with period %v mean %g", tr.Period(), tr.Mean())
		}
		l := Link{Trace: tr}
		if r, next := l.Rate(tr.Period() * 3 / 2); r < 0 || next <= tr.Period()*3/2 {
			t.Fatalf("Rate = %g, %v", r, next)
		}
	})
}
