package packager

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/Eyevinn/mp4ff/avc"
	"github.com/Eyevinn/mp4ff/mp4"
)

// Limits on a feed directory, so a wrong path cannot exhaust memory.
const (
	maxFeedFile     = 64 << 20  // bytes of one init or media segment
	maxFeedBytes    = 512 << 20 // bytes of all media of a feed
	maxFeedSegments = 10000     // segments of one rendition
)

// feed is CMAF made by another packager that a channel plays in a loop
// in place of synthetic frames: the DASH output of `make content`
// (init_<id>.m4s and seg_<id>_<NNN>.m4s, NNN from 001).
type feed struct {
	rends map[*rend]*feedRend
}

// feedRend is one rendition of a feed, its whole loop in memory.
type feedRend struct {
	trackID   uint32
	frameDur  uint32 // video: track ticks per frame; audio: samples per AAC frame
	samples   []mp4.FullSample
	segFirst  []int // video: index of each segment's first sample
	trunFlags uint32
}

// loadFeed reads the feed in dir (or dir/dash) and packages it as the
// loop of channel id: renditions named v<kbps> (ascending) and a<kbps>,
// the source's init segments, and the frame and segment grid the feed
// was encoded with.
func loadFeed(id, dir string) (*Package, *feed, error) {
	if st, err := os.Stat(filepath.Join(dir, "dash")); err == nil && st.IsDir() {
		dir = filepath.Join(dir, "dash")
	}
	inits, err := filepath.Glob(filepath.Join(dir, "init_*.m4s"))
	if err != nil || len(inits) == 0 {
		return nil, nil, fmt.Errorf("%w: source %s: no init_<id>.m4s (the DASH output of make content)", ErrInvalidValue, dir)
	}
	slices.Sort(inits)
	f := &feed{rends: map[*rend]*feedRend{}}
	var video, audio []*rend
	var segFrames int
	var sampleDur uint32 // 90 kHz ticks per frame
	var total int64
	for _, path := range inits {
		src := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), "init_"), ".m4s")
		r, fr, err := loadFeedRend(dir, src, &total)
		if err != nil {
			return nil, nil, fmt.Errorf("source %s: %w", dir, err)
		}
		f.rends[r] = fr
		if r.Kind == Audio {
			audio = append(audio, r)
			continue
		}
		frames := fr.segFirst[1] - fr.segFirst[0]
		sd := uint64(fr.frameDur) * videoTimescale
		if sd%uint64(r.timescale) != 0 {
			return nil, nil, fmt.Errorf("%w: source %s: rendition %s: a frame of %d/%d s is not a whole number of 90 kHz ticks", ErrInvalidValue, dir, src, fr.frameDur, r.timescale)
		}
		if len(video) == 0 {
			segFrames, sampleDur = frames, uint32(sd/uint64(r.timescale))
		} else if frames != segFrames || uint32(sd/uint64(r.timescale)) != sampleDur || len(fr.segFirst)-1 != len(f.rends[video[0]].segFirst)-1 {
			return nil, nil, fmt.Errorf("%w: source %s: rendition %s: its frame or segment grid differs from the others'", ErrInvalidValue, dir, src)
		}
		video = append(video, r)
	}
	if len(video) == 0 {
		return nil, nil, fmt.Errorf("%w: source %s: no video rendition", ErrInvalidValue, dir)
	}
	if len(audio) > 1 {
		return nil, nil, fmt.Errorf("%w: source %s: %d audio renditions; a channel carries one", ErrInvalidValue, dir, len(audio))
	}
	segs := len(f.rends[video[0]].segFirst) - 1
	tm := timing{sampleDur: sampleDur, framesPerSeg: segFrames, totalFrames: segFrames * segs, nSegs: segs}
	slices.SortFunc(video, func(a, b *rend) int { return int(a.AverageBandwidth - b.AverageBandwidth) })
	p := &Package{tm: tm, rends: append(video, audio...), manifests: map[string][]byte{}}
	seen := map[string]bool{}
	for i, r := range p.rends {
		r.index = i
		r.Kbps = int(math.Round(float64(r.AverageBandwidth) / 1000))
		r.ID = string(r.Kind[0]) + strconv.Itoa(r.Kbps)
		for k := 2; seen[r.ID]; k++ {
			r.ID = string(r.Kind[0]) + strconv.Itoa(r.Kbps) + "-" + strconv.Itoa(k)
		}
		seen[r.ID] = true
		if r.Kind == Video {
			r.FrameRate = videoTimescale / float64(sampleDur)
		}
	}
	p.title = Title{ID: id, Duration: ticksToDuration(tm.start(segs), videoTimescale), SegmentDuration: ticksToDuration(uint64(segFrames)*uint64(sampleDur), videoTimescale),
		FrameRate: videoTimescale / float64(sampleDur), NoAudio: len(audio) == 0}
	p.manifests[MasterPlaylist] = p.masterPlaylist()
	return p, f, nil
}

