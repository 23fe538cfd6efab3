package signing

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors Verify and VerifyToken wrap.
var (
	ErrExpired = errors.New("signature expired")
	ErrForged  = errors.New("signature does not match")
	ErrBadPath = errors.New("malformed signed path")
)

// Prefix starts every signed path.
const Prefix = "/s/"

// Signer signs bearer tokens and edge URLs, each with its own key derived
// from one master key, so a leak or a forgery of one kind says nothing of
// the other.
type Signer struct {
	keys Keys
}

// New returns a Signer for the master key.
func New(master string) *Signer { return &Signer{keys: Derive(master)} }

// Keys are the purpose keys derived from a master key.
type Keys struct {
	Token  []byte // bearer tokens
	URL    []byte // signed edge paths
	Report []byte // edge reports to the internal listener
	// Content derives the content keys of encrypted titles.
	Content []byte
}

// Derive returns the purpose keys of master: HMAC-SHA256(master, label).
func Derive(master string) Keys {
	d := func(label string) []byte {
		m := hmac.New(sha256.New, []byte(master))
		m.Write([]byte("abrkit/v1/" + label))
		return m.Sum(nil)
	}
	return Keys{Token: d("token"), URL: d("url"), Report: d("report"), Content: d("content")}
}

// ContentKey is an encrypted title's key id, AES-128 key and IV, derived
// from master (HMAC-SHA256 under the content key, per title and purpose):
// random per run with a random master key, stable with a configured one,
// and the same in every process that shares the master key, so the
// origin's packager and the control plane's key server agree without
// talking. The key id reveals nothing of the key.
func ContentKey(master, title string) (kid, key, iv [16]byte) {
	ck := Derive(master).Content
	d := func(purpose string) (out [16]byte) {
		m := hmac.New(sha256.New, ck)
		m.Write([]byte(purpose + "/" + title))
		copy(out[:], m.Sum(nil))
		return out
	}
	return d("kid"), d("key"), d("iv")
}

// SignReport returns the hex HMAC-SHA256 of an edge report body under the
// report key derived from master.
func SignReport(master string, body []byte) string {
	m := hmac.New(sha256.New, Derive(master).Report)
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyReport checks a report body's signature in constant time.
func VerifyReport(master string, body []byte, sig string) bool {
	return hmac.Equal([]byte(sig), []byte(SignReport(master, body)))
}

// parseExpiry accepts only the canonical decimal form of a non-negative
// Unix time (no sign, no leading zero), so one expiry has one spelling and
// one signature.
func parseExpiry(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != s {
		return 0, false
	}
	return n, true
}

func mac(key []byte, parts ...string) string {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// Path returns the signed path of file in title's directory, valid until
// exp: "/s/{exp}/{sig}/{title}/{file}". file may be empty for the directory.
func (s *Signer) Path(title, file string, exp time.Time) string {
	e := strconv.FormatInt(exp.Unix(), 10)
	return Prefix + e + "/" + mac(s.keys.URL, "url", title, e) + "/" + title + "/" + file
}

// Resource is what a verified path names.
type Resource struct {
	Title   string
	File    string // relative path in the title's directory, never empty
	Expires time.Time
}

// Parse splits a signed path without checking the signature. It rejects
// paths that are not clean: empty, "." or ".." segments, backslashes, NUL.
func Parse(path string) (Resource, string, error) {
	rest, ok := strings.CutPrefix(path, Prefix)
	if !ok {
		return Resource{}, "", fmt.Errorf("%w: %q lacks %s", ErrBadPath, path, Prefix)
	}
	parts := strings.SplitN(rest, "/", 4)
	if len(parts) != 4 {
		return Resource{}, "", fmt.Errorf("%w: %q", ErrBadPath, path)
	}
	exp, ok := parseExpiry(parts[0])
	if !ok {
		return Resource{}, "", fmt.Errorf("%w: bad expiry %q", ErrBadPath, parts[0])
	}
	if !CleanID(parts[2]) {
		return Resource{}, "", fmt.Errorf("%w: bad title %q", ErrBadPath, parts[2])
	}
	if !CleanFile(parts[3]) {
		return Resource{}, "", fmt.Errorf("%w: bad file %q", ErrBadPath, parts[3])
	}
	return Resource{Title: parts[2], File: parts[3], Expires: time.Unix(exp, 0)}, parts[1], nil
}

// Verify checks a signed path at time now.
func (s *Signer) Verify(path string, now time.Time) (Resource, error) {
	r, sig, err := Parse(path)
	if err != nil {
		return Resource{}, err
	}
	e := strconv.FormatInt(r.Expires.Unix(), 10)
	if !hmac.Equal([]byte(sig), []byte(mac(s.keys.URL, "url", r.Title, e))) {
		return Resource{}, fmt.Errorf("%w: %s", ErrForged, r.Title)
	}
	if !now.Before(r.Expires) {
		return Resource{}, fmt.Errorf("%w at %s", ErrExpired, r.Expires.UTC().Format(time.RFC3339))
	}
	return r, nil
}

// CleanID reports whether s is a usable id: 1-64 of [A-Za-z0-9._-], not "." or "..".
func CleanID(s string) bool {
	if s == "" || len(s) > 64 || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// CleanFile reports whether p is a clean relative path made of CleanID
// segments (so no traversal, no absolute path, no hidden tricks).
func CleanFile(p string) bool {
	if p == "" || len(p) > 512 {
		return false
	}
	for _, seg := range strings.Split(p, "/") {
		if !CleanID(seg) {
			return false
		}
	}
	return true
}

// Claims are what a bearer token says.
type Claims struct {
	User    string
	Region  string // may be empty
	Expires time.Time
}

// Token issues a bearer token for c: "{user b64}.{region}.{exp}.{sig}".
func (s *Signer) Token(c Claims) string {
	u := base64.RawURLEncoding.EncodeToString([]byte(c.User))
	e := strconv.FormatInt(c.Expires.Unix(), 10)
	return u + "." + c.Region + "." + e + "." + mac(s.keys.Token, "token", u, c.Region, e)
}

// VerifyToken checks a bearer token at time now.
func (s *Signer) VerifyToken(tok string, now time.Time) (Claims, error) {
	if len(tok) > 1024 {
		return Claims{}, fmt.Errorf("%w: token too long", ErrForged)
	}
	p := strings.Split(tok, ".")
	if len(p) != 4 {
		return Claims{}, fmt.Errorf("%w: malformed token", ErrForged)
	}
	if !hmac.Equal([]byte(p[3]), []byte(mac(s.keys.Token, "token", p[0], p[1], p[2]))) {
		return Claims{}, fmt.Errorf("%w: bad token signature", ErrForged)
	}
	user, err := base64.RawURLEncoding.DecodeString(p[0])
	exp, ok := parseExpiry(p[2])
	if err != nil || !ok {
		return Claims{}, fmt.Errorf("%w: malformed token", ErrForged)
	}
	c := Claims{User: string(user), Region: p[1], Expires: time.Unix(exp, 0)}
	if !now.Before(c.Expires) {
		return Claims{}, fmt.Errorf("token %w", ErrExpired)
	}
	return c, nil
}
