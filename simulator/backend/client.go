package backend

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/abrkit/abrkit/simulator/backend/control"
	"github.com/abrkit/abrkit/simulator/backend/packager"
)

// ErrStatus is wrapped by Client errors for non-2xx answers.
var ErrStatus = errors.New("unexpected status")

// StatusError is a non-2xx answer from the gateway.
type StatusError struct {
	Method, URL string
	Code        int
	Body        string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s %s: status %d: %s", e.Method, e.URL, e.Code, strings.TrimSpace(e.Body))
}

// Unwrap makes errors.Is(err, ErrStatus) true.
func (e *StatusError) Unwrap() error { return ErrStatus }

// Client talks to a gateway: log in, list titles, start playback.
type Client struct {
	Gateway string       // "http://127.0.0.1:PORT"
	HTTP    *http.Client // defaults to http.DefaultClient
	Token   string       // set by Login
}

func (c *Client) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	u := strings.TrimSuffix(c.Gateway, "/") + path
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return &StatusError{Method: method, URL: u, Code: resp.StatusCode, Body: string(data)}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: %w", method, u, err)
	}
	return nil
}

// Login gets a bearer token and keeps it for later calls.
func (c *Client) Login(ctx context.Context, user, password string) error {
	var r control.LoginResponse
	if err := c.call(ctx, http.MethodPost, "/v1/login", control.LoginRequest{User: user, Password: password}, &r); err != nil {
		return err
	}
	c.Token = r.Token
	return nil
}

// Titles lists the catalog.
func (c *Client) Titles(ctx context.Context) ([]control.TitleEntry, error) {
	var r control.TitlesResponse
	err := c.call(ctx, http.MethodGet, "/v1/titles", nil, &r)
	return r.Titles, err
}

// Play starts playback of a title.
func (c *Client) Play(ctx context.Context, req control.PlayRequest) (control.PlayResponse, error) {
	var r control.PlayResponse
	err := c.call(ctx, http.MethodPost, "/v1/play", req, &r)
	return r, err
}

// TitleURLs are a title's directly playable (signed) manifest URLs.
type TitleURLs struct {
	ID   string `json:"id"`
	HLS  string `json:"hls,omitempty"`
	DASH string `json:"dash,omitempty"`
	// Live marks a live channel; LLDASH is its low-latency DASH manifest.
	Live   bool   `json:"live,omitempty"`
	LLDASH string `json:"ll_dash,omitempty"`
}

// PlayableURLs logs in and asks the playback API for every title.
func (c *Client) PlayableURLs(ctx context.Context, user, password string) ([]TitleURLs, error) {
	if err := c.Login(ctx, user, password); err != nil {
		return nil, err
	}
	titles, err := c.Titles(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]TitleURLs, 0, len(titles))
	for _, t := range titles {
		p, err := c.Play(ctx, control.PlayRequest{Title: t.ID})
		if err != nil {
			return nil, err
		}
		u := TitleURLs{ID: t.ID, HLS: p.HLS, DASH: p.DASH, Live: t.Live}
		if base, ok := strings.CutSuffix(p.DASH, packager.DASHManifest); ok && t.Live {
			u.LLDASH = base + packager.LLDASHManifest
		}
		out = append(out, u)
	}
	return out, nil
}
