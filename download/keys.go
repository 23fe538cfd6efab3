package download

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/abrkit/abrkit/player"
)

// ErrLicenseExpired is returned by OpenOffline when the stored keys of a
// protected download have expired; it wraps ErrExpired.
var ErrLicenseExpired = fmt.Errorf("license expired: %w", ErrExpired)

// Keys are the content keys of a protected download. Media is stored
// encrypted as downloaded; the keys live only in a KeyStore.
type Keys struct {
	// AES holds HLS AES-128 keys by key URI (as the offline playlist
	// names it).
	AES map[string][]byte `json:"aes,omitempty"`
	// KIDs holds CENC keys by key ID (32 lowercase hex digits).
	KIDs map[string][]byte `json:"kids,omitempty"`
	// Expires is when the license ends and offline playback stops being
	// allowed (zero: never); the download's Request.Expires.
	Expires time.Time `json:"expires,omitzero"`
}

// Expired reports whether the keys may no longer be used at now.
func (k *Keys) Expired(now time.Time) bool { return !k.Expires.IsZero() && !now.Before(k.Expires) }

// LoadKey answers an HLS key request from the stored keys (the
// player.KeyLoader method set).
func (k *Keys) LoadKey(_ context.Context, uri string) ([]byte, error) {
	if key, ok := k.AES[uri]; ok {
		return key, nil
	}
	return nil, fmt.Errorf("no stored key for %s: %w", uri, ErrNotFound)
}

// KeyStore keeps the content keys of protected downloads. An app with a
// secure store (a keychain, a TEE) implements it; FileKeyStore is the
// default.
type KeyStore interface {
	PutKeys(id string, k *Keys) error
	// LoadKeys returns the download's keys, or an error wrapping
	// ErrNotFound when it has none (a clear download).
	LoadKeys(id string) (*Keys, error)
	DeleteKeys(id string) error
}

// FileKeyStore keeps keys in Dir/keys/ID.json (mode 0600), next to the
// downloads, not in their folders. It protects keys no better than the
// file system does.
type FileKeyStore struct{ Dir string }

func (s FileKeyStore) path(id string) string {
	return filepath.Join(s.Dir, "keys", url.PathEscape(id)+".json")
}

// PutKeys writes id's keys.
func (s FileKeyStore) PutKeys(id string, k *Keys) error {
	b, err := json.Marshal(k)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(s.Dir, "keys"), 0o700); err != nil {
		return err
	}
	fsys, err := OpenRootFS(s.Dir)
	if err != nil {
		return err
	}
	defer fsys.Close()
	// Synced like the offline playlists, so keys survive a crash as they do.
	return writeFileAtomic(fsys, "keys/"+url.PathEscape(id)+".json", string(b), 0o600)
}

// LoadKeys reads id's keys.
func (s FileKeyStore) LoadKeys(id string) (*Keys, error) {
	b, err := os.ReadFile(s.path(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("keys of %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	var k Keys
	if err := json.Unmarshal(b, &k); err != nil {
		return nil, fmt.Errorf("keys of %s: %w", id, err)
	}
	return &k, nil
}

// DeleteKeys removes id's keys; no keys is no error.
func (s FileKeyStore) DeleteKeys(id string) error {
	if err := os.Remove(s.path(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// segmentIV is the IV of an HLS AES-128 segment as 32 hex digits: the
// EXT-X-KEY IV, else the media sequence number (RFC 8216 section 5.2).
// The offline playlist renumbers segments, so it writes every IV out.
func segmentIV(attr string, seq uint64) (string, error) {
	if attr == "" {
		return fmt.Sprintf("%032x", seq), nil
	}
	h, ok := strings.CutPrefix(strings.ToLower(attr), "0x")
	if !ok || h == "" || len(h) > 32 {
		return "", fmt.Errorf("IV %q: want 0x and up to 32 hex digits", attr)
	}
	if _, err := hex.DecodeString(strings.Repeat("0", len(h)%2) + h); err != nil {
		return "", fmt.Errorf("IV %q: %w", attr, err)
	}
	return strings.Repeat("0", 32-len(h)) + h, nil
}

// fetchKeys gets the keys of the plan's encrypted segments, each key URI
// once, and those of the key IDs of its protected init segments from the
// license requester, and stores them under the download's ID.
func (j *job) fetchKeys(ctx context.Context) error {
	keys := &Keys{AES: map[string][]byte{}, KIDs: map[string][]byte{}, Expires: j.rec.Expires}
	if err := j.licenseKeys(ctx, keys); err != nil {
		return err
	}
	for _, it := range j.plan.Items {
		if it.KeyURI == "" || keys.AES[it.KeyURI] != nil {
			continue
		}
		key, err := j.env.keyLoader.LoadKey(ctx, it.KeyURI)
		if err != nil {
			return fmt.Errorf("key %s: %w", it.KeyURI, err)
		}
		if len(key) != 16 {
			return fmt.Errorf("key %s: %d bytes, want 16", it.KeyURI, len(key))
		}
		keys.AES[it.KeyURI] = key
	}
	if len(keys.AES) == 0 && len(keys.KIDs) == 0 {
		return nil
	}
	return j.env.keys.PutKeys(j.id, keys)
}

// licenseKeys asks the license requester for the keys of the key IDs the
// stored init segments name (CENC), all in one request; HLS SAMPLE-AES
// tracks have theirs from the key URI.
func (j *job) licenseKeys(ctx context.Context, keys *Keys) error {
	var req player.LicenseRequest
	seen := map[[16]byte]bool{}
	keyed := map[int]bool{} // tracks whose CENC key is an HLS SAMPLE-AES key URI's
	for _, it := range j.plan.Items {
		if it.Method != "" {
			keyed[it.Track] = true
		}
	}
	for _, it := range j.plan.Items {
		if it.Kind != kindInit || keyed[it.Track] {
			continue
		}
		data, err := j.initBytes(it.Key)
		if err != nil {
			return err
		}
		kids, pssh := player.InitKIDs(data)
		for _, k := range kids {
			if !seen[k] {
				seen[k] = true
				req.KIDs = append(req.KIDs, k)
			}
		}
		req.PSSH = append(req.PSSH, pssh...)
	}
	if len(req.KIDs) == 0 {
		return nil
	}
	req.URL = j.env.licenseURL
	if req.URL == "" {
		req.URL = j.plan.LicenseURL
	}
	got, err := j.env.license.RequestLicense(ctx, req)
	if err != nil {
		return err
	}
	for _, k := range req.KIDs {
		key, ok := got[k]
		if !ok {
			return fmt.Errorf("%w: the license has no key for key ID %x", player.ErrNoKey, k)
		}
		keys.KIDs[hex.EncodeToString(k[:])] = key
	}
	return nil
}

// RequestLicense answers a CENC license request from the stored keys
// (the player.LicenseRequester method set).
func (k *Keys) RequestLicense(_ context.Context, req player.LicenseRequest) (map[[16]byte][]byte, error) {
	out := map[[16]byte][]byte{}
	for _, kid := range req.KIDs {
		if key, ok := k.KIDs[hex.EncodeToString(kid[:])]; ok {
			out[kid] = key
		}
	}
	return out, nil
}
