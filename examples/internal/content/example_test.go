package content_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/abrkit/abrkit/examples/internal/content"
)

// Serving the default title and reading its HLS multivariant playlist.
func ExampleStart() {
	srv, err := content.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	resp, err := http.Get(srv.HLS("demo"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, strings.HasPrefix(string(body), "#EXTM3U"), strings.HasSuffix(srv.HLS("demo"), "/demo/master.m3u8"))
	// Output: 200 true true
}
