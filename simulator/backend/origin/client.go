package origin

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// MaxFileBytes bounds one file fetched from a remote origin.
const MaxFileBytes = 256 << 20

// Client fetches files from a remote origin Server.
type Client struct {
	Base string       // e.g. "http://127.0.0.1:8081"
	HTTP *http.Client // defaults to http.DefaultClient
}

// Fetch gets one file; a 404 wraps ErrNotFound.
func (c *Client) Fetch(ctx context.Context, title, file string) ([]byte, error) {
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(c.Base, "/")+"/o/"+title+"/"+file, nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("origin: %w", err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, fmt.Errorf("origin: %s/%s: %w", title, file, ErrNotFound)
	case resp.StatusCode == http.StatusBadRequest:
		return nil, fmt.Errorf("origin: %s/%s: %w", title, file, ErrBadRequest)
	case resp.StatusCode == http.StatusServiceUnavailable && strings.Contains(file, "?"):
		return nil, fmt.Errorf("origin: %s/%s: %w", title, file, ErrUnavailable)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("origin: %s/%s: status %d", title, file, resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("origin: %s/%s: %w", title, file, err)
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("origin: %s/%s larger than %d bytes", title, file, MaxFileBytes)
	}
	return data, nil
}

// Direct adapts a Source to the edges' fetch interface without HTTP.
type Direct struct{ Source Source }

// Fetch opens the file from the source.
func (d Direct) Fetch(ctx context.Context, title, file string) ([]byte, error) {
	return d.Source.Open(ctx, title, file)
}
