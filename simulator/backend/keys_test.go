package backend

import (
	"errors"
	"testing"

	"github.com/abrkit/abrkit/simulator/backend/topology"
)

func TestResolveKey(t *testing.T) {
	const good, other = "0123456789abcdef-good", "0123456789abcdef-other"
	tests := []struct {
		name, topo, env string
		required        bool
		want            KeySource
		key             string
		err             error
	}{
		{"env wins", other, good, true, KeyFromEnv, good, nil},
		{"topology", other, "", true, KeyFromTopology, other, nil},
		{"random", "", "", false, KeyRandom, "", nil},
		{"required", "", "", true, "", "", ErrNoKey},
		{"demo key in env", "", topology.RefusedSigningKey, false, "", "", topology.ErrWeakKey},
		{"short env key", "", "short", false, "", "", topology.ErrWeakKey},
	}
	for _, tt := range tests {
		tp := topology.Default()
		tp.SigningKey = tt.topo
		got, err := ResolveKey(tp, func(string) string { return tt.env }, tt.required)
		if !errors.Is(err, tt.err) || got != tt.want || (tt.err == nil && tp.SigningKey != tt.key) {
			t.Errorf("%s: ResolveKey = %q, %v (key %q); want %q, %v (key %q)", tt.name, got, err, tp.SigningKey, tt.want, tt.err, tt.key)
		}
	}
}
