package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/abrkit/abrkit/download"
	"github.com/abrkit/abrkit/player/steering"
	"github.com/abrkit/abrkit/player/transport"
	"github.com/abrkit/abrkit/simulator/backend"
	"github.com/abrkit/abrkit/simulator/backend/control"
)

// source is what the player loads, and how to tear it down.
type source struct {
	url     string
	edges   []steering.Edge
	servers []string              // edge IDs in ranking order
	kill    func(id string) error // nil when edges cannot be killed
	restart func() int
	close   func()
	fetcher transport.Fetcher // nil: HTTP
}

// openSource resolves the command line's source: an http(s) URL, a local
// manifest (served on loopback), or a title of the embedded backend.
func openSource(ctx context.Context, cfg config, log io.Writer) (*source, error) {
	switch {
	case cfg.serve:
		return serveBackend(ctx, cfg, log)
	case cfg.gateway != "":
		return playTitle(ctx, cfg.gateway, cfg.user, cfg.password, cfg)
	case cfg.offline != "":
		o, err := download.OpenOffline(cfg.out, cfg.offline, time.Now())
		if err != nil {
			return nil, err
		}
		return &source{url: o.ManifestURL, fetcher: o.Fetcher, close: func() { _ = o.Close() }}, nil
	case strings.HasPrefix(cfg.source, "http://"), strings.HasPrefix(cfg.source, "https://"):
		return &source{url: cfg.source, close: func() {}}, nil
	}
	st, err := os.Stat(cfg.source)
	if err != nil {
		return nil, &inputError{fmt.Errorf("source %q is neither a URL nor a readable manifest: %w", cfg.source, err)}
	}
	if st.IsDir() {
		return nil, &inputError{fmt.Errorf("source %q is a directory: name its master.m3u8 or manifest.mpd, or use --serve --content %s", cfg.source, cfg.source)}
	}
	return serveFile(cfg.source)
}

// serveFile serves the manifest's folder on 127.0.0.1 so the player can
// fetch it like any other stream.
func serveFile(path string) (*source, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: http.FileServer(http.Dir(filepath.Dir(path))), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return &source{
		url:   "http://" + ln.Addr().String() + "/" + filepath.Base(path),
		close: func() { _ = srv.Close() },
	}, nil
}

// serveBackend starts the reference backend in-process, logs in and asks
// the playback API for the title: the player gets a signed manifest URL and
// the ranked edges, and the K key can kill the edge in use.
func serveBackend(ctx context.Context, cfg config, log io.Writer) (*source, error) {
	opts := backend.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if cfg.content != "" {
		if _, err := os.Stat(cfg.content); err == nil {
			opts.ContentDir = cfg.content
		} else {
			fmt.Fprintf(log, "abrplay: no content in %s (run 'make content'); serving synthetic titles that cannot be decoded\n", cfg.content)
		}
	}
	b, err := backend.Start(ctx, opts)
	if err != nil {
		return nil, err
	}
	closeB := func() {
		c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = b.Close(c)
	}
	s, err := playTitle(ctx, b.GatewayURL(), "demo", "demo", cfg)
	if err != nil {
		closeB()
		return nil, err
	}
	s.close = closeB
	s.kill = func(id string) error {
		e := b.Edge(id)
		if e == nil {
			return fmt.Errorf("no edge %q", id)
		}
		return e.Kill()
	}
	s.restart = func() int {
		n := 0
		for _, e := range b.Edges {
			if !e.Alive() && e.Restart() == nil {
				n++
			}
		}
		return n
	}
	fmt.Fprintf(log, "abrplay: embedded backend at %s, %d edges\n", b.GatewayURL(), len(s.edges))
	return s, nil
}

// playTitle logs in to a gateway and asks the playback API for a title:
// a signed manifest URL and the ranked edges.
func playTitle(ctx context.Context, gateway, user, password string, cfg config) (*source, error) {
	cl := &backend.Client{Gateway: gateway}
	if err := cl.Login(ctx, user, password); err != nil {
		return nil, fmt.Errorf("login at %s: %w", gateway, err)
	}
	title := cfg.title
	if title == "" {
		ts, err := cl.Titles(ctx)
		if err != nil {
			return nil, fmt.Errorf("titles: %w", err)
		}
		if len(ts) == 0 {
			return nil, errors.New("the gateway lists no titles")
		}
		title = ts[0].ID
	}
	pr, err := cl.Play(ctx, control.PlayRequest{Title: title})
	if err != nil {
		return nil, fmt.Errorf("play %s: %w", title, err)
	}
	s := &source{url: pr.HLS, close: func() {}}
	if cfg.dash || s.url == "" {
		s.url = pr.DASH
	}
	if s.url == "" {
		return nil, errors.New("playback API answered no manifest URL")
	}
	for _, e := range pr.Edges {
		s.edges = append(s.edges, steering.Edge{ID: e.ID, URL: e.URL})
		s.servers = append(s.servers, e.ID)
	}
	return s, nil
}
