package player

import (
	"strings"
	"sync"

	"github.com/abrkit/abrkit/player/manifest"
)

// PlaylistCache shares parsed HLS VOD media playlists between the players
// given it with [WithPlaylistCache]: a playlist with the same bytes is
// parsed once and held, read-only, by every one of them, whatever URL
// each fetched it from (signed URLs differ per viewer and per edge). A
// parsed 10-minute rendition holds about 150 segments with their URLs,
// some 30 KB; thousands of players in one process (the load simulator's
// live mode) would otherwise each keep a copy of every rendition they
// touch. Segment URIs of a shared parse are relative to a stand-in
// directory that each player maps to the directory it fetched the
// playlist from. Live and low-latency playlists (which change on every
// reload), encrypted ones and those whose URIs leave the playlist's
// directory are parsed by each player as usual. Safe for concurrent use.
type PlaylistCache struct {
	mu     sync.Mutex
	max    int
	m      map[string]*sharedParse // by body
	order  []string                // insertion order, for eviction once max is reached
	hits   int64
	parses int64
}

// sharedParse is one body's parse; players that ask while it is made
// wait for it (a thousand viewers starting at once parse it once).
type sharedParse struct {
	done  chan struct{}
	media *manifest.MediaPlaylist // nil: not shareable
}

// sharedPlaylistURL is the URL shared parses are resolved against; its
// directory stands for the one each player fetched the playlist from.
const (
	sharedPlaylistURL = "http://playlist.abrkit.invalid/d/media.m3u8"
	sharedPlaylistDir = "http://playlist.abrkit.invalid/d/"
	sharedHost        = "playlist.abrkit.invalid"
)

// DefaultPlaylistCacheSize is how many playlists a PlaylistCache of size
// 0 holds.
const DefaultPlaylistCacheSize = 1024

// NewPlaylistCache returns a cache that holds at most size playlists (0:
// DefaultPlaylistCacheSize); the oldest goes first.
func NewPlaylistCache(size int) *PlaylistCache {
	if size <= 0 {
		size = DefaultPlaylistCacheSize
	}
	return &PlaylistCache{max: size, m: map[string]*sharedParse{}}
}

// WithPlaylistCache makes the player take its parsed VOD media playlists
// from c, shared with the other players that use it. Default: none (each
// player parses its own).
func WithPlaylistCache(c *PlaylistCache) Option { return func(o *options) { o.playlists = c } }

// Stats reports how many lookups found their body parsed already (or
// being parsed) and how many parsed it.
func (c *PlaylistCache) Stats() (hits, parses int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.parses
}

// parse returns the shared parse of body, or nil when it is not to be
// shared (the core then parses it itself, and reports any error).
func (c *PlaylistCache) parse(body []byte) *manifest.MediaPlaylist {
	c.mu.Lock()
	if e, ok := c.m[string(body)]; ok {
		c.hits++
		c.mu.Unlock()
		<-e.done
		return e.media
	}
	c.parses++
	key := string(body)
	e := &sharedParse{done: make(chan struct{})}
	if len(c.order) >= c.max {
		delete(c.m, c.order[0])
		c.order = c.order[1:]
	}
	c.order = append(c.order, key)
	c.m[key] = e
	c.mu.Unlock()
	m, err := manifest.ParseHLSMedia(body, sharedPlaylistURL)
	if err == nil && shareable(m, body) {
		e.media = m
	}
	close(e.done)
	return e.media
}

// shareable tells whether a parse against sharedPlaylistURL can stand for
// every player's: a complete VOD list, no keys, and every URI either in
// the playlist's directory (or below) or absolute elsewhere.
func shareable(m *manifest.MediaPlaylist, body []byte) bool {
	if !m.EndList || m.Skipped > 0 || len(m.PendingParts) > 0 || m.PreloadHint != nil || len(m.RenditionReports) > 0 ||
		strings.Contains(string(body), "#EXT-X-KEY") || strings.Contains(string(body), "#EXT-X-DEFINE") {
		return false
	}
	ok := func(uri string) bool {
		return strings.HasPrefix(uri, sharedPlaylistDir) || !strings.Contains(uri, sharedHost)
	}
	if m.Init != nil && !ok(m.Init.URI) {
		return false
	}
	for i := range m.Segments {
		s := &m.Segments[i]
		if !ok(s.URI) || (s.Init != nil && !ok(s.Init.URI)) || len(s.Parts) > 0 || s.Key != nil {
			return false
		}
	}
	return true
}

// urlDir is url up to and with the last '/' of its path.
func urlDir(url string) string {
	if q := strings.IndexAny(url, "?#"); q >= 0 {
		url = url[:q]
	}
	return url[:strings.LastIndexByte(url, '/')+1]
}
