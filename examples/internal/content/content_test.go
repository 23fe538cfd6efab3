package content

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestServer(t *testing.T) {
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tests := []struct {
		url    string
		status int
		has    string
	}{
		{s.HLS("demo"), 200, "#EXTM3U"},
		{s.DASH("demo"), 200, "<MPD"},
		{s.URL() + "/demo/nope.m4s", 404, ""},
		{s.URL() + "/other/master.m3u8", 404, ""},
		{s.URL() + "/", 404, ""},
	}
	for _, tc := range tests {
		resp, err := http.Get(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.has) {
			t.Errorf("GET %s = %d %.20q; want %d with %q", tc.url, resp.StatusCode, body, tc.status, tc.has)
		}
	}
}

// A paced response carries the same bytes as an unpaced one.
func TestServerRate(t *testing.T) {
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	get := func() []byte {
		resp, err := http.Get(s.URL() + "/demo/v300/seg_1.m4s")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET seg_1 = %d, %v", resp.StatusCode, err)
		}
		return b
	}
	plain := get()
	s.Rate = 400 << 10 // 20 KiB chunks every 50ms: a few chunks for this segment
	paced := get()
	if string(plain) != string(paced) || len(plain) == 0 {
		t.Errorf("paced body %d bytes; want the %d unpaced bytes", len(paced), len(plain))
	}
}
