package server

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"mime"
	"net/http"
	"strings"
)

// NewToken returns a random 128-bit token in hex, for admin tokens and
// master keys made at start.
func NewToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// Admin guards an admin handler: it needs "Authorization: Bearer token",
// refuses requests a browser sends cross-site (a foreign Origin or
// Sec-Fetch-Site: cross-site), and takes only JSON bodies, so a form or
// text/plain POST from a web page cannot reach it.
func Admin(token string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="abrkit-admin"`)
			adminError(w, http.StatusUnauthorized, "admin token required (Authorization: Bearer ...)")
			return
		}
		if o := r.Header.Get("Origin"); o != "" && o != "http://"+r.Host && o != "https://"+r.Host {
			adminError(w, http.StatusForbidden, "cross-origin requests are refused")
			return
		}
		if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
			adminError(w, http.StatusForbidden, "cross-site requests are refused")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil || mt != "application/json" {
				adminError(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json")
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

func adminError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
