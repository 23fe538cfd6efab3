package player

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/player/transport"
)

// Errors of encrypted playback; each comes wrapped in a *PlaybackError of
// category ErrDRM, which is fatal.
var (
	ErrKey            = errors.New("player: content key does not decrypt the media (wrong key)")
	ErrNoKey          = errors.New("player: no content key for the media")
	ErrDRMUnsupported = errors.New("player: encryption scheme not supported")
	ErrLicense        = errors.New("player: license request failed")
)

// MaxKeyBytes caps a key response (HLS key URI) and MaxLicenseBytes a
// license response.
const (
	MaxKeyBytes     = 1 << 10
	MaxLicenseBytes = 64 << 10
)

// KeyLoader fetches the AES-128 key of an HLS EXT-X-KEY URI. The player
// asks once per key URI and session and keeps the answer; an app
// overrides it to add authentication or to answer from its own store
// (WithKeyLoader).
type KeyLoader interface {
	LoadKey(ctx context.Context, uri string) ([]byte, error)
}

// KeyLoaderFunc adapts a function to a KeyLoader.
type KeyLoaderFunc func(ctx context.Context, uri string) ([]byte, error)

// LoadKey calls f(ctx, uri).
func (f KeyLoaderFunc) LoadKey(ctx context.Context, uri string) ([]byte, error) { return f(ctx, uri) }

// LicenseRequest is what a LicenseRequester is asked for: the key IDs an
// init segment's tenc boxes (and the manifest's default_KID) name and
// the pssh boxes it carries.
type LicenseRequest struct {
	KIDs [][16]byte
	PSSH [][]byte // whole pssh boxes as found in the init segment
	URL  string   // the license server: WithLicenseURL, else the manifest's; "" when neither says
}

// LicenseRequester obtains the content keys of a CENC (cenc or cbcs)
// stream. It returns the keys it got, by key ID; the player asks again
// only for key IDs it has no key for. ClearKey is the built-in one.
type LicenseRequester interface {
	RequestLicense(ctx context.Context, req LicenseRequest) (map[[16]byte][]byte, error)
}

// LicenseRequesterFunc adapts a function to a LicenseRequester.
type LicenseRequesterFunc func(ctx context.Context, req LicenseRequest) (map[[16]byte][]byte, error)

// RequestLicense calls f(ctx, req).
func (f LicenseRequesterFunc) RequestLicense(ctx context.Context, req LicenseRequest) (map[[16]byte][]byte, error) {
	return f(ctx, req)
}

// ClearKey is the W3C ClearKey license protocol: it POSTs
// {"kids":[...],"type":"temporary"} (key IDs in unpadded base64url) to the
// license URL and reads {"keys":[{"kty":"oct","k":...,"kid":...}]}.
type ClearKey struct {
	Fetcher transport.Fetcher // nil: transport.NewHTTP with defaults
	Header  http.Header       // extra request headers (e.g. an authorisation token)
	Type    string            // session type; "" means "temporary"
}

// RequestLicense asks req.URL for the keys of req.KIDs.
func (c *ClearKey) RequestLicense(ctx context.Context, req LicenseRequest) (map[[16]byte][]byte, error) {
	if req.URL == "" {
		return nil, fmt.Errorf("%w: no license URL (WithLicenseURL, or dashif:laurl in the MPD)", ErrLicense)
	}
	body, err := ClearKeyRequest(req.KIDs, c.Type)
	if err != nil {
		return nil, err
	}
	f := c.Fetcher
	if f == nil {
		f = transport.NewHTTP(transport.HTTPConfig{})
	}
	h := c.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set("Content-Type", "application/json")
	var buf bytes.Buffer
	if _, err := f.Fetch(ctx, &transport.Request{URL: req.URL, Kind: transport.KindKey, Post: body, Header: h,
		Body: &capWriter{w: &buf, limit: MaxLicenseBytes, kind: transport.KindKey}}, nil); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrLicense, err)
	}
	return ParseClearKeyResponse(buf.Bytes())
}

