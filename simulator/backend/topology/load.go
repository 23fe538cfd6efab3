package topology

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// ErrInvalid is wrapped by every [Error]: branch on it with errors.Is.
var ErrInvalid = errors.New("invalid topology")

// Error is a bad topology file: it names the file, the line and the field.
type Error struct {
	File  string
	Line  int    // 0 when unknown
	Field string // dotted path such as "regions[1].edges[0].capacity"; may be empty
	Msg   string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString("field " + strconv.Quote(e.Field) + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *Error) Unwrap() error { return ErrInvalid }

// Load reads, checks and completes a topology file. A relative catalog
// file or content directory is resolved against the file's directory.
func Load(path string) (*Topology, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t, err := Parse(data, path)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	if t.Catalog.File != "" && !filepath.IsAbs(t.Catalog.File) {
		t.Catalog.File = filepath.Join(dir, t.Catalog.File)
	}
	if t.Catalog.Content != "" && !filepath.IsAbs(t.Catalog.Content) {
		t.Catalog.Content = filepath.Join(dir, t.Catalog.Content)
	}
	for i := range t.Channels {
		if c := &t.Channels[i]; c.Source != "" && !filepath.IsAbs(c.Source) {
			c.Source = filepath.Join(dir, c.Source)
		}
	}
	if f := t.SigningKeyFile; f != "" {
		if !filepath.IsAbs(f) {
			f = filepath.Join(dir, f)
		}
		key, err := ReadKeyFile(f)
		if err != nil {
			return nil, &Error{File: path, Line: 0, Field: "signing_key_file", Msg: err.Error()}
		}
		t.SigningKey = key
	}
	return t, nil
}

var typeErrRe = regexp.MustCompile(`^line (\d+): (?:field (\S+) not found in type \S+|(.*))$`)

// Parse decodes a topology strictly (unknown fields are errors), applies
// defaults and validates it. name is used in error messages.
func Parse(data []byte, name string) (*Topology, error) {
	var t Topology
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&t); err != nil && !errors.Is(err, io.EOF) {
		return nil, yamlError(err, name)
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root)
	t.ApplyDefaults()
	if err := t.validate(); err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.File = name
			e.Line = lineOf(&root, e.Field)
		}
		return nil, err
	}
	return &t, nil
}

func yamlError(err error, name string) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		m := typeErrRe.FindStringSubmatch(te.Errors[0])
		if m != nil {
			line, _ := strconv.Atoi(m[1])
			if m[2] != "" {
				return &Error{File: name, Line: line, Field: m[2], Msg: "unknown field"}
			}
			return &Error{File: name, Line: line, Msg: m[3]}
		}
		return &Error{File: name, Msg: te.Errors[0]}
	}
	var e *Error
	if errors.As(err, &e) {
		e.File = name
		return e
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := regexp.MustCompile(`^line (\d+): (.*)$`).FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: name, Line: line, Msg: m[2]}
	}
	return &Error{File: name, Msg: msg}
}

// lineOf finds the line of a dotted field path like "regions[1].edges[0].id"
// in a YAML document; 0 when absent.
func lineOf(root *yaml.Node, path string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	if path == "" {
		return line
	}
	for _, part := range strings.Split(path, ".") {
		key, idx := part, -1
		if i := strings.IndexByte(part, '['); i >= 0 && strings.HasSuffix(part, "]") {
			key = part[:i]
			idx, _ = strconv.Atoi(part[i+1 : len(part)-1])
		}
		if n.Kind != yaml.MappingNode {
			return line
		}
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				line, n, found = n.Content[i].Line, n.Content[i+1], true
				break
			}
		}
		if !found {
			return line
		}
		if idx >= 0 {
			if n.Kind != yaml.SequenceNode || idx >= len(n.Content) {
				return line
			}
			n = n.Content[idx]
			line = n.Line
		}
	}
	return line
}

