package content

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/abrkit/abrkit/simulator/backend/packager"
)

// DefaultTitle is a short title with 1-second segments: a session of a few
// seconds already loads several segments and can switch levels.
func DefaultTitle() packager.Title {
	return packager.Title{
		ID:              "demo",
		Duration:        2 * time.Minute,
		SegmentDuration: time.Second,
		LadderKbps:      []int{300, 750, 1500, 3000},
		Seed:            1,
	}
}

// Server serves one or more titles at /<title>/<file>.
type Server struct {
	// Rate caps each response body in bytes per second (0: no cap).
	Rate int64

	srv  *http.Server
	ln   net.Listener
	done chan struct{}

	mu    sync.Mutex
	pkgs  map[string]*packager.Package
	cache map[string][]byte // rendered files, so serving costs little CPU
}

// Start packages titles and serves them on 127.0.0.1 with a free port.
func Start(titles ...packager.Title) (*Server, error) {
	if len(titles) == 0 {
		titles = []packager.Title{DefaultTitle()}
	}
	s := &Server{pkgs: map[string]*packager.Package{}, cache: map[string][]byte{}, done: make(chan struct{})}
	for _, t := range titles {
		p, err := packager.Build(t)
		if err != nil {
			return nil, fmt.Errorf("content: title %s: %w", t.ID, err)
		}
		s.pkgs[t.ID] = p
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("content: %w", err)
	}
	s.ln = ln
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// URL is the server's base URL, http://127.0.0.1:port.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// HLS is the multivariant playlist URL of a title.
func (s *Server) HLS(title string) string {
	return s.URL() + "/" + title + "/" + packager.MasterPlaylist
}

// DASH is the MPD URL of a title.
func (s *Server) DASH(title string) string {
	return s.URL() + "/" + title + "/" + packager.DASHManifest
}

// Close stops the server and waits for it.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if err != nil {
		err = errors.Join(err, s.srv.Close())
	}
	<-s.done
	return err
}

// ServeHTTP serves GET /<title>/<file>.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	title, file, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	data, err := s.open(title, file)
	if errors.Is(err, fs.ErrNotExist) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	switch {
	case strings.HasSuffix(file, ".m3u8"):
		w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
	case strings.HasSuffix(file, ".mpd"):
		w.Header().Set("Content-Type", "application/dash+xml")
	default:
		w.Header().Set("Content-Type", "video/mp4")
	}
	w.Header().Set("Content-Length", fmt.Sprint(len(data)))
	if s.Rate <= 0 {
		_, _ = w.Write(data)
		return
	}
	// Paced body: chunks of 1/20 s worth of bytes.
	chunk := max(int(s.Rate/20), 1024)
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	fl, _ := w.(http.Flusher)
	for len(data) > 0 {
		n := min(chunk, len(data))
		if _, err := w.Write(data[:n]); err != nil {
			return
		}
		if fl != nil {
			fl.Flush()
		}
		data = data[n:]
		if len(data) == 0 {
			return
		}
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
	}
}

func (s *Server) open(title, file string) ([]byte, error) {
	key := title + "/" + file
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.cache[key]; ok {
		return b, nil
	}
	p, ok := s.pkgs[title]
	if !ok {
		return nil, fs.ErrNotExist
	}
	b, err := p.Open(file)
	if err != nil {
		return nil, err
	}
	s.cache[key] = b
	return b, nil
}