// loadFeedRend reads init_<src>.m4s and every seg_<src>_<NNN>.m4s of dir.
func loadFeedRend(dir, src string, total *int64) (*rend, *feedRend, error) {
	read := func(name string) (*mp4.File, int64, error) {
		fh, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			return nil, 0, err
		}
		defer fh.Close()
		data, err := io.ReadAll(io.LimitReader(fh, maxFeedFile+1))
		if err != nil {
			return nil, 0, err
		}
		if len(data) > maxFeedFile {
			return nil, 0, fmt.Errorf("%w: %s is over %d MiB", ErrInvalidValue, name, maxFeedFile>>20)
		}
		mf, err := mp4.DecodeFile(bytes.NewReader(data))
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %w", name, err)
		}
		return mf, int64(len(data)), nil
	}
	initName := "init_" + src + ".m4s"
	mf, initSize, err := read(initName)
	if err != nil {
		return nil, nil, err
	}
	if mf.Init == nil || len(mf.Init.Moov.Traks) != 1 || mf.Init.Moov.Mvex == nil || mf.Init.Moov.Mvex.Trex == nil {
		return nil, nil, fmt.Errorf("%w: %s: not a CMAF header of one track", ErrInvalidValue, initName)
	}
	trak := mf.Init.Moov.Trak
	r := &rend{timescale: trak.Mdia.Mdhd.Timescale}
	var buf bytes.Buffer
	if err := mf.Init.Encode(&buf); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", initName, err)
	}
	r.init = buf.Bytes()
	r.InitSize = initSize
	fr := &feedRend{trackID: trak.Tkhd.TrackID, trunFlags: trunFlags}
	stsd := trak.Mdia.Minf.Stbl.Stsd
	switch trak.Mdia.Hdlr.HandlerType {
	case "vide":
		if stsd.AvcX == nil || stsd.AvcX.AvcC == nil || len(stsd.AvcX.AvcC.SPSnalus) == 0 {
			return nil, nil, fmt.Errorf("%w: %s: video that is not H.264 (avc1/avc3)", ErrInvalidValue, initName)
		}
		sps, err := avc.ParseSPSNALUnit(stsd.AvcX.AvcC.SPSnalus[0], false)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: SPS: %w", initName, err)
		}
		r.Rendition = Rendition{Kind: Video, Width: int(stsd.AvcX.Width), Height: int(stsd.AvcX.Height), Codecs: avc.CodecString("avc1", sps)}
	case "soun":
		if stsd.Mp4a == nil || stsd.Mp4a.Esds == nil || stsd.Mp4a.Esds.DecConfigDescriptor == nil {
			return nil, nil, fmt.Errorf("%w: %s: audio that is not AAC (mp4a)", ErrInvalidValue, initName)
		}
		if r.timescale != aacSampleRate {
			return nil, nil, fmt.Errorf("%w: %s: audio at %d Hz; channels carry %d Hz", ErrInvalidValue, initName, r.timescale, aacSampleRate)
		}
		codecs := "mp4a.40.2"
		if dsi := stsd.Mp4a.Esds.DecConfigDescriptor.DecSpecificInfo; dsi != nil && len(dsi.DecConfig) > 0 {
			codecs = "mp4a.40." + strconv.Itoa(int(dsi.DecConfig[0]>>3))
		}
		r.Rendition = Rendition{Kind: Audio, Codecs: codecs}
	default:
		return nil, nil, fmt.Errorf("%w: %s: track handler %q is neither video nor audio", ErrInvalidValue, initName, trak.Mdia.Hdlr.HandlerType)
	}
	trex := mf.Init.Moov.Mvex.Trex
	for k := 1; ; k++ {
		name := fmt.Sprintf("seg_%s_%03d.m4s", src, k)
		if _, err := os.Stat(filepath.Join(dir, name)); errors.Is(err, os.ErrNotExist) {
			break
		}
		if k > maxFeedSegments {
			return nil, nil, fmt.Errorf("%w: rendition %s has over %d segments", ErrInvalidValue, src, maxFeedSegments)
		}
		seg, size, err := read(name)
		if err != nil {
			return nil, nil, err
		}
		if *total += size; *total > maxFeedBytes {
			return nil, nil, fmt.Errorf("%w: media over %d MiB", ErrInvalidValue, maxFeedBytes>>20)
		}
		first := len(fr.samples)
		var ticks uint64
		for _, frag := range seg.Segments {
			for _, fg := range frag.Fragments {
				ss, err := fg.GetFullSamples(trex)
				if err != nil {
					return nil, nil, fmt.Errorf("%s: %w", name, err)
				}
				for _, s := range ss {
					if s.CompositionTimeOffset != 0 {
						fr.trunFlags |= 0x800
					}
					ticks += uint64(s.Dur)
					fr.samples = append(fr.samples, s)
				}
			}
		}
		n := len(fr.samples) - first
		if n == 0 {
			return nil, nil, fmt.Errorf("%w: %s has no samples", ErrInvalidValue, name)
		}
		if r.Kind == Video && !fr.samples[first].IsSync() {
			return nil, nil, fmt.Errorf("%w: %s does not start with a sync sample; a channel needs a key frame at every segment", ErrInvalidValue, name)
		}
		fr.segFirst = append(fr.segFirst, first)
		r.sizes = append(r.sizes, size)
		r.SegmentTicks = append(r.SegmentTicks, ticks)
	}
	if len(fr.samples) == 0 {
		return nil, nil, fmt.Errorf("%w: rendition %s: no seg_%s_001.m4s", ErrInvalidValue, src, src)
	}
	fr.segFirst = append(fr.segFirst, len(fr.samples))
	fr.frameDur = fr.samples[0].Dur
	for i, s := range fr.samples {
		// An encoder may write the last AAC frame shorter (its trimmed
		// end); the loop plays every frame whole.
		if s.Dur != fr.frameDur && !(r.Kind == Audio && i == len(fr.samples)-1) {
			return nil, nil, fmt.Errorf("%w: rendition %s: sample %d lasts %d ticks, not %d; a channel needs a constant frame rate", ErrInvalidValue, src, i, s.Dur, fr.frameDur)
		}
	}
	if r.Kind == Video {
		for k := 1; k+1 < len(fr.segFirst); k++ {
			if a, b := fr.segFirst[k]-fr.segFirst[k-1], fr.segFirst[k+1]-fr.segFirst[k]; a != b {
				return nil, nil, fmt.Errorf("%w: rendition %s: segment %d has %d frames, segment %d has %d; a channel loops equal segments", ErrInvalidValue, src, k, a, k+1, b)
			}
		}
	} else if fr.frameDur != aacFrameSamples {
		return nil, nil, fmt.Errorf("%w: rendition %s: AAC frames of %d samples, not %d", ErrInvalidValue, src, fr.frameDur, aacFrameSamples)
	}
	var bytes int64
	var ticks uint64
	for k, s := range r.sizes {
		bytes += s
		ticks += r.SegmentTicks[k]
		r.PeakBandwidth = max(r.PeakBandwidth, int64(math.Ceil(float64(s)*8*float64(r.timescale)/float64(r.SegmentTicks[k]))))
	}
	r.AverageBandwidth = int64(math.Round(float64(bytes) * 8 * float64(r.timescale) / float64(ticks)))
	r.Bandwidth = r.AverageBandwidth
	r.Timescale = r.timescale
	r.SegmentSizes = r.sizes
	r.wire = r.sizes
	return r, fr, nil
}

