package topology

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// ErrWeakKey is wrapped by CheckKey's errors.
var ErrWeakKey = errors.New("unusable signing key")

// maxKeyFile bounds a key file read.
const maxKeyFile = 4096

// CheckKey refuses keys shorter than MinSigningKeyLen and the fixed key of
// early releases.
func CheckKey(key string) error {
	switch {
	case key == RefusedSigningKey:
		return fmt.Errorf("%w: %q is a published demo key", ErrWeakKey, key)
	case len(key) < MinSigningKeyLen:
		return fmt.Errorf("%w: %d bytes, need at least %d", ErrWeakKey, len(key), MinSigningKeyLen)
	}
	return nil
}

// ReadKeyFile reads a master key from a file (surrounding white space is
// dropped) and checks it.
func ReadKeyFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	buf := make([]byte, maxKeyFile+1)
	n, _ := f.Read(buf)
	if n > maxKeyFile {
		return "", fmt.Errorf("%w: %s is larger than %d bytes", ErrWeakKey, path, maxKeyFile)
	}
	key := strings.TrimSpace(string(buf[:n]))
	if err := CheckKey(key); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}

// Warnings lists what is allowed but unsafe in t: plain-text passwords.
func (t *Topology) Warnings() []string {
	var out []string
	for i, u := range t.Users {
		if u.Password != "" {
			out = append(out, fmt.Sprintf("users[%d] (%s): plain-text password; store a password_hash made with 'abrkit serve hash-password'", i, u.Name))
		}
	}
	return out
}
