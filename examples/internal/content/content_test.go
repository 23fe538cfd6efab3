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