// ClearKeyRequest is the W3C ClearKey license request body for kids.
func ClearKeyRequest(kids [][16]byte, typ string) ([]byte, error) {
	if typ == "" {
		typ = "temporary"
	}
	r := struct {
		KIDs []string `json:"kids"`
		Type string   `json:"type"`
	}{KIDs: make([]string, len(kids)), Type: typ}
	for i, k := range kids {
		r.KIDs[i] = base64.RawURLEncoding.EncodeToString(k[:])
	}
	return json.Marshal(r)
}

// ParseClearKeyResponse reads a W3C ClearKey license response: a JSON Web
// Key set of 16-byte "oct" keys, base64url with or without padding.
func ParseClearKeyResponse(b []byte) (map[[16]byte][]byte, error) {
	var r struct {
		Keys []struct {
			Kty string `json:"kty"`
			K   string `json:"k"`
			KID string `json:"kid"`
		} `json:"keys"`
	}
	if len(b) > MaxLicenseBytes {
		return nil, fmt.Errorf("%w: response of %d bytes", ErrLicense, len(b))
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrLicense, err)
	}
	keys := make(map[[16]byte][]byte, len(r.Keys))
	for _, k := range r.Keys {
		if k.Kty != "oct" {
			return nil, fmt.Errorf("%w: key type %q (want oct)", ErrLicense, k.Kty)
		}
		kid, err1 := b64url16(k.KID)
		key, err2 := b64url16(k.K)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrLicense, err)
		}
		keys[kid] = key[:]
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: no keys in the response", ErrLicense)
	}
	return keys, nil
}

func b64url16(s string) ([16]byte, error) {
	return bytes16(base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "=")))
}

// bytes16 is b as a 16-byte array, or an error for any other length.
func bytes16(b []byte, err error) ([16]byte, error) {
	var out [16]byte
	if err != nil {
		return out, err
	}
	if len(b) != 16 {
		return out, fmt.Errorf("%d bytes, want 16", len(b))
	}
	copy(out[:], b)
	return out, nil
}

// Keys is a fixed set of content keys, as a --key-file gives them: CENC
// keys by key ID and one AES-128 key for every HLS key URI. It is both a
// KeyLoader and a LicenseRequester.
type Keys struct {
	ByKID map[[16]byte][]byte
	AES   []byte // nil: none
}

// LoadKey returns k.AES.
func (k *Keys) LoadKey(_ context.Context, uri string) ([]byte, error) {
	if k.AES == nil {
		return nil, fmt.Errorf("%w: no AES-128 key for %s", ErrNoKey, uri)
	}
	return k.AES, nil
}

// RequestLicense returns the keys of req.KIDs that k has.
func (k *Keys) RequestLicense(_ context.Context, req LicenseRequest) (map[[16]byte][]byte, error) {
	out := map[[16]byte][]byte{}
	for _, kid := range req.KIDs {
		if key, ok := k.ByKID[kid]; ok {
			out[kid] = key
		}
	}
	return out, nil
}

// ParseKeys reads a key file: one key a line, "KID:KEY" (32 hex digits
// each) for CENC or a lone KEY for HLS AES-128; blank lines and lines
// starting with # are skipped.
func ParseKeys(b []byte) (*Keys, error) {
	k := &Keys{ByKID: map[[16]byte][]byte{}}
	for n, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		kidHex, keyHex, pair := strings.Cut(line, ":")
		if !pair {
			kidHex, keyHex = "", line
		}
		key, err := hex16(keyHex)
		if err != nil {
			return nil, fmt.Errorf("key file line %d: key: %w", n+1, err)
		}
		if !pair {
			k.AES = key[:]
			continue
		}
		kid, err := hex16(kidHex)
		if err != nil {
			return nil, fmt.Errorf("key file line %d: key ID: %w", n+1, err)
		}
		k.ByKID[kid] = key[:]
	}
	if k.AES == nil && len(k.ByKID) == 0 {
		return nil, errors.New("key file: no keys")
	}
	return k, nil
}

