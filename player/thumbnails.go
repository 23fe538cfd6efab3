package player

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/player/transport"
)

// ErrNoThumbnails is returned by Thumbnail for a presentation with
// neither an HLS I-frame playlist nor a DASH thumbnail track.
var ErrNoThumbnails = errors.New("player: no thumbnails")

// Thumbnail is the picture a seek bar shows for a time: a cropped part
// of a DASH thumbnail tile image, or the encoded keyframe of an HLS
// I-frame playlist (decode it as the first frame of a segment: TS
// packets, or with Init an fMP4 fragment).
type Thumbnail struct {
	Time     time.Duration // the first media time the thumbnail stands for
	Duration time.Duration // how long it stands for
	URL      string        // the image, or the media file holding the keyframe
	Range    *manifest.ByteRange
	MimeType string // "image/jpeg", "image/png" (tiles); "video/mp2t", "video/mp4" (keyframes)
	Codecs   string // RFC 6381 codecs of a keyframe ("" for images)
	Data     []byte // the tile image or the keyframe's bytes
	Init     []byte // the fMP4 init segment of a keyframe; nil for TS and images
	// Crop is the thumbnail's rectangle in the tile image (DASH tiles);
	// for keyframes it is the whole frame when its size is known.
	Crop image.Rectangle
	// Tile tells a tile image (crop Data to Crop) from a keyframe.
	Tile bool
}

// Thumbnail limits.
const (
	// thumbCacheSize is how many tile images and keyframes are kept: a
	// seek bar asks for nearby times, which share a tile.
	thumbCacheSize = 8
	// maxThumbnailBytes caps one image or keyframe.
	maxThumbnailBytes = 8 << 20
	// thumbTimeout bounds one Thumbnail call.
	thumbTimeout = 10 * time.Second
)

// thumbState caches the trick-play track and the last images fetched.
type thumbState struct {
	mu     sync.Mutex // guards the fields below; held during fetches so one loads at a time
	r      *manifest.Rendition
	start  time.Duration // period start
	tiles  [2]int        // columns, rows (DASH); 0 for keyframes
	hls    bool
	loaded bool
	period int // index of the period r is of
	init   map[string][]byte
	cache  []thumbEntry // most recent last
}

type thumbEntry struct {
	key  string
	data []byte
}

// Thumbnail returns the thumbnail for media time at from the
// presentation's trick-play track: a DASH thumbnail tile (AdaptationSet
// contentType image with the DASH-IF thumbnail_tile property) with the
// crop rectangle of at, else the keyframe of an HLS I-frame playlist.
// It fetches through the player's fetcher (at most one image at a time;
// recent ones are cached) and returns ErrNotLoaded before Load returns,
// ErrNoThumbnails without a trick-play track.
func (p *Player) Thumbnail(at time.Duration) (Thumbnail, error) {
	return p.ThumbnailContext(context.Background(), at)
}

// ThumbnailContext is Thumbnail bounded by ctx.
func (p *Player) ThumbnailContext(ctx context.Context, at time.Duration) (Thumbnail, error) {
	p.mu.Lock()
	if p.core.Presentation() == nil || p.ctx == nil {
		p.mu.Unlock()
		return Thumbnail{}, ErrNotLoaded
	}
	pctx := p.ctx
	p.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, thumbTimeout)
	defer cancel()
	stop := context.AfterFunc(pctx, cancel) // Close cancels
	defer stop()
	s := &p.thumbs
	s.mu.Lock()
	defer s.mu.Unlock()
	if pi := p.thumbPeriod(at); !s.loaded || s.period != pi {
		if err := p.bindThumbs(ctx, pi); err != nil {
			return Thumbnail{}, err
		}
	}
	if s.r == nil {
		return Thumbnail{}, ErrNoThumbnails
	}
	return p.thumbAt(ctx, at)
}

// thumbPeriod is the index of the period holding at (the last one after
// the end).
func (p *Player) thumbPeriod(at time.Duration) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	ps := p.core.pres.Periods
	i := 0
	for i+1 < len(ps) && ps[i+1].Start <= at {
		i++
	}
	return i
}

// bindThumbs picks the trick-play rendition of period pi: a DASH tile
// track, else the lowest-bandwidth HLS I-frame rendition (its playlist is
// fetched).
func (p *Player) bindThumbs(ctx context.Context, pi int) error {
	s := &p.thumbs
	p.mu.Lock()
	var pd *manifest.Period
	if pi < len(p.core.pres.Periods) {
		pd = &p.core.pres.Periods[pi]
	}
	hls := p.core.pres.Format == manifest.FormatHLS
	vars := p.core.pres.Variables
	var tile, iframe *manifest.Rendition
	var tiles [2]int
	if pd != nil {
		for i := range pd.Sets {
			for j := range pd.Sets[i].Renditions {
				r := &pd.Sets[i].Renditions[j]
				if r.Type == manifest.Image || pd.Sets[i].Type == manifest.Image {
					if c, rows, ok := parseTiles(r.Tiles); ok && tile == nil {
						tile, tiles = r, [2]int{c, rows}
					}
				} else if r.IFrameOnly && (iframe == nil || r.Bandwidth < iframe.Bandwidth) {
					iframe = r
				}
			}
		}
	}
	pick := tile
	if pick == nil {
		pick = iframe
	}
	var cp manifest.Rendition
	if pick != nil {
		cp = *pick
		cp.Segments = append([]manifest.Segment(nil), pick.Segments...)
	}
	start := time.Duration(0)
	if pd != nil {
		start = pd.Start
	}
	p.mu.Unlock()
	if pick == nil {
		s.r, s.loaded, s.period = nil, true, pi
		return nil
	}
	if hls && !cp.Loaded {
		data, err := p.fetchThumb(ctx, cp.PlaylistURI, transport.KindManifest, nil, MaxManifestBytes)
		if err != nil {
			return err
		}
		m, err := manifest.ParseHLSMediaWithVars(data, cp.PlaylistURI, vars)
		if err != nil {
			return err
		}
		cp.ApplyMedia(m)
	}
	s.r, s.tiles, s.hls, s.start, s.loaded, s.period = &cp, tiles, hls, start, true, pi
	s.init = map[string][]byte{}
	return nil
}

