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
	resp, err := c.get(ctx, title, file)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("origin: %s/%s: %w", title, file, err)
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("origin: %s/%s larger than %d bytes", title, file, MaxFileBytes)
	}
	return data, nil
}

// streamRead is the most one emit of FetchStream carries.
const streamRead = 32 << 10

// FetchStream gets one file and gives its bytes to emit as they arrive
// (a live segment the origin sends chunk by chunk); errors as Fetch's.
func (c *Client) FetchStream(ctx context.Context, title, file string, emit func([]byte) error) error {
	resp, err := c.get(ctx, title, file)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	buf := make([]byte, streamRead)
	var total int64
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			if total += int64(n); total > MaxFileBytes {
				return fmt.Errorf("origin: %s/%s larger than %d bytes", title, file, MaxFileBytes)
			}
			if eerr := emit(append([]byte(nil), buf[:n]...)); eerr != nil {
				return eerr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("origin: %s/%s: %w", title, file, err)
		}
	}
}

// get sends the request and maps error statuses.
func (c *Client) get(ctx context.Context, title, file string) (*http.Response, error) {
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
	var status error
	switch {
	case resp.StatusCode == http.StatusNotFound:
		status = fmt.Errorf("origin: %s/%s: %w", title, file, ErrNotFound)
	case resp.StatusCode == http.StatusBadRequest:
		status = fmt.Errorf("origin: %s/%s: %w", title, file, ErrBadRequest)
	case resp.StatusCode == http.StatusServiceUnavailable && strings.Contains(file, "?"):
		status = fmt.Errorf("origin: %s/%s: %w", title, file, ErrUnavailable)
	case resp.StatusCode != http.StatusOK:
		status = fmt.Errorf("origin: %s/%s: status %d", title, file, resp.StatusCode)
	}
	if status != nil {
		resp.Body.Close()
		return nil, status
	}
	return resp, nil
}

// Direct adapts a Source to the edges' fetch interface without HTTP.
type Direct struct{ Source Source }

// Fetch opens the file from the source.
func (d Direct) Fetch(ctx context.Context, title, file string) ([]byte, error) {
	return d.Source.Open(ctx, title, file)
}

// FetchStream sends the file in the pieces the source streams it in, or
// whole.
func (d Direct) FetchStream(ctx context.Context, title, file string, emit func([]byte) error) error {
	if st, ok := d.Source.(Streamer); ok {
		if sent, err := st.OpenStream(ctx, title, file, emit); sent || err != nil {
			return err
		}
	}
	data, err := d.Source.Open(ctx, title, file)
	if err != nil {
		return err
	}
	return emit(data)
}