func hex16(s string) ([16]byte, error) {
	s = strings.TrimPrefix(strings.TrimPrefix(strings.ReplaceAll(s, "-", ""), "0x"), "0X")
	return bytes16(hex.DecodeString(s))
}

// keyCache fetches each key once per session: concurrent asks for one
// URI wait for the first.
type keyCache struct {
	mu   sync.Mutex
	keys map[string]*keyEntry
}

type keyEntry struct {
	done chan struct{}
	key  []byte
	err  error
}

// put records a key that came with another's license, unless known.
func (kc *keyCache) put(id string, key []byte) {
	kc.mu.Lock()
	defer kc.mu.Unlock()
	if kc.keys == nil {
		kc.keys = map[string]*keyEntry{}
	}
	if _, ok := kc.keys[id]; !ok {
		e := &keyEntry{done: make(chan struct{}), key: key}
		close(e.done)
		kc.keys[id] = e
	}
}

func (kc *keyCache) get(ctx context.Context, id string, load func(context.Context) ([]byte, error)) ([]byte, error) {
	kc.mu.Lock()
	if kc.keys == nil {
		kc.keys = map[string]*keyEntry{}
	}
	e, ok := kc.keys[id]
	if !ok {
		e = &keyEntry{done: make(chan struct{})}
		kc.keys[id] = e
	}
	kc.mu.Unlock()
	if !ok {
		e.key, e.err = load(ctx)
		if e.err != nil && ctx.Err() != nil {
			kc.mu.Lock()
			delete(kc.keys, id) // cancelled, not failed: the next ask loads again
			kc.mu.Unlock()
		}
		close(e.done)
	}
	select {
	case <-e.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return e.key, e.err
}

// aesIV is the IV of an HLS AES-128 segment (RFC 8216 section 5.2): the
// IV attribute, else the media sequence number as a 128-bit big-endian
// integer.
func aesIV(attr string, seq uint64) ([]byte, error) {
	if attr == "" {
		iv := make([]byte, 16)
		for i := 0; i < 8; i++ {
			iv[15-i] = byte(seq >> (8 * i))
		}
		return iv, nil
	}
	return parseIVAttr(attr)
}

// parseIVAttr reads an EXT-X-KEY IV: 0x followed by up to 32 hex digits,
// right-aligned in 16 bytes.
func parseIVAttr(s string) ([]byte, error) {
	h, ok := strings.CutPrefix(s, "0x")
	if !ok {
		h, ok = strings.CutPrefix(s, "0X")
	}
	if !ok || h == "" || len(h) > 32 {
		return nil, fmt.Errorf("IV %q: want 0x and up to 32 hex digits", s)
	}
	if len(h)%2 == 1 {
		h = "0" + h
	}
	b, err := hex.DecodeString(h)
	if err != nil {
		return nil, fmt.Errorf("IV %q: %w", s, err)
	}
	iv := make([]byte, 16)
	copy(iv[16-len(b):], b)
	return iv, nil
}

// decryptAES128 decrypts a whole HLS AES-128 segment (AES-128-CBC with
// PKCS#7 padding) and checks that the clear text is media: TS packets
// (sync bytes every 188 bytes) or ISO BMFF boxes. A wrong key fails the
// padding or that check (with a false pass chance of about 2^-16 for the
// padding and far less for the media check).
func decryptAES128(data, key, iv []byte) ([]byte, error) {
	if len(key) != 16 {
		return nil, fmt.Errorf("%w: key of %d bytes, want 16", ErrKey, len(key))
	}
	if len(data) == 0 || len(data)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("%w: %d bytes is not a whole number of AES blocks", ErrKey, len(data))
	}
	b, _ := aes.NewCipher(key)
	out := make([]byte, len(data))
	cipher.NewCBCDecrypter(b, iv).CryptBlocks(out, data)
	pad := int(out[len(out)-1])
	if pad == 0 || pad > aes.BlockSize || pad > len(out) {
		return nil, fmt.Errorf("%w: bad padding", ErrKey)
	}
	for _, c := range out[len(out)-pad:] {
		if int(c) != pad {
			return nil, fmt.Errorf("%w: bad padding", ErrKey)
		}
	}
	out = out[:len(out)-pad]
	if !looksLikeMedia(out) {
		return nil, fmt.Errorf("%w: the clear text is neither MPEG-TS nor ISO BMFF", ErrKey)
	}
	return out, nil
}

