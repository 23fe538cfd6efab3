package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestAdmin(t *testing.T) {
	h := Admin("tok", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	tests := []struct {
		name, method, auth, ctype, origin, site string
		want                                    int
	}{
		{"ok", "POST", "Bearer tok", "application/json", "", "", http.StatusTeapot},
		{"json with charset", "POST", "Bearer tok", "application/json; charset=utf-8", "", "", http.StatusTeapot},
		{"GET needs no type", "GET", "Bearer tok", "", "", "", http.StatusTeapot},
		{"same origin", "POST", "Bearer tok", "application/json", "http://admin.test", "", http.StatusTeapot},
		{"no token", "POST", "", "application/json", "", "", http.StatusUnauthorized},
		{"wrong token", "POST", "Bearer tok2", "application/json", "", "", http.StatusUnauthorized},
		{"basic auth", "POST", "Basic dG9r", "application/json", "", "", http.StatusUnauthorized},
		{"text/plain", "POST", "Bearer tok", "text/plain", "", "", http.StatusUnsupportedMediaType},
		{"no type", "POST", "Bearer tok", "", "", "", http.StatusUnsupportedMediaType},
		{"foreign origin", "POST", "Bearer tok", "application/json", "https://evil.example", "", http.StatusForbidden},
		{"cross-site fetch", "GET", "Bearer tok", "", "", "cross-site", http.StatusForbidden},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, "http://admin.test/admin/v1/faults", strings.NewReader("{}"))
		for k, v := range map[string]string{"Authorization": tt.auth, "Content-Type": tt.ctype, "Origin": tt.origin, "Sec-Fetch-Site": tt.site} {
			if v != "" {
				r.Header.Set(k, v)
			}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != tt.want {
			t.Errorf("%s: Admin = %d; want %d", tt.name, rec.Code, tt.want)
		}
	}
	if a, b := NewToken(), NewToken(); a == b || len(a) != 32 {
		t.Errorf("NewToken() = %q, %q; want two different 32-digit tokens", a, b)
	}
}
