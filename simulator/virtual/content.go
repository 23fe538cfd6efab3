package virtual

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/simulator/backend"
	"github.com/abrkit/abrkit/simulator/backend/packager"
	"github.com/abrkit/abrkit/simulator/backend/topology"
	"github.com/abrkit/abrkit/simulator/policy"
)

// originHost is the host of manifest URIs; media requests are rebased
// onto the edges by the player's steering.
const originHost = "http://origin.abrkit.test"

// title is one packaged title with its manifests parsed once and shared
// by every viewer. A live channel has ch instead of pkg, and its DASH
// manifest only: a dynamic MPD whose $Number$ template every core turns
// into the live window from its own clock, so one parse serves every
// viewer and every refresh.
type title struct {
	id   string
	pkg  *packager.Package
	ch   *packager.Channel
	hls  *manifest.Presentation
	dash *manifest.Presentation
}

// library builds titles on first use and picks them by Zipf popularity.
// Titles are the VOD catalog, then the live channels.
type library struct {
	cat      *packager.Catalog
	channels []topology.Channel
	share    float64   // of sessions on a live channel
	epoch    time.Time // wall time of virtual time 0
	titles   []*title
	cum      []float64 // cumulative popularity
}

func newLibrary(n int, length, segment time.Duration, zipf float64, channels []topology.Channel, share float64, epoch time.Time) *library {
	cat := packager.DefaultCatalog(n)
	for i := range cat.Titles {
		cat.Titles[i].Duration = length
		cat.Titles[i].SegmentDuration = segment
	}
	l := &library{cat: cat, channels: channels, share: share, epoch: epoch, titles: make([]*title, n+len(channels)), cum: make([]float64, n)}
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

// live picks a live channel for a uniform x in [0,1) when x falls in the
// live share.
func (l *library) live(x float64) (int, bool) {
	k, ok := policy.LiveChannel(x, l.share, len(l.channels))
	return len(l.cat.Titles) + k, ok
}

// isLive reports whether title i is a live channel.
func (l *library) isLive(i int) bool { return i >= len(l.cat.Titles) }

// id is title i's ID.
func (l *library) id(i int) string {
	if l.isLive(i) {
		return l.channels[i-len(l.cat.Titles)].ID
	}
	return l.cat.Titles[i].ID
}

// get builds (once) and returns title i.
func (l *library) get(i int) (*title, error) {
	if t := l.titles[i]; t != nil {
		return t, nil
	}
	if l.isLive(i) {
		t, err := l.channel(l.channels[i-len(l.cat.Titles)])
		l.titles[i] = t
		return t, err
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

// channel packages a live channel whose window is full at virtual time 0.
func (l *library) channel(c topology.Channel) (*title, error) {
	ch, err := packager.NewChannel(backend.ChannelConfig(c), clock.NewFake(l.epoch))
	if err != nil {
		return nil, err
	}
	data, err := ch.Open(context.Background(), packager.DASHManifest, nil)
	if err != nil {
		return nil, err
	}
	t := &title{id: c.ID, ch: ch}
	if t.dash, err = manifest.ParseDASH(data, originHost+"/"+c.ID+"/"+packager.DASHManifest); err != nil {
		return nil, fmt.Errorf("channel %s: %w", c.ID, err)
	}
	// the core's clock is exact: no time source to ask
	t.dash.UTCTiming = nil
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
	if t.ch != nil {
		return t.ch.Size(path)
	}
	return t.pkg.Size(path)
}