// looksLikeMedia tells TS (a sync byte at the start of each of the first
// packets) and ISO BMFF (a known first box type) from noise.
func looksLikeMedia(b []byte) bool {
	if len(b) >= 188 && b[0] == 0x47 {
		for i := 0; i < len(b) && i < 188*8; i += 188 {
			if b[i] != 0x47 {
				return false
			}
		}
		return true
	}
	if len(b) >= 8 {
		switch string(b[4:8]) {
		case "ftyp", "styp", "moof", "moov", "sidx", "emsg", "prft", "free", "mdat":
			return true
		}
	}
	return false
}

// drmState is a session's keys and the decryption state of its tracks.
type drmState struct {
	aes  keyCache // HLS key URI -> key
	kids keyCache // key ID (hex) -> key

	mu   sync.Mutex
	cenc map[Track]*cencTrack // the protected init segment in force per track
}

func (d *drmState) track(t Track) *cencTrack {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cenc[t]
}

func (d *drmState) setTrack(t Track, ct *cencTrack) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cenc == nil {
		d.cenc = map[Track]*cencTrack{}
	}
	d.cenc[t] = ct
}

// encrypted tells whether media of a's track must be decrypted.
func (p *Player) encrypted(a *Action) bool {
	return a.Key != nil || a.Kind == transport.KindMedia && p.drm.track(a.Track) != nil
}

// sampleAESKey tells an HLS SAMPLE-AES key whose key URI gives the raw
// key (KEYFORMAT identity): on fMP4 segments it is CENC (cbcs, or cenc
// for SAMPLE-AES-CTR) with that key for every key ID.
func sampleAESKey(k *manifest.Key) bool {
	return k != nil && strings.HasPrefix(k.Method, "SAMPLE-AES") && (k.KeyFormat == "" || k.KeyFormat == "identity")
}

// hlsKey is the key of an HLS key URI, loaded once per session.
func (p *Player) hlsKey(ctx context.Context, uri string) ([]byte, error) {
	return p.drm.aes.get(ctx, uri, func(ctx context.Context) ([]byte, error) { return p.loadKey(ctx, uri) })
}

// decrypt returns the clear bytes of an init or media segment (data
// itself when it is clear).
func (p *Player) decrypt(ctx context.Context, a *Action, data []byte) ([]byte, error) {
	if a.Kind == transport.KindInit {
		get := p.license
		if k := a.Key; sampleAESKey(k) {
			get = func(ctx context.Context, req LicenseRequest) (map[[16]byte][]byte, error) {
				key, err := p.hlsKey(ctx, k.URI)
				if err != nil {
					return nil, err
				}
				keys := map[[16]byte][]byte{}
				for _, kid := range req.KIDs {
					keys[kid] = key
				}
				return keys, nil
			}
		}
		clear, ct, err := cencInit(ctx, data, get)
		if err != nil {
			return nil, err
		}
		p.drm.setTrack(a.Track, ct)
		if ct == nil {
			return data, nil
		}
		return clear, nil
	}
	if ct := p.drm.track(a.Track); ct != nil && (a.Key == nil || sampleAESKey(a.Key)) {
		return ct.decrypt(data) // CENC: DASH, or HLS SAMPLE-AES of fMP4
	}
	if k := a.Key; k != nil {
		switch k.Method {
		case "AES-128":
			key, err := p.hlsKey(ctx, k.URI)
			if err != nil {
				return nil, err
			}
			iv, err := aesIV(k.IV, a.Number)
			if err != nil {
				return nil, err
			}
			return decryptAES128(data, key, iv)
		default:
			return nil, fmt.Errorf("%w: METHOD=%s (KEYFORMAT %q) of %s segments", ErrDRMUnsupported, k.Method, k.KeyFormat, segmentFormat(data))
		}
	}
	return data, nil
}