// tileSpan is the media time one tile image covers: the template's
// segment duration, else the longest segment (a timeline's last may be
// short), at least seg's.
func tileSpan(r *manifest.Rendition, seg manifest.Segment) time.Duration {
	if t := r.Template; t != nil && t.Duration > 0 && t.Timescale > 0 {
		return time.Duration(float64(t.Duration) / float64(t.Timescale) * float64(time.Second))
	}
	span := seg.Duration
	for _, s := range r.Segments {
		span = max(span, s.Duration)
	}
	return span
}

// parseTiles reads a thumbnail_tile value "COLSxROWS".
func parseTiles(v string) (cols, rows int, ok bool) {
	a, b, found := strings.Cut(strings.ToLower(v), "x")
	if !found {
		return 0, 0, false
	}
	c, err1 := strconv.Atoi(a)
	r, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || c <= 0 || r <= 0 || c > 1000 || r > 1000 {
		return 0, 0, false
	}
	return c, r, true
}

// thumbAt finds, fetches and describes the thumbnail of at; s.mu is held.
func (p *Player) thumbAt(ctx context.Context, at time.Duration) (Thumbnail, error) {
	s := &p.thumbs
	r := s.r
	segs := r.Segments
	if len(segs) == 0 {
		return Thumbnail{}, ErrNoThumbnails
	}
	rel := at - s.start
	i := 0
	for i+1 < len(segs) && segs[i+1].Start <= rel { // segments are in time order
		i++
	}
	seg := segs[i]
	th := Thumbnail{Time: s.start + seg.Start, Duration: seg.Duration, URL: seg.URI, Range: seg.Range,
		MimeType: r.MimeType, Codecs: r.Codecs}
	if s.tiles[0] > 0 {
		th.Tile, th.Codecs = true, ""
		if th.MimeType == "" {
			th.MimeType = "image/jpeg"
		}
		cols, rows := s.tiles[0], s.tiles[1]
		n := cols * rows
		w, h := r.Width/cols, r.Height/rows
		// Thumbnails span the nominal tile duration: the last tile may be
		// cut short by the period end without its thumbnails shrinking.
		span := tileSpan(r, seg)
		k := 0
		if span > 0 {
			k = int(min(max(rel-seg.Start, 0)*time.Duration(n)/span, time.Duration(n-1)))
		}
		th.Time += span * time.Duration(k) / time.Duration(n)
		th.Duration = span / time.Duration(n)
		col, row := k%cols, k/cols
		th.Crop = image.Rect(col*w, row*h, (col+1)*w, (row+1)*h)
	} else {
		th.MimeType = "video/mp2t"
		init := seg.Init
		if init == nil {
			init = r.Init
		}
		if init != nil {
			th.MimeType = "video/mp4"
			key := init.URI
			if init.Range != nil {
				key += fmt.Sprintf("@%d-%d", init.Range.Offset, init.Range.Length)
			}
			b, ok := s.init[key]
			if !ok {
				var err error
				if b, err = p.fetchThumb(ctx, init.URI, transport.KindInit, init.Range, maxThumbnailBytes); err != nil {
					return Thumbnail{}, err
				}
				s.init[key] = b
			}
			th.Init = b
		}
		if r.Width > 0 && r.Height > 0 {
			th.Crop = image.Rect(0, 0, r.Width, r.Height)
		}
	}
	key := seg.URI
	if seg.Range != nil {
		key += fmt.Sprintf("@%d-%d", seg.Range.Offset, seg.Range.Length)
	}
	for j := len(s.cache) - 1; j >= 0; j-- {
		if s.cache[j].key == key {
			th.Data = s.cache[j].data
			return th, nil
		}
	}
	data, err := p.fetchThumb(ctx, seg.URI, transport.KindMedia, seg.Range, maxThumbnailBytes)
	if err != nil {
		return Thumbnail{}, err
	}
	if len(s.cache) >= thumbCacheSize {
		s.cache = append(s.cache[:0], s.cache[1:]...)
	}
	s.cache = append(s.cache, thumbEntry{key, data})
	th.Data = data
	return th, nil
}

// fetchBytes fetches a URL or range through the player's fetcher, up to
// limit bytes.
func (p *Player) fetchBytes(ctx context.Context, url string, kind transport.Kind, rg *manifest.ByteRange, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	req := &transport.Request{URL: url, Kind: kind, Body: &capWriter{w: &buf, limit: limit, kind: kind}}
	if rg != nil {
		req.Offset, req.Length = rg.Offset, rg.Length
	}
	if _, err := p.o.fetcher.Fetch(ctx, req, nil); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (p *Player) fetchThumb(ctx context.Context, url string, kind transport.Kind, rg *manifest.ByteRange, limit int64) ([]byte, error) {
	b, err := p.fetchBytes(ctx, url, kind, rg, limit)
	if err != nil {
		return nil, fmt.Errorf("thumbnail: %w", err)
	}
	return b, nil
}