// chunk renders part j of segment n (from 1) of r from the feed: loop
// segment (n-1) mod segments, decode times running on across loops.
func (f *feed) chunk(c *Channel, r *rend, n, j int) ([]byte, error) {
	fr := f.rends[r]
	seq := uint32((n-1)*c.pps + j + 1)
	frag, err := mp4.CreateFragment(seq, fr.trackID)
	if err != nil {
		return nil, err
	}
	frag.Moof.Traf.Trun.Flags = fr.trunFlags
	frag.Moof.Traf.Tfdt.Version = 1
	var ss []mp4.FullSample
	var t0 uint64 // in track ticks
	if r.Kind == Video {
		k := (n - 1) % c.loop
		first := fr.segFirst[k] + j*c.fpp
		ss = fr.samples[first : first+c.fpp]
		t0 = uint64((n-1)*c.fps+j*c.fpp) * uint64(fr.frameDur)
	} else {
		v0 := uint64(n-1)*c.segTicks() + uint64(j)*c.partTicks()
		a0, a1 := audioFrameAt(v0), audioFrameAt(v0+c.partTicks())
		ss = make([]mp4.FullSample, 0, a1-a0)
		for a := a0; a < a1; a++ {
			ss = append(ss, fr.samples[a%uint64(len(fr.samples))])
		}
		t0 = a0 * aacFrameSamples
	}
	for i, s := range ss {
		s.DecodeTime, s.Dur = t0+uint64(i)*uint64(fr.frameDur), fr.frameDur
		frag.AddFullSample(s)
	}
	var b bytes.Buffer
	b.Grow(int(frag.Size()))
	if err := frag.Encode(&b); err != nil {
		return nil, fmt.Errorf("%s %s: %w", c.cfg.ID, PartName(n, j), err)
	}
	return b.Bytes(), nil
}
