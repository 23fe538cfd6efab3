package journey

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/abrkit/abrkit/simulator/scenario"
)

// Exit is the step that ends a viewer's session.
const Exit = "exit"

// Bounds of a journey file.
const (
	MaxFileBytes = 1 << 20
	MaxSteps     = 256
	MaxBodyBytes = 64 << 10
)

// Journey is a weighted graph of steps.
type Journey struct {
	Name        string
	Description string
	// Start is the first step; defaults to "app_start" when there is one,
	// else the first step in the file.
	Start string
	// Vars are the viewer's initial variables.
	Vars map[string]string
	// Steps by name, and their names in file order.
	Steps map[string]*Step
	Order []string
	// SLOs are objectives such as "api.home.latency.p99 < 300ms".
	SLOs []string
}

// Step is one node of the graph.
type Step struct {
	Name string
	// Request is sent when the step runs; nil: the step only waits.
	Request *Request
	// Status lists the accepted status codes; empty: any 2xx.
	Status []int
	// Extract maps a variable to a JSON path in the answer
	// ("rows.*.items.0.id": * picks an element at random).
	Extract map[string]string
	// Think is drawn after the step, before the next one.
	Think scenario.Dist
	// Next weighs the following steps; empty: exit.
	Next []Edge
	// OnError is where a failed step goes; defaults to exit.
	OnError string
	// Line is where the step is defined.
	Line int
}

// Request is a templated HTTP request.
type Request struct {
	Method  string
	URL     string
	Headers map[string]string
	Body    string
}

// Edge is a weighted transition.
type Edge struct {
	To     string
	Weight float64
}

// ErrInvalid is wrapped by every problem in a journey file.
var ErrInvalid = errors.New("invalid journey")

// Error is one problem in a journey file, with where it is.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *Error) Unwrap() error { return ErrInvalid }

// Errors is every problem found in one file, in file order.
type Errors []*Error

func (es Errors) Error() string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Unwrap returns the individual errors.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Load reads and parses a journey file.
func Load(path string) (*Journey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(&limited{f, MaxFileBytes + 1}); err != nil {
		return nil, err
	}
	return Parse(buf.Bytes(), path)
}

type limited struct {
	f *os.File
	n int64
}

func (l *limited) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, fmt.Errorf("%w: file larger than %d bytes", ErrInvalid, MaxFileBytes)
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.f.Read(p)
	l.n -= int64(n)
	return n, err
}

type parser struct {
	file string
	errs Errors
}

func (p *parser) fail(n *yaml.Node, format string, a ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Msg: fmt.Sprintf(format, a...)})
}

// Parse parses a journey strictly: unknown or duplicate keys, wrong kinds,
// bad values, unknown steps and unset variables are errors with the
// file's line.
func Parse(data []byte, file string) (*Journey, error) {
	if len(data) > MaxFileBytes {
		return nil, &Error{File: file, Msg: fmt.Sprintf("file larger than %d bytes", MaxFileBytes)}
	}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		return nil, &Error{File: file, Line: yamlLine(err), Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &Error{File: file, Line: extra.Line, Msg: "more than one YAML document"}
	}
	return ParseNode(&root, file)
}

// ParseNode is Parse for a journey already read as YAML, such as one
// written inline in a scenario: errors name file and the node's lines.
func ParseNode(n *yaml.Node, file string) (*Journey, error) {
	p := &parser{file: file}
	j := &Journey{Vars: map[string]string{}, Steps: map[string]*Step{}}
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	p.mapping(n, "journey", func(k string, kn, v *yaml.Node) {
		switch k {
		case "name":
			j.Name = p.str(v, k)
		case "description":
			j.Description = p.str(v, k)
		case "start":
			j.Start = p.str(v, k)
		case "vars":
			p.mapping(v, "vars", func(name string, kn, v *yaml.Node) {
				if !varRE.MatchString(name) {
					p.fail(kn, "variable name %q: want letters, digits and _", name)
				}
				j.Vars[name] = p.str(v, "vars."+name)
			})
		case "steps":
			p.mapping(v, "steps", func(name string, kn, v *yaml.Node) {
				if !nameRE.MatchString(name) {
					p.fail(kn, "step name %q: want lower-case letters, digits and _", name)
				}
				if len(j.Order) >= MaxSteps {
					p.fail(kn, "more than %d steps", MaxSteps)
					return
				}
				j.Steps[name] = p.step(name, kn, v)
				j.Order = append(j.Order, name)
			})
		case "slos":
			if v.Kind != yaml.SequenceNode {
				p.fail(v, "slos: want a list of objectives such as \"api.home.latency.p99 < 300ms\"")
				return
			}
			for _, s := range v.Content {
				e := p.str(s, "slos")
				if _, err := ParseSLO(e); err != nil {
					p.fail(s, "slos: %v", err)
				}
				j.SLOs = append(j.SLOs, e)
			}
		default:
			p.fail(kn, "unknown key %q (name, description, start, vars, steps, slos)", k)
		}
	})
	p.check(j, n)
	if len(p.errs) > 0 {
		sort.SliceStable(p.errs, func(a, b int) bool { return p.errs[a].Line < p.errs[b].Line })
		return nil, p.errs
	}
	return j, nil
}

