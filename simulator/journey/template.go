package journey

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// builtins are the variables every viewer has: base (the target URL),
// viewer (unique per session), member (the account: the same for every
// session of one viewer slot, so members come back as they do to a real
// service), n (how many times the current step has run in the session),
// elapsed (whole seconds since the session began) and rand (a random
// number).
var builtins = []string{"base", "viewer", "member", "n", "elapsed", "rand"}

// maxTemplateVars bounds the {{...}} in one string.
const maxTemplateVars = 64

// checkTemplate checks that every {{name}} or {{pick:a|b}} in s is well
// formed and every name is known.
func checkTemplate(s string, known map[string]bool) error {
	for i := 0; ; i++ {
		a := strings.Index(s, "{{")
		if a < 0 {
			return nil
		}
		if i >= maxTemplateVars {
			return fmt.Errorf("more than %d {{...}}", maxTemplateVars)
		}
		b := strings.Index(s[a:], "}}")
		if b < 0 {
			return errors.New("unclosed {{")
		}
		expr := strings.TrimSpace(s[a+2 : a+b])
		if opts, ok := strings.CutPrefix(expr, "pick:"); ok {
			if opts == "" {
				return errors.New("{{pick:...}} needs choices separated by |")
			}
		} else if !varRE.MatchString(expr) {
			return fmt.Errorf("bad {{%s}}: want {{name}} or {{pick:a|b|c}}", expr)
		} else if !known[expr] {
			return fmt.Errorf("{{%s}} is not set by vars, a builtin (base, viewer, member, n, elapsed, rand) or any step's extract", expr)
		}
		s = s[a+b+2:]
	}
}

// expand fills s's {{...}} from vars; a variable not set yet is an error
// (the step that extracts it has not run on this path).
func expand(s string, vars map[string]string, rng *rand.Rand) (string, error) {
	if !strings.Contains(s, "{{") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i <= maxTemplateVars; i++ {
		a := strings.Index(s, "{{")
		if a < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		e := strings.Index(s[a:], "}}")
		if e < 0 {
			return "", errors.New("unclosed {{")
		}
		b.WriteString(s[:a])
		expr := strings.TrimSpace(s[a+2 : a+e])
		switch opts, pick := strings.CutPrefix(expr, "pick:"); {
		case pick:
			c := strings.Split(opts, "|")
			b.WriteString(c[rng.IntN(len(c))])
		case expr == "rand":
			b.WriteString(strconv.Itoa(rng.IntN(1 << 30)))
		default:
			v, ok := vars[expr]
			if !ok {
				return "", fmt.Errorf("{{%s}} is not set yet", expr)
			}
			b.WriteString(v)
		}
		s = s[a+e+2:]
	}
	return "", fmt.Errorf("more than %d {{...}}", maxTemplateVars)
}

// maxPathParts bounds a JSON path.
const maxPathParts = 16

// checkPath checks a dotted JSON path: names, indices and * (any element).
func checkPath(path string) error {
	if path == "" {
		return errors.New("empty JSON path")
	}
	parts := strings.Split(path, ".")
	if len(parts) > maxPathParts {
		return fmt.Errorf("JSON path deeper than %d", maxPathParts)
	}
	for _, p := range parts {
		if p == "" {
			return fmt.Errorf("JSON path %q has an empty part", path)
		}
	}
	return nil
}

// extract follows path through a decoded JSON value; "*" picks a random
// element of an array (or value of an object), a number indexes an array.
// The result is a string, a number or a boolean as text.
func extract(v any, path string, rng *rand.Rand) (string, error) {
	for _, p := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			if p == "*" {
				if len(x) == 0 {
					return "", fmt.Errorf("%s: empty object", path)
				}
				keys := make([]string, 0, len(x))
				for k := range x {
					keys = append(keys, k)
				}
				v = x[keys[rng.IntN(len(keys))]]
				continue
			}
			nv, ok := x[p]
			if !ok {
				return "", fmt.Errorf("%s: no field %q", path, p)
			}
			v = nv
		case []any:
			if len(x) == 0 {
				return "", fmt.Errorf("%s: empty list at %q", path, p)
			}
			if p == "*" {
				v = x[rng.IntN(len(x))]
				continue
			}
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(x) {
				return "", fmt.Errorf("%s: %q is not an index of a list of %d", path, p, len(x))
			}
			v = x[i]
		default:
			return "", fmt.Errorf("%s: %q is below a scalar", path, p)
		}
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	case nil:
		return "", fmt.Errorf("%s: null", path)
	}
	return "", fmt.Errorf("%s: not a scalar", path)
}
