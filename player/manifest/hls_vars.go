package manifest

import (
	"fmt"
	"net/url"
	"strings"
)

// hlsVars holds EXT-X-DEFINE variables (RFC 8216bis section 4.4.2.3) and
// substitutes {$name} references.
type hlsVars struct {
	uri     string
	defs    map[string]string
	imports map[string]string // the master's variables; nil when unknown
	attrs   attrList
}

// define handles one EXT-X-DEFINE attribute list.
func (v *hlsVars) define(val string) (field string, err error) {
	if v.attrs, err = parseAttrs(val, v.attrs); err != nil {
		return "", err
	}
	name, hasName := v.attrs.get("NAME")
	value, hasValue := v.attrs.get("VALUE")
	param, hasParam := v.attrs.get("QUERYPARAM")
	imp, hasImport := v.attrs.get("IMPORT")
	set := func(n, x string) error {
		if n == "" || strings.ContainsAny(n, "{}$ ") {
			return fmt.Errorf("bad variable name %q", n)
		}
		if _, dup := v.defs[n]; dup {
			return fmt.Errorf("variable %q defined twice", n)
		}
		if v.defs == nil {
			v.defs = map[string]string{}
		}
		v.defs[n] = x
		return nil
	}
	switch {
	case hasName && hasValue && !hasParam && !hasImport:
		return "NAME", set(name, value)
	case hasParam && !hasName && !hasImport:
		u, err := url.Parse(v.uri)
		if err != nil {
			return "QUERYPARAM", err
		}
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil || !q.Has(param) {
			return "QUERYPARAM", fmt.Errorf("the playlist URI has no query parameter %q", param)
		}
		return "QUERYPARAM", set(param, q.Get(param))
	case hasImport && !hasName && !hasParam:
		if v.imports == nil {
			return "", nil // unknown master: references will fail if used
		}
		x, ok := v.imports[imp]
		if !ok {
			return "IMPORT", fmt.Errorf("variable %q is not defined in the master playlist", imp)
		}
		return "IMPORT", set(imp, x)
	}
	return "", fmt.Errorf("want NAME and VALUE, QUERYPARAM or IMPORT")
}

// maxExpandedLine bounds a line after variable substitution, so that a
// hostile playlist cannot multiply its size.
const maxExpandedLine = 1 << 20

// expand replaces every {$name} in l.
func (v *hlsVars) expand(l string) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(l, "{$")
		if i < 0 {
			b.WriteString(l)
			return b.String(), nil
		}
		j := strings.IndexByte(l[i:], '}')
		if j < 0 {
			return "", fmt.Errorf("unterminated variable reference in %q", l)
		}
		name := l[i+2 : i+j]
		x, ok := v.defs[name]
		if !ok {
			return "", fmt.Errorf("undefined variable %q", name)
		}
		b.WriteString(l[:i])
		b.WriteString(x)
		l = l[i+j+1:]
		if b.Len() > maxExpandedLine {
			return "", fmt.Errorf("line longer than %d bytes after substitution", maxExpandedLine)
		}
	}
}

// prepare applies variables to a playlist line: EXT-X-DEFINE lines are
// recorded (done is true), other tags and URI lines get {$name} replaced.
func (v *hlsVars) prepare(line int, l string) (out string, done bool, err error) {
	if strings.HasPrefix(l, "#EXT-X-DEFINE:") {
		field, err := v.define(l[len("#EXT-X-DEFINE:"):])
		if err != nil {
			f := "EXT-X-DEFINE"
			if field != "" {
				f += " " + field
			}
			return "", true, hlsError(v.uri, line, f, "", err)
		}
		return "", true, nil
	}
	if !strings.Contains(l, "{$") || (l[0] == '#' && !strings.HasPrefix(l, "#EXT")) {
		return l, false, nil
	}
	tag := "URI"
	if l[0] == '#' {
		tag, _ = splitTag(l)
	}
	out, err = v.expand(l)
	if err != nil {
		return "", false, hlsError(v.uri, line, tag, "", err)
	}
	return out, false, nil
}
