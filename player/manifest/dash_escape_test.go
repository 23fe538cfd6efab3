package manifest

import (
	"testing"
	"time"
)

func TestEscapeTextGT(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<MPD/>", "<MPD/>"},
		{"<MPD>a>b</MPD>", "<MPD>a&gt;b</MPD>"},
		{`<MPD x="a>b">c>d</MPD>`, `<MPD x="a>b">c&gt;d</MPD>`},
		{"<!-- a>b --><MPD/>", "<!-- a>b --><MPD/>"},
		{"<MPD><![CDATA[a>b]]>c></MPD>", "<MPD><![CDATA[a>b]]>c&gt;</MPD>"},
		{`<?xml version="1.0"?>` + "\n>x<MPD/>", `<?xml version="1.0"?>` + "\n&gt;x<MPD/>"},
		{"<!DOCTYPE MPD [<!ENTITY a 'x>y'>]><MPD/>>", "<!DOCTYPE MPD [<!ENTITY a 'x>y'>]><MPD/>&gt;"},
		{"<MPD a='x>y", "<MPD a='x>y"},
	}
	for _, tt := range tests {
		if got := string(escapeTextGT([]byte(tt.in))); got != tt.want {
			t.Errorf("escapeTextGT(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// TestParseDASHTextGT guards against the dash-mpd decoder hang on '>' in
// character data: ParseDASH must return.
func TestParseDASHTextGT(t *testing.T) {
	in := `<MPD type="static" mediaPresentationDuration="PT4S"><ProgramInformation><Title>A > B</Title></ProgramInformation>` +
		`<Period><AdaptationSet contentType="video"><SegmentTemplate duration="2" media="$Number$.m4s"/>` +
		`<Representation id="v" bandwidth="1"/></AdaptationSet></Period></MPD>`
	done := make(chan error, 1)
	go func() {
		_, err := ParseDASH([]byte(in), "http://h/m.mpd")
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("ParseDASH: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ParseDASH did not return within 10s: decoder loops on '>' in text")
	}
}
