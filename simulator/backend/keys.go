package backend

import (
	"errors"
	"fmt"

	"github.com/abrkit/abrkit/simulator/backend/server"
	"github.com/abrkit/abrkit/simulator/backend/topology"
)

// Environment variables read by ResolveKey and the serve command.
const (
	// EnvSigningKey holds the master signing key; it overrides the
	// topology's signing_key and signing_key_file.
	EnvSigningKey = "ABRKIT_SIGNING_KEY"
	// EnvAdminToken holds the admin listener's bearer token.
	EnvAdminToken = "ABRKIT_ADMIN_TOKEN"
)

// ErrNoKey is returned by ResolveKey when a key is required and none is
// configured (separate processes must share one).
var ErrNoKey = errors.New("no signing key configured: set " + EnvSigningKey + " or signing_key_file in the topology")

// KeySource says where the master key came from.
type KeySource string

// Key sources.
const (
	KeyFromTopology KeySource = "topology"
	KeyFromEnv      KeySource = "environment"
	KeyRandom       KeySource = "random"
)

// ResolveKey sets t.SigningKey from the environment (getenv may be nil)
// or keeps the topology's, and checks it. With neither it returns
// KeyRandom (Start then makes a random key for its run), or ErrNoKey
// when required.
func ResolveKey(t *topology.Topology, getenv func(string) string, required bool) (KeySource, error) {
	if getenv != nil {
		if k := getenv(EnvSigningKey); k != "" {
			if err := topology.CheckKey(k); err != nil {
				return "", fmt.Errorf("%s: %w", EnvSigningKey, err)
			}
			t.SigningKey = k
			return KeyFromEnv, nil
		}
	}
	if t.SigningKey != "" {
		return KeyFromTopology, topology.CheckKey(t.SigningKey)
	}
	if required {
		return "", ErrNoKey
	}
	return KeyRandom, nil
}

// resolveOrRandom is Start's resolution: the configured key, else a
// random one.
func resolveOrRandom(t *topology.Topology) (KeySource, error) {
	src, err := ResolveKey(t, nil, false)
	if src == KeyRandom {
		t.SigningKey = server.NewToken() + server.NewToken()
	}
	return src, err
}
