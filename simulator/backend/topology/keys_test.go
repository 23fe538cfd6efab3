package topology

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSigningKeyFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("good.key", "  0123456789abcdef0123  \n")
	write("weak.key", "abrkit-demo-signing-key\n")
	tests := []struct {
		name, file string
		key        string
		err        bool
	}{
		{"relative file", "good.key", "0123456789abcdef0123", false},
		{"demo key in file", "weak.key", "", true},
		{"missing file", "nope.key", "", true},
	}
	for _, tt := range tests {
		topo := write(tt.name+".yaml", "signing_key: ignored-because-file-wins\nsigning_key_file: "+tt.file+"\nregions:\n  - id: eu\n    edges: [{id: e1}]\n")
		got, err := Load(topo)
		if tt.err {
			var e *Error
			if !errors.As(err, &e) || e.Field != "signing_key_file" {
				t.Errorf("%s: Load = %v; want an error on field signing_key_file", tt.name, err)
			}
			continue
		}
		if err != nil || got.SigningKey != tt.key {
			t.Errorf("%s: Load = key %q, %v; want %q", tt.name, got.SigningKey, err, tt.key)
		}
	}
}
