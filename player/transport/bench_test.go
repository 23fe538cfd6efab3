package transport

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkFetchLoopback is the fetcher's own cost per 200 kB segment on a
// loopback server (body counted and discarded).
func BenchmarkFetchLoopback(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(serveContent))
	defer srv.Close()
	f := NewHTTP(HTTPConfig{})
	defer f.CloseIdleConnections()
	req := &Request{URL: srv.URL + "/seg.m4s", Kind: KindMedia}
	b.SetBytes(int64(len(content)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Fetch(context.Background(), req, nil); err != nil {
			b.Fatal(err)
		}
	}
}
