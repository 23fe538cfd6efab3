package control

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/abrkit/abrkit/simulator/backend/signing"
)

// The key server: the HLS key (GET /v1/keys/{title}, the 16 raw key
// bytes, for aes-128 and cbcs titles) and a W3C ClearKey license server
// (POST /v1/license/{title}, for cenc and cbcs titles), both behind the
// playback API's bearer token.
// Keys come from signing.ContentKey, so they match what the origin's
// packager encrypted with, in any process that shares the master key.

// Limits of a license request.
const (
	MaxLicenseBytes = 4 << 10
	MaxLicenseKIDs  = 16
)

// SvcLicense is the key server's service name (breaker, faults).
const SvcLicense = "license"

// Encryption names of origin.TitleInfo.Encryption.
const (
	EncryptionAES128 = "aes-128"
	EncryptionCENC   = "cenc"
	EncryptionCBCS   = "cbcs" // HLS SAMPLE-AES and DASH: both endpoints
)

// KeyPath is the HLS key URI's path of a title on the gateway.
func KeyPath(title string) string { return "/v1/keys/" + title }

// LicensePath is the ClearKey license server's path of a title.
func LicensePath(title string) string { return "/v1/license/" + title }

// LicenseRequest is a W3C ClearKey license request
// (https://www.w3.org/TR/encrypted-media/#clear-key-request-format).
type LicenseRequest struct {
	// KIDs are key ids, base64url without padding.
	KIDs []string `json:"kids"`
	// Type is "temporary" (the default) or "persistent-license".
	Type string `json:"type,omitempty"`
}

// LicenseKey is one key of a ClearKey license (a JSON Web Key).
type LicenseKey struct {
	Kty string `json:"kty"` // "oct"
	KID string `json:"kid"` // base64url, no padding
	K   string `json:"k"`   // base64url, no padding
}

// LicenseResponse is a W3C ClearKey license.
type LicenseResponse struct {
	Keys []LicenseKey `json:"keys"`
	Type string       `json:"type"`
}

var b64 = base64.RawURLEncoding

// DecodeLicense parses and checks a ClearKey license request: 1 to
// MaxLicenseKIDs key ids of 16 bytes each, type temporary or
// persistent-license. It returns the request (Type filled in) and the
// decoded key ids.
func DecodeLicense(data []byte) (LicenseRequest, [][16]byte, error) {
	var r LicenseRequest
	if err := decodeOne(data, &r); err != nil {
		return r, nil, err
	}
	switch r.Type {
	case "":
		r.Type = "temporary"
	case "temporary", "persistent-license":
	default:
		return r, nil, badRequestf("type %q: want temporary or persistent-license", truncate(r.Type, 32))
	}
	if len(r.KIDs) == 0 {
		return r, nil, badRequestf("kids is empty")
	}
	if len(r.KIDs) > MaxLicenseKIDs {
		return r, nil, badRequestf("%d kids; at most %d", len(r.KIDs), MaxLicenseKIDs)
	}
	kids := make([][16]byte, len(r.KIDs))
	for i, s := range r.KIDs {
		b, err := b64.DecodeString(s)
		if err != nil || len(b) != 16 {
			return r, nil, badRequestf("kids[%d] is not a 16-byte key id in base64url without padding", i)
		}
		copy(kids[i][:], b)
	}
	return r, kids, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// protected returns the encryption of a title the key server serves, or
// answers 404.
func (g *Gateway) protected(w http.ResponseWriter, r *http.Request, want ...string) (string, bool) {
	id := r.PathValue("title")
	ti, ok := g.titles[id]
	if !ok || !signing.CleanID(id) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("unknown title %q", truncate(id, 64)))
		return "", false
	}
	if !slices.Contains(want, ti.Encryption) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("title %q has no %s key", id, strings.Join(want, " or ")))
		return "", false
	}
	return id, true
}

// hlsKey answers GET /v1/keys/{title}: the 16-byte AES-128 key.
func (g *Gateway) hlsKey(w http.ResponseWriter, r *http.Request, _ []byte, _ signing.Claims) int {
	id, ok := g.protected(w, r, EncryptionAES128, EncryptionCBCS)
	if !ok {
		return http.StatusNotFound
	}
	_, key, _ := signing.ContentKey(g.topo.SigningKey, id)
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(key[:])
	return http.StatusOK
}

// license answers POST /v1/license/{title} with the keys of the
// requested key ids that belong to the title.
func (g *Gateway) license(w http.ResponseWriter, r *http.Request, body []byte, _ signing.Claims) int {
	id, ok := g.protected(w, r, EncryptionCENC, EncryptionCBCS)
	if !ok {
		return http.StatusNotFound
	}
	req, kids, err := DecodeLicense(body)
	if err != nil {
		return writeError(w, http.StatusBadRequest, err.Error())
	}
	kid, key, _ := signing.ContentKey(g.topo.SigningKey, id)
	resp := LicenseResponse{Keys: []LicenseKey{}, Type: req.Type}
	for _, k := range kids {
		if k == kid {
			resp.Keys = append(resp.Keys, LicenseKey{Kty: "oct", KID: b64.EncodeToString(kid[:]), K: b64.EncodeToString(key[:])})
			break
		}
	}
	if len(resp.Keys) == 0 {
		return writeError(w, http.StatusNotFound, fmt.Sprintf("none of the key ids belongs to title %q", id))
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, resp)
}
