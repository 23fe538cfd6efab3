package journey

import _ "embed"

//go:embed default.yaml
var defaultYAML []byte

// DefaultYAML returns the default journey's file.
func DefaultYAML() []byte { return append([]byte(nil), defaultYAML...) }

// Default returns abrkit's default journey against `abrkit serve`.
func Default() *Journey {
	j, err := Parse(defaultYAML, "default.yaml")
	if err != nil {
		panic(err) // the embedded file is tested
	}
	return j
}
