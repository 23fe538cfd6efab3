package virtual

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/simulator/backend/packager"
)

// originHost is the host of manifest URIs; media requests are rebased
// onto the edges by the player's steering.
const originHost = "http://origin.abrkit.test"

// title is one packaged title with its manifests parsed once and shared
// by every viewer.
type title struct {
	id   string
	pkg  *packager.Package
	hls  *manifest.Presentation
	dash *manifest.Presentation
}

// library builds titles on first use and picks them by Zipf popularity.
type library struct {
	cat    *packager.Catalog
	titles []*title
	cum    []float64 // cumulative popularity
}

func newLibrary(n int, length, segment time.Duration, zipf float64) *library {
	cat := packager.DefaultCatalog(n)
	for i := range cat.Titles {
		cat.Titles[i].Duration = length
		cat.Titles[i].SegmentDuration = segment
	}
	l := &library{cat: cat, titles: make([]*title, n), cum: make([]float64, n)}
	sum := 0.0
	for k := 0; k < n; k++ {
		sum += 1 / math.Pow(float64(k+1), zipf)
		l.cum[k] = sum
	}
	for k := range l.cum {
		l.cum[k] /= sum
	}
	return l
}

// pick returns the title index for a uniform u in [0,1).
func (l *library) pick(u float64) int {
	i := sort.SearchFloat64s(l.cum, u)
	return min(i, len(l.cum)-1)
}

// get builds (once) and returns title i.
func (l *library) get(i int) (*title, error) {
	if t := l.titles[i]; t != nil {
		return t, nil
	}
	ct := l.cat.Titles[i]
	p, err := packager.Build(ct)
	if err != nil {
		return nil, fmt.Errorf("package title %s: %w", ct.ID, err)
	}
	t := &title{id: ct.ID, pkg: p}
	base := originHost + "/" + ct.ID + "/"
	if t.hls, err = parseHLS(p, base); err != nil {
		return nil, err
	}
	data, err := p.Open(packager.DASHManifest)
	if err != nil {
		return nil, err
	}
	if t.dash, err = manifest.ParseDASH(data, base+packager.DASHManifest); err != nil {
		return nil, fmt.Errorf("title %s: %w", ct.ID, err)
	}
	l.titles[i] = t
	return t, nil
}

// parseHLS parses the multivariant playlist and applies every media
// playlist, so cores never need to fetch them.
func parseHLS(p *packager.Package, base string) (*manifest.Presentation, error) {
	data, err := p.Open(packager.MasterPlaylist)
	if err != nil {
		return nil, err
	}
	pr, err := manifest.ParseHLS(data, base+packager.MasterPlaylist)
	if err != nil {
		return nil, err
	}
	for pi := range pr.Periods {
		for si := range pr.Periods[pi].Sets {
			set := &pr.Periods[pi].Sets[si]
			for ri := range set.Renditions {
				r := &set.Renditions[ri]
				if r.Loaded || r.PlaylistURI == "" {
					continue
				}
				rel := strings.TrimPrefix(r.PlaylistURI, base)
				body, err := p.Open(rel)
				if err != nil {
					return nil, fmt.Errorf("media playlist %s: %w", rel, err)
				}
				mp, err := manifest.ParseHLSMedia(body, r.PlaylistURI)
				if err != nil {
					return nil, err
				}
				r.ApplyMedia(mp)
			}
		}
	}
	return pr, nil
}

// size returns the exact size of the resource at url (any host) of title t.
func (t *title) size(url string) (int64, bool) {
	i := strings.Index(url, "://")
	if i < 0 {
		return 0, false
	}
	rest := url[i+3:]
	j := strings.IndexByte(rest, '/')
	if j < 0 {
		return 0, false
	}
	path := rest[j+1:]
	if q := strings.IndexByte(path, '?'); q >= 0 {
		path = path[:q]
	}
	path, ok := strings.CutPrefix(path, t.id+"/")
	if !ok {
		return 0, false
	}
	return t.pkg.Size(path)
}