// HTTPKeyLoader GETs HLS keys through Fetcher (nil: transport.NewHTTP
// with defaults) with Header (e.g. an authorisation token), at most
// MaxKeyBytes. The player's default key loader is one with its fetcher.
type HTTPKeyLoader struct {
	Fetcher transport.Fetcher
	Header  http.Header
}

// LoadKey fetches uri.
func (h *HTTPKeyLoader) LoadKey(ctx context.Context, uri string) ([]byte, error) {
	f := h.Fetcher
	if f == nil {
		f = transport.NewHTTP(transport.HTTPConfig{})
	}
	var buf bytes.Buffer
	if _, err := f.Fetch(ctx, &transport.Request{URL: uri, Kind: transport.KindKey, Header: h.Header.Clone(),
		Body: &capWriter{w: &buf, limit: MaxKeyBytes, kind: transport.KindKey}}, nil); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// loadKey fetches an HLS key with WithKeyLoader's loader or, by default,
// a GET through the player's fetcher.
func (p *Player) loadKey(ctx context.Context, uri string) ([]byte, error) {
	kl := p.o.keyLoader
	if kl == nil {
		kl = &HTTPKeyLoader{Fetcher: p.o.fetcher}
	}
	key, err := kl.LoadKey(ctx, uri)
	if err != nil {
		return nil, fmt.Errorf("%w: key %s: %w", ErrNoKey, uri, err)
	}
	return key, nil
}

// license returns the keys of req.KIDs, asking the license requester
// once per key ID and session.
func (p *Player) license(ctx context.Context, req LicenseRequest) (map[[16]byte][]byte, error) {
	req.URL = p.o.licenseURL
	if req.URL == "" {
		req.URL = p.manifestLicenseURL()
	}
	out := map[[16]byte][]byte{}
	for _, kid := range req.KIDs {
		key, err := p.drm.kids.get(ctx, hex.EncodeToString(kid[:]), func(ctx context.Context) ([]byte, error) {
			lr := p.o.license
			if lr == nil {
				lr = &ClearKey{Fetcher: p.o.fetcher}
			}
			keys, err := lr.RequestLicense(ctx, req)
			if err != nil {
				return nil, err
			}
			for k, v := range keys {
				if k != kid {
					p.drm.kids.put(hex.EncodeToString(k[:]), v) // one license answers for the others too
				}
			}
			if key, ok := keys[kid]; ok {
				return key, nil
			}
			return nil, fmt.Errorf("%w: the license has no key for key ID %x", ErrNoKey, kid)
		})
		if err != nil {
			return nil, err
		}
		out[kid] = key
	}
	return out, nil
}

// manifestLicenseURL is the first license URL the presentation's
// ContentProtection elements give; "" when none does.
func (p *Player) manifestLicenseURL() string {
	p.mu.Lock()
	pres := p.core.Presentation()
	p.mu.Unlock()
	if pres == nil {
		return ""
	}
	for _, per := range pres.Periods {
		for _, s := range per.Sets {
			for _, cp := range s.Protection {
				if cp.LicenseURL != "" {
					return cp.LicenseURL
				}
			}
		}
	}
	return ""
}

// segmentFormat names the container of a segment for error messages.
func segmentFormat(b []byte) string {
	if len(b) > 0 && b[0] == 0x47 {
		return "MPEG-TS"
	}
	return "fMP4"
}
