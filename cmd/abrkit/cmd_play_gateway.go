package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/steering"
	"github.com/abrkit/abrkit/simulator/backend"
	"github.com/abrkit/abrkit/simulator/backend/control"
)

// gatewayTimeout bounds each call to the playback API.
const gatewayTimeout = 10 * time.Second

// maxPlayAnswer caps the playback API's answer.
const maxPlayAnswer = 1 << 20

// gatewayPlay is POST /v1/play's answer as play reads it.
type gatewayPlay struct {
	control.PlayResponse
	EventsURL string `json:"events_url"`
}

// gatewaySession is what play needs from the playback API: the manifest,
// the ranked edges and where to send telemetry.
type gatewaySession struct {
	Manifest string
	Options  []player.Option
	H3Hosts  []string // edges the answer says serve HTTP/3
}

// openGateway logs in, asks POST /v1/play for title and turns the answer
// into the manifest URL and player options: the ranked edge list (for
// failover), the session ID, telemetry to the events URL (the answer's
// events_url, else <gateway>/v1/events), ClearKey license requests and
// HLS key requests, all with the bearer token.
func openGateway(ctx context.Context, gateway, title, user, password string, dash bool) (gatewaySession, error) {
	hc := &http.Client{Timeout: gatewayTimeout}
	cl := &backend.Client{Gateway: gateway, HTTP: hc}
	if err := cl.Login(ctx, user, password); err != nil {
		return gatewaySession{}, gatewayError("login", err)
	}
	pr, err := postPlay(ctx, hc, gateway, cl.Token, title)
	if err != nil {
		return gatewaySession{}, gatewayError("play "+title, err)
	}
	s := gatewaySession{Manifest: pr.HLS}
	if dash {
		s.Manifest = pr.DASH
	}
	if s.Manifest == "" {
		return s, fmt.Errorf("gateway play %s: no manifest URL in the answer", title)
	}
	sort.SliceStable(pr.Edges, func(i, j int) bool { return pr.Edges[i].Rank < pr.Edges[j].Rank })
	edges := make([]steering.Edge, 0, len(pr.Edges))
	for _, e := range pr.Edges {
		edges = append(edges, steering.Edge{ID: e.ID, URL: e.URL})
		if u, err := url.Parse(e.URL); err == nil && e.H3 && u.Scheme == "https" {
			s.H3Hosts = append(s.H3Hosts, u.Host)
		}
	}
	events := pr.EventsURL
	if events == "" {
		events = strings.TrimSuffix(gateway, "/") + "/v1/events"
	}
	s.Options = []player.Option{player.WithEdges(edges), player.WithContentID(title),
		player.WithTelemetry(player.Telemetry{URL: events, Header: http.Header{"Authorization": {"Bearer " + cl.Token}}}),
		player.WithLicenseRequester(&player.ClearKey{Header: http.Header{"Authorization": {"Bearer " + cl.Token}}}),
		player.WithKeyLoader(&player.HTTPKeyLoader{Header: http.Header{"Authorization": {"Bearer " + cl.Token}}})}
	if pr.Session != "" {
		s.Options = append(s.Options, player.WithSessionID(pr.Session))
	}
	return s, nil
}

func postPlay(ctx context.Context, hc *http.Client, gateway, token, title string) (gatewayPlay, error) {
	var pr gatewayPlay
	body, err := json.Marshal(control.PlayRequest{Title: title})
	if err != nil {
		return pr, err
	}
	u := strings.TrimSuffix(gateway, "/") + "/v1/play"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return pr, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		return pr, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxPlayAnswer+1))
	switch {
	case err != nil:
		return pr, err
	case len(data) > maxPlayAnswer:
		return pr, fmt.Errorf("POST %s: answer over %d bytes", u, maxPlayAnswer)
	case resp.StatusCode/100 != 2:
		return pr, &backend.StatusError{Method: http.MethodPost, URL: u, Code: resp.StatusCode, Body: string(data)}
	}
	if err := json.Unmarshal(data, &pr); err != nil {
		return pr, fmt.Errorf("POST %s: %w", u, err)
	}
	return pr, nil
}

// gatewayError names the step; a 4xx answer (bad credentials, unknown
// title) is bad input.
func gatewayError(step string, err error) error {
	err = fmt.Errorf("gateway %s: %w", step, err)
	var se *backend.StatusError
	if errors.As(err, &se) && se.Code/100 == 4 {
		return badInput(err)
	}
	return err
}
