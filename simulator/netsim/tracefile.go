package netsim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ErrTraceFormat wraps every trace parse error.
var ErrTraceFormat = errors.New("bad trace")

// TraceError is a bad trace file, with the line at fault.
type TraceError struct {
	File string
	Line int
	Msg  string
}

func (e *TraceError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// Unwrap makes errors.Is(err, ErrTraceFormat) true.
func (e *TraceError) Unwrap() error { return ErrTraceFormat }

// ParsePensieve reads the Pensieve two-column format: "time_seconds
// throughput_mbit_per_s" per line; sample i is the capacity from sample
// i-1's time to its own.
func ParsePensieve(data []byte, name string) (*Trace, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	var steps []time.Duration
	var bps []float64
	prev := math.NaN()
	line := 0
	for sc.Scan() {
		line++
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) < 2 {
			return nil, &TraceError{name, line, "want two columns: time_seconds mbit_per_s"}
		}
		t, err1 := strconv.ParseFloat(f[0], 64)
		c, err2 := strconv.ParseFloat(f[1], 64)
		if err1 != nil || err2 != nil || c < 0 || math.IsNaN(t) || math.IsNaN(c) || math.IsInf(t, 0) || math.IsInf(c, 0) {
			return nil, &TraceError{name, line, fmt.Sprintf("bad sample %q", sc.Text())}
		}
		if !math.IsNaN(prev) {
			if t < prev {
				return nil, &TraceError{name, line, fmt.Sprintf("time %g goes backwards", t)}
			}
			steps = append(steps, time.Duration((t-prev)*float64(time.Second)))
			bps = append(bps, c*1e6)
		}
		prev = t
	}
	if err := sc.Err(); err != nil {
		return nil, &TraceError{name, line, err.Error()}
	}
	tr, err := NewTrace(name, steps, bps)
	if err != nil {
		return nil, &TraceError{name, 0, err.Error()}
	}
	return tr, nil
}

// ParseSabre reads Sabre's JSON network format: an array of
// {"duration_ms", "bandwidth_kbps", "latency_ms"} periods.
func ParseSabre(data []byte, name string) (*Trace, error) {
	var periods []struct {
		Duration  *float64 `json:"duration_ms"`
		Bandwidth *float64 `json:"bandwidth_kbps"`
		Latency   float64  `json:"latency_ms"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&periods); err != nil {
		return nil, &TraceError{name, 0, err.Error()}
	}
	steps := make([]time.Duration, len(periods))
	bps := make([]float64, len(periods))
	for i, p := range periods {
		if p.Duration == nil || p.Bandwidth == nil || *p.Duration < 0 || *p.Duration > 1e9 {
			return nil, &TraceError{name, 0, fmt.Sprintf("period %d: want duration_ms >= 0 and bandwidth_kbps", i)}
		}
		steps[i] = time.Duration(*p.Duration * float64(time.Millisecond))
		bps[i] = *p.Bandwidth * 1e3
	}
	tr, err := NewTrace(name, steps, bps)
	if err != nil {
		return nil, &TraceError{name, 0, err.Error()}
	}
	return tr, nil
}

// ParseTrace parses data in format "pensieve" or "sabre"; an empty format
// is guessed (JSON arrays are Sabre).
func ParseTrace(data []byte, name, format string) (*Trace, error) {
	if format == "" {
		if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '[' {
			format = "sabre"
		} else {
			format = "pensieve"
		}
	}
	switch format {
	case "pensieve":
		return ParsePensieve(data, name)
	case "sabre":
		return ParseSabre(data, name)
	}
	return nil, &TraceError{name, 0, fmt.Sprintf("unknown trace format %q", format)}
}

// LoadTraces reads one trace file, or every regular file of a directory
// in name order (at most limit when limit > 0).
func LoadTraces(path, format string, limit int) ([]*Trace, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	files := []string{path}
	if st.IsDir() {
		ents, err := os.ReadDir(path)
		if err != nil {
			return nil, err
		}
		files = files[:0]
		for _, e := range ents {
			if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") && !strings.EqualFold(e.Name(), "README.md") {
				files = append(files, filepath.Join(path, e.Name()))
			}
		}
		sort.Strings(files)
	}
	if limit > 0 && len(files) > limit {
		files = files[:limit]
	}
	var out []*Trace
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		t, err := ParseTrace(data, f, format)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, &TraceError{path, 0, "no trace files"}
	}
	return out, nil
}
