package journey

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestExpandAndExtract(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	vars := map[string]string{"base": "http://h", "id": "t1"}
	for _, c := range []struct{ in, want, err string }{
		{"{{base}}/v1/titles/{{id}}", "http://h/v1/titles/t1", ""},
		{"{{ id }}", "t1", ""},
		{"{{pick:a}}", "a", ""},
		{"plain", "plain", ""},
		{"{{token}}", "", "{{token}} is not set yet"},
		{"{{base", "", "unclosed"},
	} {
		got, err := expand(c.in, vars, rng)
		if got != c.want || (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("expand(%q) = %q, %v; want %q, %q", c.in, got, err, c.want, c.err)
		}
	}
	var doc any
	_ = json.Unmarshal([]byte(`{"auth":{"token":"x"},"rows":[{"id":"row-1","items":[{"id":"t9","n":3,"ok":true}]}],"empty":[]}`), &doc)
	for _, c := range []struct{ path, want, err string }{
		{"auth.token", "x", ""},
		{"rows.0.items.0.id", "t9", ""},
		{"rows.*.items.*.id", "t9", ""},
		{"rows.0.items.0.n", "3", ""},
		{"rows.0.items.0.ok", "true", ""},
		{"rows.1.id", "", "not an index"},
		{"empty.*", "", "empty list"},
		{"auth.token.x", "", "below a scalar"},
		{"rows", "", "not a scalar"},
		{"nope", "", `no field "nope"`},
	} {
		got, err := extract(doc, c.path, rng)
		if got != c.want || (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("extract(%q) = %q, %v; want %q, %q", c.path, got, err, c.want, c.err)
		}
	}
}

func FuzzTemplateAndExtract(f *testing.F) {
	f.Add("{{base}}/x/{{pick:a|b}}/{{id}}", `{"a":[{"b":"c"}]}`, "a.*.b")
	f.Add("{{", `[]`, "*")
	f.Add("{{pick:}}", `{"x":null}`, "x")
	f.Fuzz(func(t *testing.T, tmpl, js, path string) {
		rng := rand.New(rand.NewPCG(1, 1))
		known := map[string]bool{"base": true, "id": true}
		out, err := expand(tmpl, map[string]string{"base": "b", "id": "i"}, rng)
		if checkTemplate(tmpl, known) == nil && err != nil && !strings.Contains(err.Error(), "more than") {
			t.Fatalf("checked template %q failed to expand: %v", tmpl, err)
		}
		if err == nil && strings.Count(out, "{{") > strings.Count(tmpl, "{{") {
			t.Fatalf("expansion grew the template markers: %q -> %q", tmpl, out)
		}
		if checkPath(path) != nil {
			return
		}
		var doc any
		if json.Unmarshal([]byte(js), &doc) == nil {
			_, _ = extract(doc, path, rng)
		}
	})
}