var (
	nameRE   = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
	varRE    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)
	lineRE   = regexp.MustCompile(`line (\d+)`)
	methodRE = regexp.MustCompile(`^[A-Z]{1,10}$`)
)

func yamlLine(err error) int {
	if m := lineRE.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

// mapping walks a mapping node, failing on duplicates and non-string keys.
func (p *parser) mapping(n *yaml.Node, what string, f func(k string, kn, v *yaml.Node)) {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	if n.Kind != yaml.MappingNode {
		p.fail(n, "%s: want a mapping", what)
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, v := n.Content[i], n.Content[i+1]
		for v.Kind == yaml.AliasNode {
			v = v.Alias
		}
		if kn.Kind != yaml.ScalarNode {
			p.fail(kn, "%s: keys must be plain names", what)
			continue
		}
		if seen[kn.Value] {
			p.fail(kn, "%s: %q given twice", what, kn.Value)
			continue
		}
		seen[kn.Value] = true
		f(kn.Value, kn, v)
	}
}

func (p *parser) str(n *yaml.Node, what string) string {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.fail(n, "%s: want a string", what)
		return ""
	}
	return n.Value
}

func (p *parser) float(n *yaml.Node, what string) float64 {
	s := p.str(n, what)
	f, err := strconv.ParseFloat(s, 64)
	if s != "" && (err != nil || math.IsNaN(f) || math.IsInf(f, 0)) {
		p.fail(n, "%s: want a number, got %q", what, s)
	}
	return f
}

func (p *parser) duration(n *yaml.Node, what string) scenario.Duration {
	s := p.str(n, what)
	d, err := time.ParseDuration(s)
	if s != "" && (err != nil || d < 0 || d > 24*time.Hour) {
		p.fail(n, "%s: want a duration from 0 to 24h such as 500ms or 10s, got %q", what, s)
	}
	return scenario.Duration(d)
}

func (p *parser) step(name string, kn, n *yaml.Node) *Step {
	s := &Step{Name: name, Line: kn.Line}
	p.mapping(n, "steps."+name, func(k string, kn, v *yaml.Node) {
		at := "steps." + name + "." + k
		switch k {
		case "request":
			s.Request = p.request(at, v)
		case "status":
			list := []*yaml.Node{v}
			if v.Kind == yaml.SequenceNode {
				list = v.Content
			}
			for _, c := range list {
				code, err := strconv.Atoi(p.str(c, at))
				if err != nil || code < 100 || code > 599 {
					p.fail(c, "%s: want HTTP status codes (100-599)", at)
				}
				s.Status = append(s.Status, code)
			}
		case "extract":
			s.Extract = map[string]string{}
			p.mapping(v, at, func(name string, kn, v *yaml.Node) {
				if !varRE.MatchString(name) {
					p.fail(kn, "%s: variable name %q: want letters, digits and _", at, name)
				}
				path := p.str(v, at+"."+name)
				if err := checkPath(path); err != nil {
					p.fail(v, "%s.%s: %v", at, name, err)
				}
				s.Extract[name] = path
			})
		case "think":
			s.Think = p.dist(at, v)
		case "next":
			p.mapping(v, at, func(to string, kn, v *yaml.Node) {
				w := p.float(v, at+"."+to)
				if w < 0 {
					p.fail(v, "%s.%s: weight must be >= 0", at, to)
				}
				s.Next = append(s.Next, Edge{To: to, Weight: w})
			})
		case "on_error":
			s.OnError = p.str(v, at)
		default:
			p.fail(kn, "unknown key %q in step %s (request, status, extract, think, next, on_error)", k, name)
		}
	})
	return s
}

