package transport_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/abrkit/abrkit/player/transport"
)

// Fetch a byte range, counting the bytes without keeping them.
func ExampleHTTPFetcher_Fetch() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "seg.m4s", time.Time{}, strings.NewReader(strings.Repeat("x", 10_000)))
	}))
	defer srv.Close()

	f := transport.NewHTTP(transport.HTTPConfig{
		Filters: []transport.Filter{transport.HeaderFilter("Authorization", "Bearer token")},
	})
	res, err := f.Fetch(context.Background(), &transport.Request{URL: srv.URL + "/seg.m4s", Kind: transport.KindMedia, Offset: 1000, Length: 500}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Status, res.Bytes, res.Size)
	// Output: 206 500 10000
}

func ExampleCMCD_QueryValue() {
	c := transport.CMCD{
		Bitrate:      3_200_000,
		BufferLength: 21_349 * time.Millisecond, // sent rounded to 100 ms
		ObjectType:   transport.ObjectVideo,
		SessionID:    "6e2fb550",
		Startup:      true,
	}
	fmt.Println(c.Payload())
	fmt.Println(c.QueryValue())
	h := http.Header{}
	c.SetHeaders(h)
	fmt.Println(h.Get(transport.HeaderCMCDRequest))
	// Output:
	// bl=21300,br=3200,ot=v,sid="6e2fb550",su
	// CMCD=bl%3D21300%2Cbr%3D3200%2Cot%3Dv%2Csid%3D%226e2fb550%22%2Csu
	// bl=21300,su
}

func ExampleParseRetryAfter() {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	d, ok := transport.ParseRetryAfter("Mon, 23 Nov 2026 12:00:30 GMT", now)
	fmt.Println(d, ok)
	d, ok = transport.ParseRetryAfter("120", now)
	fmt.Println(d, ok)
	// Output:
	// 30s true
	// 2m0s true
}

// A Filter runs on a copy of the request before every attempt: sign the
// URL, add headers. Here a token goes into the query and an API key into
// a header; the origin echoes what it received.
func ExampleFilter() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s?%s key=%s", r.URL.Path, r.URL.RawQuery, r.Header.Get("X-Api-Key"))
	}))
	defer srv.Close()

	sign := func(req *transport.Request) error {
		u, err := url.Parse(req.URL)
		if err != nil {
			return err
		}
		q := u.Query()
		q.Set("token", "t-"+req.Kind.String())
		u.RawQuery = q.Encode()
		req.URL = u.String()
		return nil
	}
	f := transport.NewHTTP(transport.HTTPConfig{
		Filters: []transport.Filter{sign, transport.HeaderFilter("X-Api-Key", "k1")},
	})
	var body strings.Builder
	_, err := f.Fetch(context.Background(), &transport.Request{URL: srv.URL + "/v/1.m4s", Kind: transport.KindMedia, Body: &body}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(body.String())
	// Output: /v/1.m4s?token=t-media key=k1
}

// files is a custom Fetcher serving bodies from memory: the one method
// writes the body to req.Body (when set), reports progress and fills a
// Result. Unknown URLs answer like a 404, with an *HTTPError.
type files map[string]string

func (f files) Fetch(ctx context.Context, req *transport.Request, progress transport.ProgressFunc) (*transport.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	body, ok := f[req.URL]
	if !ok {
		return &transport.Result{Status: 404, Attempts: 1, Size: -1}, &transport.HTTPError{URL: req.URL, Status: 404}
	}
	if req.Body != nil {
		if _, err := io.WriteString(req.Body, body); err != nil {
			return nil, err
		}
	}
	if progress != nil {
		progress(int64(len(body)), 0)
	}
	return &transport.Result{Status: 200, Bytes: int64(len(body)), Attempts: 1, Size: int64(len(body))}, nil
}

var _ transport.Fetcher = files(nil)

// A custom Fetcher (tests, caches, offline files): a player takes it with
// player.WithFetcher.
func ExampleFetcher() {
	var f transport.Fetcher = files{"mem://a/low.m3u8": "#EXTM3U\n"}
	var body strings.Builder
	res, err := f.Fetch(context.Background(), &transport.Request{URL: "mem://a/low.m3u8", Kind: transport.KindManifest, Body: &body}, nil)
	fmt.Println(res.Status, res.Bytes, err, strings.TrimSpace(body.String()))
	_, err = f.Fetch(context.Background(), &transport.Request{URL: "mem://a/missing.m3u8", Kind: transport.KindManifest}, nil)
	var he *transport.HTTPError
	fmt.Println(errors.As(err, &he), he.Status)
	// Output:
	// 200 8 <nil> #EXTM3U
	// true 404
}
