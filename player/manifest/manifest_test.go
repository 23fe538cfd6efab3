package manifest

import (
	"errors"
	"testing"
)

func TestParseErrorIsMalformed(t *testing.T) {
	err := error(&ParseError{URI: "a.m3u8", Line: 3, Field: "EXTINF", Msg: "bad duration"})
	if !errors.Is(err, ErrMalformed) {
		t.Fatalf("errors.Is(%v, ErrMalformed) = false; want true", err)
	}
	if got, want := err.Error(), "a.m3u8:3: EXTINF: bad duration"; got != want {
		t.Errorf("Error() = %q; want %q", got, want)
	}
}
