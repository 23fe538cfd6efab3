package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// RequestAt is the admin request that applies f at t.
func RequestAt(f Fault, t time.Time) Request {
	r := Request{Target: f.Target, Kind: f.Kind, BandwidthBps: f.BandwidthBps, ErrorRate: f.ErrorRate, Status: f.Status,
		At: t.UTC().Format(time.RFC3339Nano)}
	if f.Latency > 0 {
		r.Latency = f.Latency.String()
	}
	return r
}

// Post sends r to a running backend's admin API (POST /admin/v1/faults
// under admin) with the admin bearer token.
func Post(ctx context.Context, hc *http.Client, admin, token string, r Request) error {
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(admin, "/")+"/admin/v1/faults", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("scheduling %s %s: %w", r.Target, r.Kind, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("scheduling %s %s: %s: %s", r.Target, r.Kind, resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}
