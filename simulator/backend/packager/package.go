package packager

import (
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// File names inside a title directory.
const (
	MasterPlaylist = "master.m3u8" // HLS multivariant playlist
	DASHManifest   = "manifest.mpd"
	MediaPlaylist  = "media.m3u8" // per rendition directory
	InitSegment    = "init.mp4"   // per rendition directory
)

// SegmentName is the file name of media segment n (from 1).
func SegmentName(n int) string { return "seg_" + strconv.Itoa(n) + ".m4s" }

// Kind tells video from audio renditions.
type Kind string

// Rendition kinds.
const (
	Video Kind = "video"
	Audio Kind = "audio"
)

// Rendition describes one packaged rendition. Slices are copies.
type Rendition struct {
	ID               string // directory name: "v1200" for video at 1200 kbps, "a128" for audio
	Kind             Kind
	Kbps             int   // nominal bitrate from the catalog
	Bandwidth        int64 // nominal bits/s, the DASH @bandwidth
	AverageBandwidth int64 // bits/s over all segment files
	PeakBandwidth    int64 // bits/s of the segment with the highest rate
	Width, Height    int   // video only
	FrameRate        float64
	Codecs           string // RFC 6381, e.g. "avc1.4d401f" or "mp4a.40.2"
	Timescale        uint32 // of SegmentTicks and the media track
	InitSize         int64
	SegmentSizes     []int64  // bytes of seg_1.m4s, seg_2.m4s, ...
	SegmentTicks     []uint64 // durations in Timescale units
}

// SegmentDuration is the duration of segment i (0-based).
func (r Rendition) SegmentDuration(i int) time.Duration {
	return ticksToDuration(r.SegmentTicks[i], r.Timescale)
}

// rend is a rendition with what rendering needs.
type rend struct {
	Rendition
	index     int // position among video renditions (ascending bitrate), for seeding
	timescale uint32
	avc       *avcStream
	init      []byte
	sizes     []int64  // planned segment sizes before whole-segment encryption
	wire      []int64  // segment file sizes as served
	overheads sync.Map // samples per segment -> box bytes
}

// Package is one packaged title: manifests and init segments in memory,
// media segments rendered on demand by [Package.Open]. It is safe for
// concurrent use.
type Package struct {
	title     Title
	tm        timing
	rends     []*rend // video ascending, then audio
	manifests map[string][]byte
}

// Build packages t without rendering media payloads: it plans every
// segment's size and writes the manifests and init segments. The result
// depends only on t.
func Build(t Title) (*Package, error) {
	t = t.WithDefaults()
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if t.Encryption != Clear && t.Protection == nil {
		return nil, &CatalogError{Field: "encryption", Err: fmt.Errorf("%w: %s needs a key (Title.Protection)", ErrMissingField, t.Encryption)}
	}
	p := &Package{title: t, tm: newTiming(t), manifests: map[string][]byte{}}
	order := sortedLadder(t)
	cx := complexity(t.Seed, p.tm, t.Variability, len(order))
	for j, i := range order {
		res := t.Resolutions[i]
		r := &rend{index: j, timescale: videoTimescale}
		peakCx := 1.0
		for _, c := range cx[j] {
			peakCx = max(peakCx, c)
		}
		peak := int(math.Ceil(float64(t.LadderKbps[i]) * peakCx))
		r.avc = newAVCStream(res.Width, res.Height, p.tm.sampleDur, peak)
		r.Rendition = Rendition{ID: "v" + strconv.Itoa(t.LadderKbps[i]), Kind: Video, Kbps: t.LadderKbps[i],
			Width: res.Width, Height: res.Height, FrameRate: videoTimescale / float64(p.tm.sampleDur), Codecs: r.avc.codec()}
		if err := p.planVideo(r, cx[j]); err != nil {
			return nil, err
		}
		p.rends = append(p.rends, r)
	}
	if !t.NoAudio {
		r := &rend{timescale: aacSampleRate}
		r.Rendition = Rendition{ID: "a" + strconv.Itoa(t.AudioKbps), Kind: Audio, Kbps: t.AudioKbps, Codecs: "mp4a.40.2"}
		if err := p.planAudio(r); err != nil {
			return nil, err
		}
		p.rends = append(p.rends, r)
	}
	for _, r := range p.rends {
		var pr *Protection
		if t.Encryption.common() {
			pr = t.Protection
		}
		init, err := r.initSegment(pr, t.Encryption)
		if err != nil {
			return nil, err
		}
		r.init = init
		r.InitSize = int64(len(init))
		r.Timescale = r.timescale
		r.Bandwidth = int64(r.Kbps) * 1000
		r.wire = r.sizes
		if t.Encryption == AES128 {
			r.wire = make([]int64, len(r.sizes))
			for k, s := range r.sizes {
				r.wire[k] = aesPaddedSize(s)
			}
		}
		var total int64
		var ticks uint64
		for k, s := range r.wire {
			total += s
			ticks += r.SegmentTicks[k]
			if bps := int64(math.Ceil(float64(s) * 8 * float64(r.timescale) / float64(r.SegmentTicks[k]))); bps > r.PeakBandwidth {
				r.PeakBandwidth = bps
			}
		}
		r.AverageBandwidth = int64(math.Round(float64(total) * 8 * float64(r.timescale) / float64(ticks)))
		r.SegmentSizes = r.wire
		if t.Encryption.HasHLS() {
			p.manifests[r.ID+"/"+MediaPlaylist] = p.mediaPlaylist(r)
		}
	}
	if t.Encryption.HasHLS() {
		p.manifests[MasterPlaylist] = p.masterPlaylist()
	}
	if t.Encryption.HasDASH() {
		p.manifests[DASHManifest] = p.mpd()
	}
	return p, nil
}

func (p *Package) planVideo(r *rend, cx []float64) error {
	n := p.tm.nSegs
	r.sizes = make([]int64, n)
	r.SegmentTicks = make([]uint64, n)
	for k := 0; k < n; k++ {
		frames := p.tm.frames(k)
		ticks := uint64(frames) * uint64(p.tm.sampleDur)
		r.SegmentTicks[k] = ticks
		target := int(math.Round(float64(r.Kbps) * 1000 / 8 * float64(ticks) / videoTimescale * cx[k]))
		sum := 0
		for i := 0; i < frames; i++ {
			sum += r.avc.frameMin(i, k)
		}
		base := r.overhead(p, frames) + sum
		extra := target - base
		if extra < nalFillerMin {
			extra = 0
		}
		r.sizes[k] = int64(base + extra)
		if r.sizes[k] > math.MaxUint32 {
			return fmt.Errorf("%s segment %d: %d bytes is too large", r.ID, k+1, r.sizes[k])
		}
	}
	return nil
}

func (p *Package) planAudio(r *rend) error {
	n := p.tm.nSegs
	r.sizes = make([]int64, n)
	r.SegmentTicks = make([]uint64, n)
	for k := 0; k < n; k++ {
		a0, a1 := p.tm.audioFrame(k), p.tm.audioFrame(k+1)
		if a1 <= a0 {
			return fmt.Errorf("%w: segment_duration: too short for audio frames of %v", ErrInvalidValue, ticksToDuration(aacFrameSamples, aacSampleRate))
		}
		r.SegmentTicks[k] = uint64(a1-a0) * aacFrameSamples
		size := r.overhead(p, a1-a0)
		for j := a0; j < a1; j++ {
			size += r.audioFrameSize(j)
		}
		r.sizes[k] = int64(size)
	}
	return nil
}

func ticksToDuration(ticks uint64, timescale uint32) time.Duration {
	return time.Duration(math.Round(float64(ticks) * float64(time.Second) / float64(timescale)))
}

// HasHLS and HasDASH say which manifests the title has: an aes-128 title
// has no DASH MPD, a cenc title no HLS playlists, a cbcs title both.
func (p *Package) HasHLS() bool  { return p.title.Encryption.HasHLS() }
func (p *Package) HasDASH() bool { return p.title.Encryption.HasDASH() }

// Title is the title as packaged, with defaults applied.
func (p *Package) Title() Title { return p.title }

// Duration is the presentation duration (whole video frames).
func (p *Package) Duration() time.Duration {
	return ticksToDuration(p.tm.start(p.tm.nSegs), videoTimescale)
}

// SegmentCount is the number of media segments of every rendition.
func (p *Package) SegmentCount() int { return p.tm.nSegs }

// Renditions lists video renditions by ascending bitrate, then audio.
func (p *Package) Renditions() []Rendition {
	out := make([]Rendition, len(p.rends))
	for i, r := range p.rends {
		out[i] = r.Rendition
		out[i].SegmentSizes = append([]int64(nil), r.wire...)
		out[i].SegmentTicks = append([]uint64(nil), r.SegmentTicks...)
	}
	return out
}

// SegmentSizes maps rendition ids to the bytes of each media segment.
func (p *Package) SegmentSizes() map[string][]int64 {
	out := make(map[string][]int64, len(p.rends))
	for _, r := range p.rends {
		out[r.ID] = append([]int64(nil), r.wire...)
	}
	return out
}

// Files lists every file of the title, relative to its directory.
func (p *Package) Files() []string {
	var out []string
	for _, m := range []string{MasterPlaylist, DASHManifest} {
		if _, ok := p.manifests[m]; ok {
			out = append(out, m)
		}
	}
	for _, r := range p.rends {
		if _, ok := p.manifests[r.ID+"/"+MediaPlaylist]; ok {
			out = append(out, r.ID+"/"+MediaPlaylist)
		}
		out = append(out, r.ID+"/"+InitSegment)
		for k := 1; k <= p.tm.nSegs; k++ {
			out = append(out, r.ID+"/"+SegmentName(k))
		}
	}
	return out
}

// lookup resolves path to a manifest, or a rendition and a segment index
// (-1 for the init segment).
func (p *Package) lookup(path string) (manifest []byte, r *rend, seg int, ok bool) {
	if m, ok := p.manifests[path]; ok {
		return m, nil, 0, true
	}
	dir, name, found := strings.Cut(path, "/")
	if !found {
		return nil, nil, 0, false
	}
	for _, c := range p.rends {
		if c.ID != dir {
			continue
		}
		if name == InitSegment {
			return nil, c, -1, true
		}
		num, isSeg := strings.CutPrefix(name, "seg_")
		num, isSeg2 := strings.CutSuffix(num, ".m4s")
		if !isSeg || !isSeg2 || num == "" || num[0] == '0' || num[0] == '+' {
			return nil, nil, 0, false
		}
		n, err := strconv.Atoi(num)
		if err != nil || n < 1 || n > p.tm.nSegs {
			return nil, nil, 0, false
		}
		return nil, c, n - 1, true
	}
	return nil, nil, 0, false
}

// Size is the byte size of the file at path, without rendering it.
func (p *Package) Size(path string) (int64, bool) {
	m, r, seg, ok := p.lookup(path)
	switch {
	case !ok:
		return 0, false
	case r == nil:
		return int64(len(m)), true
	case seg < 0:
		return int64(len(r.init)), true
	default:
		return r.wire[seg], true
	}
}

// Open returns the bytes of the file at path (relative to the title
// directory, e.g. "v1200/seg_1.m4s"); media segments are rendered on each
// call. Unknown paths give an error wrapping [fs.ErrNotExist].
func (p *Package) Open(path string) ([]byte, error) {
	m, r, seg, ok := p.lookup(path)
	switch {
	case !ok:
		return nil, &fs.PathError{Op: "open", Path: p.title.ID + "/" + path, Err: fs.ErrNotExist}
	case r == nil:
		return append([]byte(nil), m...), nil
	case seg < 0:
		return append([]byte(nil), r.init...), nil
	default:
		return p.renderSegment(r, seg)
	}
}

// WriteStats counts what [WriteTitle] wrote.
type WriteStats struct {
	Files int
	Bytes int64
}

// WriteTitle writes every file of p under dir/<id>/.
func WriteTitle(p *Package, dir string) (WriteStats, error) {
	var st WriteStats
	base := filepath.Join(dir, p.title.ID)
	for _, f := range p.Files() {
		data, err := p.Open(f)
		if err != nil {
			return st, err
		}
		path := filepath.Join(base, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return st, err
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return st, err
		}
		st.Files++
		st.Bytes += int64(len(data))
	}
	return st, nil
}

// Write packages every title of cat into dir: DIR/<id>/master.m3u8,
// DIR/<id>/manifest.mpd and one directory per rendition with media.m3u8,
// init.mp4 and seg_<n>.m4s (n from 1).
func Write(cat *Catalog, dir string) error {
	if err := cat.Validate(); err != nil {
		return err
	}
	for _, t := range cat.Titles {
		p, err := Build(t)
		if err != nil {
			return fmt.Errorf("title %s: %w", t.ID, err)
		}
		if _, err := WriteTitle(p, dir); err != nil {
			return fmt.Errorf("title %s: %w", t.ID, err)
		}
	}
	return nil
}
