package player

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"

	"github.com/Eyevinn/mp4ff/bits"
	"github.com/Eyevinn/mp4ff/mp4"
)

// cencTrack is what decrypting one track's media needs: the decryption
// info of its init segment and the keys of its key IDs.
type cencTrack struct {
	di   mp4.DecryptInfo
	keys map[string][]byte // by key ID, lowercase hex (mp4ff's form)
	avc  bool              // H.264 video: decrypted slices are checked
}

// InitKIDs returns the key IDs (tenc default_KID) and pssh boxes of a
// protected fMP4 init segment; none for a clear one or bytes that are not
// an init segment.
func InitKIDs(data []byte) (kids [][16]byte, pssh [][]byte) {
	f, err := mp4.DecodeFile(bytes.NewReader(data))
	if err != nil || f.Init == nil || f.Init.Moov == nil {
		return nil, nil
	}
	req, _ := initRequest(f.Init)
	return req.KIDs, req.PSSH
}

// initRequest is the license request of a decoded init segment; whether
// it has H.264 video.
func initRequest(init *mp4.InitSegment) (req LicenseRequest, avc bool) {
	for _, p := range init.Moov.Psshs {
		var b bytes.Buffer
		if p.Encode(&b) == nil {
			req.PSSH = append(req.PSSH, b.Bytes())
		}
	}
	for _, trak := range init.Moov.Traks {
		for _, c := range trak.Mdia.Minf.Stbl.Stsd.Children {
			var sinf *mp4.SinfBox
			switch e := c.(type) {
			case *mp4.VisualSampleEntryBox:
				avc = avc || e.AvcC != nil
				sinf = e.Sinf
			case *mp4.AudioSampleEntryBox:
				sinf = e.Sinf
			}
			if sinf != nil && sinf.Schi != nil && sinf.Schi.Tenc != nil {
				var kid [16]byte
				copy(kid[:], sinf.Schi.Tenc.DefaultKID)
				req.KIDs = append(req.KIDs, kid)
			}
		}
	}
	return req, avc
}

// cencInit reads an init segment. For a protected one (encv/enca) it
// returns the clear init segment (the sample entries restored, pssh
// removed) and what decrypting its media needs, asking get for the keys;
// for a clear one it returns nil, nil.
func cencInit(ctx context.Context, data []byte, get func(context.Context, LicenseRequest) (map[[16]byte][]byte, error)) ([]byte, *cencTrack, error) {
	f, err := mp4.DecodeFile(bytes.NewReader(data))
	if err != nil || f.Init == nil || f.Init.Moov == nil {
		return nil, nil, nil // not fMP4 (or broken): the decoder judges it
	}
	req, avc := initRequest(f.Init)
	if len(req.KIDs) == 0 {
		return nil, nil, nil
	}
	di, err := mp4.DecryptInit(f.Init)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrDRMUnsupported, err)
	}
	keys, err := get(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	ct := &cencTrack{di: di, keys: map[string][]byte{}, avc: avc}
	for _, kid := range req.KIDs {
		k, ok := keys[kid]
		if !ok {
			return nil, nil, fmt.Errorf("%w: key ID %x", ErrNoKey, kid)
		}
		ct.keys[hex.EncodeToString(kid[:])] = k
	}
	var out bytes.Buffer
	if err := f.Init.Encode(&out); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrDRMUnsupported, err)
	}
	return out.Bytes(), ct, nil
}

// decrypt returns the clear form of a media segment of the track. For
// H.264 it checks the first slice header of each fragment's first
// sample: a wrong key turns it to noise (an invalid slice type, or an
// IDR slice that is not an I slice at macroblock 0), caught with a
// probability of about 93% per fragment.
func (ct *cencTrack) decrypt(data []byte) ([]byte, error) {
	f, err := mp4.DecodeFile(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("segment: %w", err)
	}
	for _, seg := range f.Segments {
		if err := mp4.DecryptSegmentWithKeys(seg, ct.di, nil, ct.keys, true); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrKey, err)
		}
		if !ct.avc {
			continue
		}
		for _, frag := range seg.Fragments {
			var trex *mp4.TrexBox
			if len(ct.di.TrackInfos) > 0 {
				trex = ct.di.TrackInfos[0].Trex
			}
			ss, err := frag.GetFullSamples(trex)
			if err != nil || len(ss) == 0 {
				continue
			}
			if !sliceLooksClear(ss[0].Data) {
				return nil, fmt.Errorf("%w: the first H.264 slice is noise after decryption", ErrKey)
			}
		}
	}
	var out bytes.Buffer
	if err := f.Encode(&out); err != nil {
		return nil, fmt.Errorf("segment: %w", err)
	}
	return out.Bytes(), nil
}

// sliceLooksClear reads the first slice NAL unit of a sample (4-byte
// lengths) and tells whether its header is plausible.
func sliceLooksClear(sample []byte) bool {
	for len(sample) >= 5 {
		n := int(uint32(sample[0])<<24 | uint32(sample[1])<<16 | uint32(sample[2])<<8 | uint32(sample[3]))
		if n <= 0 || n > len(sample)-4 {
			return false
		}
		nal := sample[4 : 4+n]
		sample = sample[4+n:]
		typ := nal[0] & 0x1f
		if typ != 1 && typ != 5 {
			continue
		}
		r := bits.NewEBSPReader(bytes.NewReader(nal[1:]))
		firstMB := r.ReadExpGolomb()
		sliceType := r.ReadExpGolomb()
		if r.AccError() != nil || sliceType > 9 {
			return false
		}
		if typ == 5 {
			return firstMB == 0 && (sliceType%5 == 2 || sliceType%5 == 4)
		}
		return true
	}
	return true // no slice to judge
}
