package download

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/player/transport"
)

// maxManifestSize bounds manifests and segment indexes read into memory.
const maxManifestSize = 32 << 20

// limitedBuffer is a bytes.Buffer that refuses to grow past max.
type limitedBuffer struct {
	bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.max {
		return 0, fmt.Errorf("larger than %d bytes", b.max)
	}
	return b.Buffer.Write(p)
}

func fetchBytes(ctx context.Context, f transport.Fetcher, url string, kind transport.Kind, off, length int64) ([]byte, error) {
	buf := &limitedBuffer{max: maxManifestSize}
	res, err := f.Fetch(ctx, &transport.Request{URL: url, Kind: kind, Offset: off, Length: length, Body: buf}, nil)
	if err = normalizeErr(url, res, err); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// loadPlan reads the manifest at url (and, for HLS, the media playlists of
// the chosen renditions; for DASH SegmentBase, their sidx) and builds the
// plan for sel.
//
// maxFiles caps the plan's files; the parsers stop at that many segments
// per rendition, so a hostile playlist is refused before it is modelled.
func loadPlan(ctx context.Context, f transport.Fetcher, url string, sel Selection, maxFiles int) (*plan, error) {
	data, err := fetchBytes(ctx, f, url, transport.KindManifest, 0, 0)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	lim := manifest.WithLimits(manifest.Limits{Segments: maxFiles})
	p, err := manifest.Parse(data, url, lim)
	if err != nil {
		return nil, tooLarge(err, maxFiles)
	}
	if p.Live {
		return nil, fmt.Errorf("%s: live presentation: %w", redact(url), ErrUnsupported)
	}
	video, audio, text, err := choose(p, sel)
	if err != nil {
		return nil, err
	}
	var rs []*manifest.Rendition
	for _, r := range append(append([]*manifest.Rendition{video}, audio...), text...) {
		if r == nil {
			continue
		}
		c := *r // our own copy: ApplyMedia must not touch the shared presentation
		if err := loadRendition(ctx, f, &c, lim); err != nil {
			return nil, tooLarge(err, maxFiles)
		}
		rs = append(rs, &c)
	}
	pl, err := buildPlan(url, p, rs)
	if err == nil && len(pl.Items) > maxFiles {
		err = fmt.Errorf("%s: %d files: %w: more than %d per download", redact(url), len(pl.Items), ErrTooLarge, maxFiles)
	}
	return pl, err
}

// tooLarge marks a parser's limit error as ErrTooLarge too.
func tooLarge(err error, maxFiles int) error {
	if errors.Is(err, manifest.ErrLimit) {
		return fmt.Errorf("%w (%w: at most %d files per download)", err, ErrTooLarge, maxFiles)
	}
	return err
}

func loadRendition(ctx context.Context, f transport.Fetcher, r *manifest.Rendition, lim manifest.Option) error {
	switch {
	case !r.Loaded && r.PlaylistURI != "":
		data, err := fetchBytes(ctx, f, r.PlaylistURI, transport.KindManifest, 0, 0)
		if err != nil {
			return fmt.Errorf("media playlist of %s: %w", r.ID, err)
		}
		mp, err := manifest.ParseHLSMedia(data, r.PlaylistURI, lim)
		if err != nil {
			return err
		}
		if !mp.EndList {
			return fmt.Errorf("%s: media playlist without EXT-X-ENDLIST: %w", redact(r.PlaylistURI), ErrUnsupported)
		}
		r.ApplyMedia(mp)
	case len(r.Segments) == 0 && r.IndexRange != nil && len(r.BaseURLs) > 0:
		media := r.BaseURLs[0].URL
		data, err := fetchBytes(ctx, f, media, transport.KindInit, r.IndexRange.Offset, r.IndexRange.Length)
		if err != nil {
			return fmt.Errorf("segment index of %s: %w", r.ID, err)
		}
		segs, err := manifest.ParseSidx(data, media, *r.IndexRange)
		if err != nil {
			return err
		}
		r.Segments = segs
		r.Loaded = true
	}
	return nil
}
