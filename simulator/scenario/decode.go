package scenario

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Pos is a position in a scenario file.
type Pos struct {
	Line, Column int
}

// scalarParser is implemented by value types written as one YAML scalar
// (durations, rates, bandwidths, percentages).
type scalarParser interface {
	parseScalar(s string) error
}

// nodeKeeper is implemented by values another package parses from the
// YAML node itself (a journey written inline), keeping its lines.
type nodeKeeper interface {
	keepNode(n *yaml.Node)
}

// decoder walks a yaml.Node tree into Go values strictly: unknown keys,
// duplicate keys, wrong kinds and bad scalars are errors carrying the
// file, line, column and dotted field path. It records the position of
// every field it sets so later validation can point at the right line.
type decoder struct {
	file string
	pos  map[string]Pos
	errs Errors
}

func (d *decoder) fail(n *yaml.Node, path, format string, a ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Line: n.Line, Column: n.Column, Field: path, Msg: fmt.Sprintf(format, a...)})
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (d *decoder) decode(n *yaml.Node, path string, v reflect.Value) {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return
		}
		d.decode(n.Content[0], path, v)
		return
	}
	d.pos[path] = Pos{n.Line, n.Column}
	if v.Kind() == reflect.Pointer {
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, path, v.Elem())
		return
	}
	if nk, ok := v.Addr().Interface().(nodeKeeper); ok {
		nk.keepNode(n)
		return
	}
	if sp, ok := v.Addr().Interface().(scalarParser); ok && n.Kind == yaml.ScalarNode {
		if err := sp.parseScalar(n.Value); err != nil {
			d.fail(n, path, "%v", err)
		}
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, path, v)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.fail(n, path, "want a list, got %s", kindName(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, c := range n.Content {
			d.decode(c, fmt.Sprintf("%s[%d]", path, i), s.Index(i))
		}
		v.Set(s)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			d.fail(n, path, "want a mapping, got %s", kindName(n))
			return
		}
		m := reflect.MakeMap(v.Type())
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if m.MapIndex(reflect.ValueOf(k.Value)).IsValid() {
				d.fail(k, join(path, k.Value), "duplicate key")
				continue
			}
			e := reflect.New(v.Type().Elem()).Elem()
			d.decode(val, join(path, k.Value), e)
			m.SetMapIndex(reflect.ValueOf(k.Value), e)
		}
		v.Set(m)
	default:
		if n.Kind != yaml.ScalarNode {
			d.fail(n, path, "want a single value, got %s", kindName(n))
			return
		}
		d.decodeScalar(n, path, v)
	}
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "nothing"
}

// Length caps on text fields: names label reports and tables, the rest
// (descriptions, URLs, paths, SLO expressions) are still a line or two.
const (
	MaxNameLen = 128
	MaxTextLen = 4096
	// MaxFileSize bounds a scenario file.
	MaxFileSize = 4 << 20
)

func maxStringLen(path string) int {
	if path == "name" || strings.HasSuffix(path, ".name") || strings.HasSuffix(path, ".cohort") || strings.HasSuffix(path, ".abr") {
		return MaxNameLen
	}
	return MaxTextLen
}

func (d *decoder) decodeScalar(n *yaml.Node, path string, v reflect.Value) {
	s := n.Value
	switch v.Kind() {
	case reflect.String:
		if limit := maxStringLen(path); len(s) > limit {
			d.fail(n, path, "too long: %d bytes, at most %d", len(s), limit)
			return
		}
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			d.fail(n, path, "want true or false, got %q", s)
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64, reflect.Int32:
		i, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 10, 64)
		if err != nil || v.OverflowInt(i) {
			d.fail(n, path, "want an integer, got %q", s)
			return
		}
		v.SetInt(i)
	case reflect.Uint64, reflect.Uint32, reflect.Uint:
		i, err := strconv.ParseUint(strings.ReplaceAll(s, "_", ""), 10, 64)
		if err != nil || v.OverflowUint(i) {
			d.fail(n, path, "want a non-negative integer, got %q", s)
			return
		}
		v.SetUint(i)
	case reflect.Float64:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			d.fail(n, path, "want a number, got %q", s)
			return
		}
		v.SetFloat(f)
	default:
		d.fail(n, path, "unsupported field type %s", v.Type())
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "want a mapping, got %s", kindName(n))
		return
	}
	t := v.Type()
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		key := k.Value
		fp := join(path, key)
		if seen[key] {
			d.fail(k, fp, "duplicate key")
			continue
		}
		seen[key] = true
		fi, ok := fieldByTag(t, key)
		if !ok {
			d.fail(k, fp, "unknown field %q (known: %s)", key, strings.Join(fieldNames(t), ", "))
			continue
		}
		d.decode(val, fp, v.Field(fi))
	}
}

func fieldByTag(t reflect.Type, key string) (int, bool) {
	for i := 0; i < t.NumField(); i++ {
		if tagName(t.Field(i)) == key {
			return i, true
		}
	}
	return 0, false
}

func tagName(f reflect.StructField) string {
	tag := f.Tag.Get("yaml")
	if tag == "" || tag == "-" || !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(tag, ",")
	return name
}

func fieldNames(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		if n := tagName(t.Field(i)); n != "" {
			out = append(out, n)
		}
	}
	return out
}
