package live

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/abrkit/abrkit/simulator/results"
	"github.com/abrkit/abrkit/simulator/scenario"
)

// adapterSession logs in (when configured) and calls the user's play
// endpoint, returning the manifest URL found at the adapter's field.
func (r *run) adapterSession(ctx context.Context, a *scenario.Adapter, due time.Time, vars *strings.Replacer) (string, error) {
	token := ""
	if a.Login != nil {
		body, status, err := r.call(ctx, *a.Login, vars, "")
		r.record(results.ClassLogin, method(*a.Login), vars.Replace(a.Login.URL), due, status, int64(len(body)), err)
		if err != nil {
			return "", fmt.Errorf("login: %w", err)
		}
		v, err := field(body, a.TokenField)
		if err != nil {
			return "", fmt.Errorf("login: %w", err)
		}
		token = v
		due = time.Now()
	}
	var lastErr error
	for attempt := 0; attempt <= 2; attempt++ {
		body, status, err := r.call(ctx, a.Play, vars, token)
		r.record(results.ClassPlay, method(a.Play), vars.Replace(a.Play.URL), due, status, int64(len(body)), err)
		if err == nil {
			return field(body, a.Manifest)
		}
		lastErr = err
		select {
		case <-time.After(time.Duration(attempt+1) * time.Second):
		case <-ctx.Done():
			return "", ctx.Err()
		}
		due = time.Now()
	}
	return "", fmt.Errorf("play: %w", lastErr)
}

func method(e scenario.Endpoint) string {
	if e.Method == "" {
		if e.Body != "" {
			return http.MethodPost
		}
		return http.MethodGet
	}
	return e.Method
}

func (r *run) call(ctx context.Context, e scenario.Endpoint, vars *strings.Replacer, token string) ([]byte, int, error) {
	var body io.Reader
	if e.Body != "" {
		body = strings.NewReader(vars.Replace(e.Body))
	}
	req, err := http.NewRequestWithContext(ctx, method(e), vars.Replace(e.URL), body)
	if err != nil {
		return nil, 0, err
	}
	if e.Body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range e.Headers {
		req.Header.Set(k, vars.Replace(v))
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, resp.StatusCode, err
	}
	if resp.StatusCode/100 != 2 {
		return data, resp.StatusCode, fmt.Errorf("status %d", resp.StatusCode)
	}
	return data, resp.StatusCode, nil
}

// field reads a string at a dotted path of a JSON object.
func field(body []byte, path string) (string, error) {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return "", err
	}
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return "", fmt.Errorf("field %q: not an object", path)
		}
		if v, ok = m[k]; !ok {
			return "", fmt.Errorf("field %q missing", path)
		}
	}
	s, ok := v.(string)
	if !ok || s == "" {
		return "", fmt.Errorf("field %q is not a string", path)
	}
	return s, nil
}
