package edge

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/abrkit/abrkit/simulator/backend/origin"
	"github.com/abrkit/abrkit/simulator/backend/signing"
)

// StreamFetcher is an origin that can give a file's bytes as they arrive
// (a live segment the origin sends chunk by chunk). Edges stream live
// media through when their origin is one.
type StreamFetcher interface {
	FetchStream(ctx context.Context, title, file string, emit func([]byte) error) error
}

// growing is an object being fetched that viewers read while it grows:
// every viewer asking for it during the fetch gets each piece as soon as
// the origin sends it.
type growing struct {
	mu   sync.Mutex
	data []byte
	done bool
	err  error
	wake chan struct{} // closed and replaced on every change
}

func newGrowing() *growing { return &growing{wake: make(chan struct{})} }

// whole is a growing object that is already complete.
func whole(data []byte) *growing { return &growing{data: data, done: true, wake: make(chan struct{})} }

func (g *growing) append(p []byte) error {
	g.mu.Lock()
	g.data = append(g.data, p...)
	close(g.wake)
	g.wake = make(chan struct{})
	g.mu.Unlock()
	return nil
}

func (g *growing) finish(err error) {
	g.mu.Lock()
	g.done, g.err = true, err
	close(g.wake)
	g.wake = make(chan struct{})
	g.mu.Unlock()
}

// next waits until the object has bytes past from or is complete, and
// returns them (a view: callers must not change it), whether it is
// complete, and the fetch's error.
func (g *growing) next(ctx context.Context, from int) ([]byte, bool, error) {
	for {
		g.mu.Lock()
		data, done, err, wake := g.data, g.done, g.err, g.wake
		g.mu.Unlock()
		if len(data) > from || done {
			return data[min(from, len(data)):], done, err
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return nil, false, ctx.Err()
		}
	}
}

// getStream is get for objects viewers read while they arrive: a miss
// starts the origin fetch in the background (detached from the viewer,
// bounded by FillTimeout) and returns at once; concurrent requests share
// it when collapsing.
func (s *liveStore) getStream(key string, ttl time.Duration, fill func(context.Context, func([]byte) error) error) (*growing, Outcome) {
	data, cl, out := s.begin(key, true)
	switch out {
	case Hit:
		return whole(data), Hit
	case Coalesced:
		return cl.g, Coalesced
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), FillTimeout)
		err := fill(ctx, cl.g.append)
		cancel()
		var data []byte
		if err == nil {
			cl.g.mu.Lock()
			data = cl.g.data
			cl.g.mu.Unlock()
		}
		s.end(key, cl, data, err, ttl)
	}()
	return cl.g, Miss
}

// sendStream writes a growing object to a viewer as it grows, flushing
// each piece, under the same deadlines and pacing as send. A fetch that
// fails after the first byte aborts the response (the viewer sees it cut
// short, not complete).
func (e *Edge) sendStream(w http.ResponseWriter, r *http.Request, file string, g *growing, first []byte, done bool, hit bool, maxAge time.Duration) error {
	if done {
		w.Header().Set("Content-Length", strconv.Itoa(len(first)))
	}
	rc := http.NewResponseController(w)
	w, closeLink := e.viewerWriter(w, r, file, hit, maxAge)
	defer closeLink()
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil
	}
	sent := 0
	piece := first
	for {
		if len(piece) > 0 {
			if _, err := w.Write(piece); err != nil {
				return err
			}
			sent += len(piece)
			if !done {
				_ = rc.Flush()
			}
		}
		if done {
			return nil
		}
		var err error
		piece, done, err = g.next(r.Context(), sent)
		if err != nil {
			if r.Context().Err() != nil {
				return err
			}
			panic(http.ErrAbortHandler)
		}
	}
}

// liveStream starts or joins the streamed fetch of a live media file
// (not a playlist, not a range request) when the origin can stream;
// ok is false otherwise.
func (e *Edge) liveStream(r *http.Request, res signing.Resource) (g *growing, out Outcome, ok bool) {
	sf, can := e.cfg.Origin.(StreamFetcher)
	if !can || e.cfg.Live == nil || !e.cfg.Live(res.Title) || origin.IsPlaylist(res.File) || r.Header.Get("Range") != "" {
		return nil, 0, false
	}
	g, out = e.live.getStream(res.Title+"/"+res.File, LiveMediaTTL, func(ctx context.Context, emit func([]byte) error) error {
		return sf.FetchStream(ctx, res.Title, res.File, emit)
	})
	return g, out, true
}
