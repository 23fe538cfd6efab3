package signing

import (
	"testing"
	"time"
)

func FuzzVerify(f *testing.F) {
	s := New("k")
	for _, c := range pathCases(s) {
		f.Add(c.path)
	}
	f.Add(s.Token(Claims{User: "u", Expires: now.Add(time.Hour)}))
	f.Fuzz(func(t *testing.T, path string) {
		r, err := s.Verify(path, now)
		if err == nil && (!CleanID(r.Title) || !CleanFile(r.File)) {
			t.Fatalf("Verify(%q) accepted unclean %+v", path, r)
		}
		_, _ = s.VerifyToken(path, now)
	})
}
