package origin

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"

	"github.com/abrkit/abrkit/simulator/backend/packager"
	"github.com/abrkit/abrkit/simulator/backend/signing"
)

// Errors of live requests, mapped to HTTP statuses by [Server].
var (
	// ErrBadRequest: a malformed or too-far-ahead blocking request (400).
	ErrBadRequest = errors.New("bad request")
	// ErrUnavailable: what was asked for will not exist within the hold
	// limit (503).
	ErrUnavailable = errors.New("not available yet")
)

// LiveSource adds live channels to a Source. A channel's files are named
// like a title's; a file may carry a query ("media.m3u8?_HLS_msn=5")
// for blocking playlist reloads and delta updates.
type LiveSource struct {
	base  Source
	chans map[string]*packager.Channel
	order []*packager.Channel
}

var _ Source = (*LiveSource)(nil)

// WithChannels returns base with the channels added; channel ids must not
// be titles of base. A nil base has no titles.
func WithChannels(base Source, chans ...*packager.Channel) (*LiveSource, error) {
	if base == nil {
		base = noTitles{}
	}
	s := &LiveSource{base: base, chans: map[string]*packager.Channel{}}
	ids := map[string]bool{}
	for _, t := range base.Titles() {
		ids[t.ID] = true
	}
	for _, c := range chans {
		if ids[c.ID()] || s.chans[c.ID()] != nil {
			return nil, fmt.Errorf("origin: channel %q: a title of that id exists", c.ID())
		}
		s.chans[c.ID()] = c
		s.order = append(s.order, c)
	}
	return s, nil
}

// Titles lists the base's titles, then the channels (marked live).
func (s *LiveSource) Titles() []TitleInfo {
	out := s.base.Titles()
	for _, c := range s.order {
		out = append(out, TitleInfo{ID: c.ID(), HLS: packager.MasterPlaylist, DASH: packager.DASHManifest, Live: true})
	}
	return out
}

// Channel returns the channel of id.
func (s *LiveSource) Channel(id string) (*packager.Channel, bool) {
	c, ok := s.chans[id]
	return c, ok
}

// IsLive reports whether title is a channel.
func (s *LiveSource) IsLive(title string) bool { return s.chans[title] != nil }

// Open returns a file of a title or a channel; a channel's file may be
// held until it exists (bounded by the channel's MaxHold).
func (s *LiveSource) Open(ctx context.Context, title, file string) ([]byte, error) {
	path, query, _ := strings.Cut(file, "?")
	c, ok := s.chans[title]
	if !ok {
		return s.base.Open(ctx, title, path)
	}
	if !signing.CleanFile(path) {
		return nil, fmt.Errorf("%s/%s: %w", title, path, ErrNotFound)
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return nil, fmt.Errorf("%s/%s: %w: %v", title, path, ErrBadRequest, err)
	}
	data, err := c.Open(ctx, path, q)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s/%s: %w", title, path, ErrNotFound)
	case errors.Is(err, packager.ErrBadRequest):
		return nil, fmt.Errorf("%s/%s: %w: %v", title, path, ErrBadRequest, err)
	case errors.Is(err, packager.ErrTooEarly):
		return nil, fmt.Errorf("%s/%s: %w: %v", title, path, ErrUnavailable, err)
	}
	return data, err
}

// Streamer is a Source that can send some files in pieces as they are
// made. OpenStream reports false, sending nothing, for files it does not
// stream; when it returns an error after sending, the file is cut short.
type Streamer interface {
	OpenStream(ctx context.Context, title, file string, emit func([]byte) error) (bool, error)
}

var _ Streamer = (*LiveSource)(nil)

// OpenStream sends a media segment of a channel with parts chunk by
// chunk as the channel makes them (LL-DASH chunked transfer).
func (s *LiveSource) OpenStream(ctx context.Context, title, file string, emit func([]byte) error) (bool, error) {
	c, ok := s.chans[title]
	if !ok || !signing.CleanFile(file) {
		return false, nil
	}
	sent, err := c.StreamSegment(ctx, file, emit)
	if errors.Is(err, fs.ErrNotExist) {
		return sent, fmt.Errorf("%s/%s: %w", title, file, ErrNotFound)
	}
	return sent, err
}

// LiveQuery keeps the LL-HLS request parameters of a query (_HLS_msn,
// _HLS_part, _HLS_skip) in a canonical order, so that equal requests
// have equal keys; "" when there are none.
func LiveQuery(q url.Values) string {
	var b strings.Builder
	for _, k := range []string{"_HLS_msn", "_HLS_part", "_HLS_skip"} {
		if v, ok := q[k]; ok && len(v) > 0 {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(k + "=" + url.QueryEscape(v[0]))
		}
	}
	return b.String()
}

// noTitles is the empty Source.
type noTitles struct{}

func (noTitles) Titles() []TitleInfo { return nil }

func (noTitles) Open(_ context.Context, title, file string) ([]byte, error) {
	return nil, fmt.Errorf("%s/%s: %w", title, file, ErrNotFound)
}
