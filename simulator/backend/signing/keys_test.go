package signing

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestExpiryCanonical(t *testing.T) {
	s := New("a-long-enough-master-key")
	now := time.Unix(1_800_000_000, 0)
	good := s.Path("t1", "a.m4s", time.Unix(9_999_999_999, 0))
	sig := strings.Split(good, "/")[3]
	for _, tc := range []struct {
		name, exp string
		ok        bool
	}{
		{"canonical", "9999999999", true},
		{"plus sign", "+9999999999", false},
		{"leading zero", "09999999999", false},
		{"negative", "-1", false},
		{"spaces", " 9999999999", false},
	} {
		p := "/s/" + tc.exp + "/" + sig + "/t1/a.m4s"
		_, err := s.Verify(p, now)
		if (err == nil) != tc.ok {
			t.Errorf("%s: Verify(%q) = %v; want ok %v", tc.name, p, err, tc.ok)
		}
	}
	tok := s.Token(Claims{User: "u", Expires: time.Unix(9_999_999_999, 0)})
	p := strings.Split(tok, ".")
	for _, exp := range []string{"+9999999999", "09999999999"} {
		forged := p[0] + "." + p[1] + "." + exp + "." + p[3]
		if _, err := s.VerifyToken(forged, now); !errors.Is(err, ErrForged) {
			t.Errorf("VerifyToken(expiry %q) = %v; want ErrForged", exp, err)
		}
	}
}

func TestDerivedKeysDiffer(t *testing.T) {
	k := Derive("master")
	if string(k.Token) == string(k.URL) || string(k.URL) == string(k.Report) || string(k.Token) == string(k.Report) {
		t.Fatal("Derive gave equal purpose keys")
	}
	// A token's MAC must not verify as a URL's MAC: same inputs, other key.
	s := New("master")
	if mac(s.keys.Token, "x") == mac(s.keys.URL, "x") {
		t.Fatal("token and URL keys sign alike")
	}
	body := []byte(`{"id":"e1"}`)
	if !VerifyReport("master", body, SignReport("master", body)) || VerifyReport("other", body, SignReport("master", body)) {
		t.Fatal("VerifyReport does not tell keys apart")
	}
}

// TestContentKey checks that content keys are stable per master and
// title, differ across titles, masters and purposes, and differ from the
// other purpose keys.
func TestContentKey(t *testing.T) {
	kid, key, iv := ContentKey("master", "t1")
	kid2, key2, iv2 := ContentKey("master", "t1")
	if kid != kid2 || key != key2 || iv != iv2 {
		t.Fatal("ContentKey is not deterministic")
	}
	if kid == key || key == iv || kid == iv {
		t.Error("key id, key and IV are equal")
	}
	for _, c := range []struct{ master, title string }{{"master", "t2"}, {"other", "t1"}} {
		if _, k, _ := ContentKey(c.master, c.title); k == key {
			t.Errorf("ContentKey(%q, %q) repeats the key of (master, t1)", c.master, c.title)
		}
	}
	k := Derive("master")
	if string(k.Content) == string(k.Token) || string(k.Content) == string(k.URL) || string(k.Content) == string(k.Report) {
		t.Error("the content key equals another purpose key")
	}
}
