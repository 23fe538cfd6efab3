package results

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/abrkit/abrkit/simulator/slo"
)

// File names inside an output directory.
const (
	ResultsFile = "results.json" // everything but the records, histograms included
	QoEFile     = "qoe.jsonl"    // one Record per line
)

type classFile struct {
	Count   int64         `json:"count"`
	Errors  int64         `json:"errors"`
	Latency *hdr.Snapshot `json:"latency_us"`
}

type resultsFile struct {
	*Results
	Classes map[string]classFile `json:"classes"`
}

// WriteDir writes results.json and qoe.jsonl into dir (created if needed).
func (r *Results) WriteDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f := resultsFile{Results: r, Classes: map[string]classFile{}}
	for name, c := range r.Classes {
		f.Classes[name] = classFile{Count: c.Count, Errors: c.Errors, Latency: c.Latency.Export()}
	}
	data, err := json.Marshal(f)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, ResultsFile), data, 0o644); err != nil {
		return err
	}
	q, err := os.Create(filepath.Join(dir, QoEFile))
	if err != nil {
		return err
	}
	w := bufio.NewWriter(q)
	enc := json.NewEncoder(w)
	for i := range r.Records {
		if err := enc.Encode(&r.Records[i]); err != nil {
			q.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		q.Close()
		return err
	}
	return q.Close()
}

// ErrBadResults wraps problems reading a results directory.
var ErrBadResults = errors.New("bad results")

// ReadDir reads what WriteDir wrote.
func ReadDir(dir string) (*Results, error) {
	data, err := os.ReadFile(filepath.Join(dir, ResultsFile))
	if err != nil {
		return nil, err
	}
	r := &Results{}
	f := resultsFile{Results: r}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadResults, filepath.Join(dir, ResultsFile), err)
	}
	for i := range r.Objectives {
		// Files written before units were stored: the metric knows its unit.
		if o := &r.Objectives[i]; o.Unit == 0 {
			if m, ok := slo.Lookup(o.Metric); ok {
				o.Unit = m.Unit
			}
		}
	}
	r.Classes = map[string]*Class{}
	for name, c := range f.Classes {
		if c.Latency == nil {
			return nil, fmt.Errorf("%w: %s: class %s has no histogram", ErrBadResults, dir, name)
		}
		if err := c.Latency.Validate(); err != nil {
			return nil, fmt.Errorf("%w: %s: class %s: %v", ErrBadResults, dir, name, err)
		}
		r.Classes[name] = &Class{Count: c.Count, Errors: c.Errors, Latency: hdr.Import(c.Latency)}
	}
	for _, name := range Classes() {
		if r.Classes[name] == nil {
			r.Classes[name] = &Class{Latency: NewHistogram()}
		}
	}
	q, err := os.Open(filepath.Join(dir, QoEFile))
	if err != nil {
		return nil, err
	}
	defer q.Close()
	dec := json.NewDecoder(bufio.NewReader(q))
	for line := 1; dec.More(); line++ {
		var rec Record
		if err := dec.Decode(&rec); err != nil {
			return nil, fmt.Errorf("%w: %s:%d: %v", ErrBadResults, filepath.Join(dir, QoEFile), line, err)
		}
		r.Records = append(r.Records, rec)
	}
	return r, nil
}
