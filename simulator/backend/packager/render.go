package packager

import (
	"bytes"
	"fmt"

	"github.com/Eyevinn/mp4ff/aac"
	"github.com/Eyevinn/mp4ff/bits"
	"github.com/Eyevinn/mp4ff/mp4"
)

const trunFlags = 0x701 // data offset, per-sample duration, size and flags

// initSegment renders the CMAF header of a rendition with mp4ff; with
// pr, the sample entry is encv/enca with sinf and tenc, and moov has a pssh.
func (r *rend) initSegment(pr *Protection, scheme Encryption) ([]byte, error) {
	init := mp4.CreateEmptyInit()
	init.Ftyp = mp4.NewFtyp("cmfc", 0, []string{"cmfc", "iso6", "dash", "mp41"})
	init.Children[0] = init.Ftyp
	switch r.Kind {
	case Video:
		trak := init.AddEmptyTrack(videoTimescale, "video", "und")
		if err := trak.SetAVCDescriptor("avc1", [][]byte{r.avc.sps}, [][]byte{r.avc.pps}, true); err != nil {
			return nil, fmt.Errorf("avc1 %s: %w", r.ID, err)
		}
	case Audio:
		trak := init.AddEmptyTrack(aacSampleRate, "audio", "und")
		if err := trak.SetAACDescriptor(aac.AAClc, aacSampleRate); err != nil {
			return nil, fmt.Errorf("mp4a %s: %w", r.ID, err)
		}
	}
	if pr != nil {
		if err := pr.protectInit(init, scheme); err != nil {
			return nil, fmt.Errorf("protect %s: %w", r.ID, err)
		}
	}
	var buf bytes.Buffer
	if err := init.Encode(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// samples returns the trun entries of segment k and its base decode time.
func (p *Package) samples(r *rend, k int, ws []float64) ([]mp4.Sample, uint64) {
	switch r.Kind {
	case Video:
		n := p.tm.frames(k)
		mins := make([]int, n)
		sum := 0
		for i := range mins {
			mins[i] = r.avc.frameMin(i, k)
			sum += mins[i]
		}
		extra := int(r.sizes[k]) - r.overhead(p, n) - sum
		sizes := splitPayload(mins, frameWeights(p.title.Seed, r.index, k, n, ws), extra, nalFillerMin, nil)
		ss := make([]mp4.Sample, n)
		for i := range ss {
			flags := mp4.NonSyncSampleFlags
			if i == 0 {
				flags = mp4.SyncSampleFlags
			}
			ss[i] = mp4.Sample{Flags: flags, Dur: p.tm.sampleDur, Size: uint32(sizes[i])}
		}
		return ss, p.tm.start(k)
	default:
		a0, a1 := p.tm.audioFrame(k), p.tm.audioFrame(k+1)
		ss := make([]mp4.Sample, a1-a0)
		for i := range ss {
			ss[i] = mp4.Sample{Flags: mp4.SyncSampleFlags, Dur: aacFrameSamples, Size: uint32(r.audioFrameSize(a0 + i))}
		}
		return ss, uint64(a0) * aacFrameSamples
	}
}

// audioFrameSize spreads the bitrate over frames with exact rounding.
func (r *rend) audioFrameSize(j int) int {
	cum := func(j int) int64 { return int64(j) * int64(r.Kbps) * 1000 * aacFrameSamples / (8 * aacSampleRate) }
	return int(cum(j+1) - cum(j))
}

// fragment builds the styp, optional sidx and moof of segment k (mdat size
// set lazily) without payload.
func (p *Package) fragment(r *rend, k int, ss []mp4.Sample, bmdt uint64) (*mp4.MediaSegment, *mp4.Fragment, error) {
	seg := mp4.NewMediaSegment()
	frag, err := mp4.CreateFragment(uint32(k+1), 1)
	if err != nil {
		return nil, nil, err
	}
	frag.Moof.Traf.Trun.Flags = trunFlags
	frag.AddSamples(ss, bmdt)
	frag.Moof.Traf.Tfdt.Version = 1
	if p.title.Encryption.common() {
		cencBoxes(frag, p.title.Encryption, r.Kind == Video, len(ss))
	}
	seg.AddFragment(frag)
	if p.title.Sidx {
		var dur uint64
		for _, s := range ss {
			dur += uint64(s.Dur)
		}
		sidx := &mp4.SidxBox{Version: 1, ReferenceID: 1, Timescale: r.timescale, EarliestPresentationTime: bmdt,
			SidxRefs: []mp4.SidxRef{{ReferencedSize: uint32(frag.Size()), SubSegmentDuration: uint32(dur), StartsWithSAP: 1, SAPType: 1}}}
		seg.AddSidx(sidx)
	}
	return seg, frag, nil
}

// overhead is the box bytes of a segment with n samples (equal for any
// segment with n samples: tfdt and sidx are always version 1).
func (r *rend) overhead(p *Package, n int) int {
	if v, ok := r.overheads.Load(n); ok {
		return v.(int)
	}
	ss := make([]mp4.Sample, n)
	seg, frag, err := p.fragment(r, 0, ss, 0)
	if err != nil {
		panic(err) // CreateFragment only fails for bad arguments
	}
	o := int(seg.Size() - frag.Mdat.Size() + frag.Mdat.HeaderSize())
	r.overheads.Store(n, o)
	return o
}

// renderSegment renders media segment k (0-based) of r.
func (p *Package) renderSegment(r *rend, k int) ([]byte, error) {
	ss, bmdt := p.samples(r, k, nil)
	seg, frag, err := p.fragment(r, k, ss, bmdt)
	if err != nil {
		return nil, err
	}
	total := int(seg.Size())
	if int64(total) != r.sizes[k] {
		return nil, fmt.Errorf("%s segment %d: planned %d bytes, built %d", r.ID, k+1, r.sizes[k], total)
	}
	buf := make([]byte, total, aesPaddedSize(int64(total))) // room for AES-128 padding
	hdr := total - int(frag.Mdat.Size()-frag.Mdat.HeaderSize())
	pos := hdr
	switch r.Kind {
	case Video:
		for i, s := range ss {
			r.avc.putFrame(buf[pos:pos+int(s.Size)], i, k, int(s.Size))
			pos += int(s.Size)
		}
	default:
		frames := map[uint32][]byte{}
		for _, s := range ss {
			f, ok := frames[s.Size]
			if !ok {
				f = aacFrame(int(s.Size))
				frames[s.Size] = f
			}
			pos += copy(buf[pos:], f)
		}
	}
	if pos != total {
		return nil, fmt.Errorf("%s segment %d: wrote %d of %d bytes", r.ID, k+1, pos, total)
	}
	if p.title.Encryption.common() {
		if err := p.protectSegment(r, k, frag, buf[hdr:], ss, bmdt); err != nil {
			return nil, fmt.Errorf("%s segment %d: %w", r.ID, k+1, err)
		}
	}
	sw := bits.NewFixedSliceWriterFromSlice(buf[:hdr])
	frag.SetTrunDataOffsets()
	if seg.Styp != nil {
		if err := seg.Styp.EncodeSW(sw); err != nil {
			return nil, err
		}
	}
	for _, s := range seg.Sidxs {
		if err := s.EncodeSW(sw); err != nil {
			return nil, err
		}
	}
	if err := frag.Moof.EncodeSW(sw); err != nil {
		return nil, err
	}
	if err := mp4.EncodeHeaderWithSizeSW("mdat", frag.Mdat.Size(), frag.Mdat.LargeSize, sw); err != nil {
		return nil, err
	}
	if sw.Len() != hdr {
		return nil, fmt.Errorf("%s segment %d: %d header bytes, planned %d", r.ID, k+1, sw.Len(), hdr)
	}
	if p.title.Encryption == AES128 {
		return encryptAES128(p.title.Protection.Key, p.title.Protection.IV, buf), nil
	}
	return buf, nil
}

// protectSegment encrypts the samples of CENC segment k of r in place.
func (p *Package) protectSegment(r *rend, k int, frag *mp4.Fragment, data []byte, ss []mp4.Sample, bmdt uint64) error {
	pos := 0
	for i, c := range p.rends {
		if c == r {
			pos = i
		}
	}
	var slice func(i int) int
	if r.Kind == Video {
		slice = func(i int) int { return r.avc.frameMin(i, k) - 4 }
	}
	return p.title.Protection.protectSamples(frag, p.title.Encryption, data, ss, pos, bmdt/uint64(ss[0].Dur), slice)
}
