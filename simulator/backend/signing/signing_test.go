package signing

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

// pathCases feeds TestVerify and the fuzz seeds.
func pathCases(s *Signer) []struct {
	name, path string
	want       error
} {
	good := s.Path("t1", "v1200/seg_1.m4s", now.Add(time.Hour))
	old := s.Path("t1", "master.m3u8", now.Add(-time.Second))
	other := New("other").Path("t1", "master.m3u8", now.Add(time.Hour))
	swapped := strings.Replace(s.Path("t1", "x.m4s", now.Add(time.Hour)), "/t1/", "/t2/", 1)
	return []struct {
		name, path string
		want       error
	}{
		{"good", good, nil},
		{"expired", old, ErrExpired},
		{"other key", other, ErrForged},
		{"title swapped", swapped, ErrForged},
		{"expiry bumped", strings.Replace(good, "/s/", "/s/9", 1), ErrForged},
		{"traversal", strings.Replace(good, "v1200/seg_1.m4s", "../t2/master.m3u8", 1), ErrBadPath},
		{"dot segment", strings.Replace(good, "v1200/", "./", 1), ErrBadPath},
		{"empty segment", strings.Replace(good, "v1200/", "v1200//", 1), ErrBadPath},
		{"backslash", strings.Replace(good, "v1200/", `..\`, 1), ErrBadPath},
		{"no prefix", "/t1/master.m3u8", ErrBadPath},
		{"bad expiry", "/s/abc/sig/t1/master.m3u8", ErrBadPath},
		{"too short", "/s/1/sig", ErrBadPath},
		{"no file", "/s/1/sig/t1/", ErrBadPath},
	}
}

func TestVerify(t *testing.T) {
	s := New("k")
	for _, tt := range pathCases(s) {
		t.Run(tt.name, func(t *testing.T) {
			r, err := s.Verify(tt.path, now)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("Verify(%q) = %v; want %v", tt.path, err, tt.want)
			}
			if err == nil && (r.Title != "t1" || r.File != "v1200/seg_1.m4s") {
				t.Errorf("Verify(%q) = %+v; want t1 v1200/seg_1.m4s", tt.path, r)
			}
		})
	}
}

func TestToken(t *testing.T) {
	s := New("k")
	tok := s.Token(Claims{User: "a.b:c", Region: "eu", Expires: now.Add(time.Hour)})
	c, err := s.VerifyToken(tok, now)
	if err != nil || c.User != "a.b:c" || c.Region != "eu" {
		t.Fatalf("VerifyToken(Token(...)) = %+v, %v; want a.b:c eu", c, err)
	}
	if _, err := s.VerifyToken(tok, now.Add(2*time.Hour)); !errors.Is(err, ErrExpired) {
		t.Errorf("VerifyToken(late) = %v; want ErrExpired", err)
	}
	bad := []string{"", "x", "a.b.c.d", tok + "x", strings.Replace(tok, ".eu.", ".us.", 1), New("z").Token(Claims{User: "a", Expires: now.Add(time.Hour)})}
	for _, b := range bad {
		if _, err := s.VerifyToken(b, now); !errors.Is(err, ErrForged) {
			t.Errorf("VerifyToken(%q) = %v; want ErrForged", b, err)
		}
	}
}