func (t *Topology) validate() error {
	bad := func(field, format string, a ...any) error {
		return &Error{Field: field, Msg: fmt.Sprintf(format, a...)}
	}
	if len(t.Regions) == 0 {
		return bad("regions", "at least one region is needed")
	}
	if t.URLTTL < 0 || t.HealthInterval < 0 {
		return bad("health_interval", "durations must not be negative")
	}
	if t.MemoryBudget != 0 && t.MemoryBudget < MinMemoryBudget {
		return bad("memory_budget", "must be at least %s, not %s", MinMemoryBudget, t.MemoryBudget)
	}
	c := t.Catalog
	sources := 0
	for _, set := range []bool{c.File != "", len(c.Titles) > 0, c.Generate > 0} {
		if set {
			sources++
		}
	}
	if sources > 1 {
		return bad("catalog", "set only one of file, titles and generate")
	}
	if c.Generate < 0 || c.Generate > 10000 {
		return bad("catalog.generate", "must be between 1 and 10000, not %d", c.Generate)
	}
	if r := c.Release; r != nil {
		n := c.Generate + len(c.Titles)
		switch {
		case r.At < 0:
			return bad("catalog.release.at", "must not be negative")
		case r.Rows < 0 || r.Rows > 1000:
			return bad("catalog.release.rows", "must be between 0 and 1000, not %d", r.Rows)
		case r.Titles < 0 || (n > 0 && r.Titles >= n):
			return bad("catalog.release.titles", "must be between 0 and %d (the catalog's titles less one), not %d", max(n-1, 0), r.Titles)
		case r.Rows == 0 && r.Titles == 0:
			return bad("catalog.release", "a release needs rows or titles")
		}
	}
	titles := map[string]bool{}
	for i, ti := range c.Titles {
		f := fmt.Sprintf("catalog.titles[%d]", i)
		if !validID(ti.ID) {
			return bad(f+".id", "%q is not a valid id (letters, digits, '-', '_', '.')", ti.ID)
		}
		if titles[ti.ID] {
			return bad(f+".id", "duplicate title %q", ti.ID)
		}
		titles[ti.ID] = true
		if ti.Duration <= 0 {
			return bad(f+".duration", "must be positive")
		}
		if ti.SegmentDuration < 0 {
			return bad(f+".segment_duration", "must not be negative")
		}
		for j, k := range ti.LadderKbps {
			if k <= 0 {
				return bad(fmt.Sprintf("%s.ladder_kbps[%d]", f, j), "must be positive, not %d", k)
			}
		}
		switch ti.Encryption {
		case "", "aes-128", "cenc", "cbcs":
		default:
			return bad(f+".encryption", "%q: use aes-128, cenc or cbcs", ti.Encryption)
		}
	}
	edges, regions := map[string]bool{}, map[string]bool{}
	for i, r := range t.Regions {
		f := fmt.Sprintf("regions[%d]", i)
		if !validID(r.ID) {
			return bad(f+".id", "%q is not a valid id", r.ID)
		}
		if regions[r.ID] {
			return bad(f+".id", "duplicate region %q", r.ID)
		}
		regions[r.ID] = true
		if len(r.Edges) == 0 {
			return bad(f+".edges", "region %q has no edges", r.ID)
		}
		for j, e := range r.Edges {
			g := fmt.Sprintf("%s.edges[%d]", f, j)
			if !validID(e.ID) {
				return bad(g+".id", "%q is not a valid id", e.ID)
			}
			if edges[e.ID] {
				return bad(g+".id", "duplicate edge %q", e.ID)
			}
			edges[e.ID] = true
			if e.MaxConnections < 0 {
				return bad(g+".max_connections", "must not be negative")
			}
			if e.RTT < 0 {
				return bad(g+".rtt", "must not be negative")
			}
		}
	}
	cp := t.ControlPlane
	if cp.MaxInFlight < 0 {
		return bad("control_plane.max_in_flight", "must not be negative")
	}
	if cp.RateLimit.Burst < 0 {
		return bad("control_plane.rate_limit.burst", "must not be negative")
	}
	if cp.Breaker.Failures < 0 || cp.Breaker.Cooldown < 0 {
		return bad("control_plane.breaker", "must not be negative")
	}
	if cp.EventQueue < 0 || cp.MaxEventBatch < 0 {
		return bad("control_plane.event_queue", "must not be negative")
	}
	for name, s := range map[string]Service{"auth": cp.Services.Auth, "playback": cp.Services.Playback, "steering": cp.Services.Steering, "telemetry": cp.Services.Telemetry} {
		st := s.ServiceTime
		if st.Median < 0 || (st.P99 != 0 && st.P99 < st.Median) {
			return bad("control_plane.services."+name+".service_time", "need 0 <= median <= p99")
		}
	}
	if err := t.validateLive(titles); err != nil {
		return err
	}
	return t.validateAccess(regions)
}

// validateAccess checks the signing key and the users.
func (t *Topology) validateAccess(regions map[string]bool) error {
	bad := func(field, format string, a ...any) error {
		return &Error{Field: field, Msg: fmt.Sprintf(format, a...)}
	}
	if t.SigningKey != "" {
		if err := CheckKey(t.SigningKey); err != nil {
			return bad("signing_key", "%v", err)
		}
	}
	for i, u := range t.Users {
		if u.Name == "" || (u.Password == "" && u.PasswordHash == "") {
			return bad(fmt.Sprintf("users[%d]", i), "name and password_hash must not be empty")
		}
		if u.Password != "" && u.PasswordHash != "" {
			return bad(fmt.Sprintf("users[%d].password", i), "set password_hash or password, not both")
		}
		if u.PasswordHash != "" && !strings.HasPrefix(u.PasswordHash, "$2") {
			return bad(fmt.Sprintf("users[%d].password_hash", i), "not a bcrypt hash (make one with abrkit serve hash-password)")
		}
		if u.Region != "" && !regions[u.Region] {
			return bad(fmt.Sprintf("users[%d].region", i), "unknown region %q", u.Region)
		}
	}
	return nil
}

// validID accepts ids usable as URL path segments.
func validID(s string) bool {
	if s == "" || len(s) > 64 || s == "." || s == ".." {
		return false
	}
	for _, c := range s {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
		if !ok {
			return false
		}
	}
	return true
}

// ValidID reports whether s is usable as a region, edge or title id.
func ValidID(s string) bool { return validID(s) }
