package conformance

import (
	"encoding/json"
	"github.com/abrkit/abrkit/clock"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/abrkit/abrkit/simulator/backend/packager"
)

// edgeRTT and originDelay match the virtual model's first-byte time:
// the viewer's round trip, the edge's, and a cache miss to the origin.
const (
	edgeRTT     = 10 * time.Millisecond
	originDelay = time.Millisecond
	chunk       = 8 << 10
)

// shaper is one loopback edge serving a packaged title in scaled time:
// each response waits the first-byte time, then its bytes are paced at
// the access link's rate, capped by the edge's capacity shared fairly by
// the responses in flight (the flow model the virtual network uses).
type shaper struct {
	srv   *httptest.Server
	pkg   *packager.Package
	clk   *clock.Scaled
	t0    time.Time
	c     Case
	isEU1 bool
	// steerURI, when set, is named in the multivariant playlist as the
	// content-steering server
	steerURI string

	mu     sync.Mutex
	active int
	seen   map[string]bool
}

func newShaper(t testing.TB, pkg *packager.Package, clk *clock.Scaled, t0 time.Time, c Case, eu1 bool) *shaper {
	s := &shaper{pkg: pkg, clk: clk, t0: t0, c: c, isEU1: eu1, seen: map[string]bool{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// wait lets d of scaled time pass: the network's pacing, not a
// synchronisation.
func (s *shaper) wait(d time.Duration) {
	if d > 0 {
		<-s.clk.NewTimer(d).C()
	}
}

func (s *shaper) at() time.Duration { return s.clk.Now().Sub(s.t0) }

func in(w *window, at time.Duration) bool { return w != nil && at >= w.At && at < w.At+w.For }

// down reports whether the edge is killed now.
func (s *shaper) down() bool { return s.isEU1 && in(s.c.Kill, s.at()) }

func (s *shaper) capacity() float64 {
	if s.isEU1 && in(s.c.Collapse, s.at()) {
		return s.c.CollapseBps
	}
	return edgeBps
}

func (s *shaper) serve(w http.ResponseWriter, r *http.Request) {
	if s.down() {
		panic(http.ErrAbortHandler) // the client sees the connection drop
	}
	name := strings.TrimPrefix(r.URL.Path, "/t1/")
	body, err := s.pkg.Open(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if s.steerURI != "" && name == packager.MasterPlaylist {
		tag := "#EXTM3U\n#EXT-X-CONTENT-STEERING:SERVER-URI=\"" + s.steerURI + "\"\n"
		body = []byte(strings.Replace(string(body), "#EXTM3U\n", tag, 1))
	}
	first := rtt + edgeRTT
	s.mu.Lock()
	if !s.seen[r.URL.Path] {
		s.seen[r.URL.Path] = true
		first += originDelay
	}
	s.active++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.active--
		s.mu.Unlock()
	}()
	s.wait(first)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	due := s.clk.Now()
	for off := 0; off < len(body); off += chunk {
		if s.down() {
			panic(http.ErrAbortHandler)
		}
		end := min(off+chunk, len(body))
		s.mu.Lock()
		rate := min(float64(linkBps), s.capacity()/float64(s.active))
		s.mu.Unlock()
		due = due.Add(time.Duration(float64(end-off) * 8 / rate * float64(time.Second)))
		s.wait(due.Sub(s.clk.Now()))
		if _, err := w.Write(body[off:end]); err != nil {
			return
		}
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
	}
}

// newSteeringServer serves the case's scripted steering manifest, timed
// from t0 like the faults.
func newSteeringServer(t testing.TB, clk *clock.Scaled, t0 time.Time, sw *steerSwap) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		<-clk.NewTimer(rtt).C()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(sw.manifest(clk.Now().Sub(t0)))
	}))
	t.Cleanup(srv.Close)
	return srv
}