func (p *parser) request(at string, n *yaml.Node) *Request {
	r := &Request{Method: "GET", Headers: map[string]string{}}
	p.mapping(n, at, func(k string, kn, v *yaml.Node) {
		switch k {
		case "method":
			r.Method = strings.ToUpper(p.str(v, at+".method"))
			if !methodRE.MatchString(r.Method) {
				p.fail(v, "%s.method: want an HTTP method such as GET or POST", at)
			}
		case "url":
			r.URL = p.str(v, at+".url")
		case "headers":
			p.mapping(v, at+".headers", func(h string, kn, v *yaml.Node) { r.Headers[h] = p.str(v, at+".headers."+h) })
		case "body":
			r.Body = p.str(v, at+".body")
			if len(r.Body) > MaxBodyBytes {
				p.fail(v, "%s.body: longer than %d bytes", at, MaxBodyBytes)
			}
		default:
			p.fail(kn, "unknown key %q in %s (method, url, headers, body)", k, at)
		}
	})
	if r.URL == "" {
		p.fail(n, "%s: url is required", at)
	}
	return r
}

// dist reads a think time: a duration ("10s") or a distribution in the
// scenario format ({dist: lognormal, median: 8s, sigma: 0.8, max: 2m}).
func (p *parser) dist(at string, n *yaml.Node) scenario.Dist {
	if n.Kind == yaml.ScalarNode {
		return scenario.Dist{Kind: "constant", Value: p.duration(n, at)}
	}
	var d scenario.Dist
	p.mapping(n, at, func(k string, kn, v *yaml.Node) {
		switch k {
		case "dist":
			d.Kind = p.str(v, at+".dist")
		case "value":
			d.Value = p.duration(v, at+".value")
		case "mean":
			d.Mean = p.duration(v, at+".mean")
		case "median":
			d.Median = p.duration(v, at+".median")
		case "stddev":
			d.StdDev = p.duration(v, at+".stddev")
		case "min":
			d.Min = p.duration(v, at+".min")
		case "max":
			d.Max = p.duration(v, at+".max")
		case "sigma":
			d.Sigma = p.float(v, at+".sigma")
		default:
			p.fail(kn, "unknown key %q in %s (dist, value, mean, median, sigma, stddev, min, max)", k, at)
		}
	})
	ok := true
	switch d.Kind {
	case "constant":
	case "exponential", "normal":
		ok = d.Mean > 0
	case "lognormal":
		ok = d.Median > 0 && d.Sigma >= 0 && d.Sigma <= 5
	case "uniform":
		ok = d.Max > d.Min
	default:
		p.fail(n, "%s: dist must be constant, exponential, lognormal, normal or uniform", at)
		return d
	}
	if !ok {
		p.fail(n, "%s: %s needs its parameters (exponential/normal: mean > 0; lognormal: median > 0, sigma 0..5; uniform: max > min)", at, d.Kind)
	}
	return d
}

// check validates the graph: every edge goes to a step, weights sum above
// zero, the start exists, and every {{var}} is set by vars, a builtin or
// some step's extract.
func (p *parser) check(j *Journey, root *yaml.Node) {
	if len(j.Order) == 0 {
		p.fail(root, "steps: at least one step is required")
		return
	}
	if j.Start == "" {
		j.Start = j.Order[0]
		if _, ok := j.Steps["app_start"]; ok {
			j.Start = "app_start"
		}
	}
	if _, ok := j.Steps[j.Start]; !ok {
		p.fail(root, "start: no step %q", j.Start)
	}
	known := map[string]bool{}
	for k := range j.Vars {
		known[k] = true
	}
	for _, b := range builtins {
		known[b] = true
	}
	for _, s := range j.Steps {
		for v := range s.Extract {
			known[v] = true
		}
	}
	for _, name := range j.Order {
		s := j.Steps[name]
		pos := &yaml.Node{Line: s.Line}
		var sum float64
		for _, e := range s.Next {
			if _, ok := j.Steps[e.To]; !ok && e.To != Exit {
				p.fail(pos, "steps.%s.next: no step %q", name, e.To)
			}
			sum += e.Weight
		}
		if len(s.Next) > 0 && sum <= 0 {
			p.fail(pos, "steps.%s.next: the weights sum to 0", name)
		}
		if _, ok := j.Steps[s.OnError]; s.OnError != "" && s.OnError != Exit && !ok {
			p.fail(pos, "steps.%s.on_error: no step %q", name, s.OnError)
		}
		if s.Request == nil {
			continue
		}
		texts := []string{s.Request.URL, s.Request.Body}
		for _, h := range s.Request.Headers {
			texts = append(texts, h)
		}
		for _, t := range texts {
			if err := checkTemplate(t, known); err != nil {
				p.fail(pos, "steps.%s.request: %v", name, err)
			}
		}
	}
}
