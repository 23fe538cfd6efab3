package text

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/Eyevinn/mp4ff/mp4"
)

// ErrNotSTPP is returned for an init segment without an 'stpp' track.
var ErrNotSTPP = errors.New("text: no stpp (TTML) track")

// STPPTrack is what ParseSTPP needs from an fMP4 init segment.
type STPPTrack struct {
	TrackID   uint32
	Timescale uint32
	trex      *mp4.TrexBox
}

// ParseSTPPInit reads the TTML ('stpp') track of an fMP4 init segment.
func ParseSTPPInit(init []byte) (tr *STPPTrack, err error) {
	if len(init) > MaxDocumentBytes {
		return nil, ErrTooLarge
	}
	defer recoverMP4(&err)
	f, err := mp4.DecodeFile(bytes.NewReader(init))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSyntax, err)
	}
	if f.Init == nil || f.Init.Moov == nil {
		return nil, fmt.Errorf("%w: no moov", ErrSyntax)
	}
	for _, trak := range f.Init.Moov.Traks {
		if trak.Mdia == nil || trak.Mdia.Mdhd == nil || trak.Mdia.Minf == nil || trak.Mdia.Minf.Stbl == nil ||
			trak.Mdia.Minf.Stbl.Stsd == nil || trak.Tkhd == nil {
			continue
		}
		for _, c := range trak.Mdia.Minf.Stbl.Stsd.Children {
			if c.Type() != "stpp" {
				continue
			}
			tr = &STPPTrack{TrackID: trak.Tkhd.TrackID, Timescale: trak.Mdia.Mdhd.Timescale}
			if tr.Timescale == 0 {
				return nil, fmt.Errorf("%w: timescale 0", ErrSyntax)
			}
			if mv := f.Init.Moov.Mvex; mv != nil {
				for _, t := range mv.Trexs {
					if t.TrackID == tr.TrackID {
						tr.trex = t
					}
				}
			}
			if tr.trex == nil {
				tr.trex = &mp4.TrexBox{TrackID: tr.TrackID}
			}
			return tr, nil
		}
	}
	return nil, ErrNotSTPP
}

// ParseSTPP parses the TTML documents in the samples of an fMP4 media
// segment of track tr. The documents' times are on the track's media
// timeline (ISO/IEC 14496-30, DASH-IF IOP); some packagers write each
// sample's times from the sample start instead, which is recognised when
// every cue of a sample would end before the sample begins.
func ParseSTPP(tr *STPPTrack, seg []byte) (cues []Cue, err error) {
	if len(seg) > MaxDocumentBytes {
		return nil, ErrTooLarge
	}
	defer recoverMP4(&err)
	f, err := mp4.DecodeFile(bytes.NewReader(seg))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSyntax, err)
	}
	for _, s := range f.Segments {
		for _, frag := range s.Fragments {
			if frag.Moof == nil || frag.Mdat == nil {
				continue
			}
			samples, err := frag.GetFullSamples(tr.trex)
			if err != nil {
				return nil, fmt.Errorf("%w: %v", ErrSyntax, err)
			}
			for _, smp := range samples {
				if len(smp.Data) == 0 {
					continue
				}
				sc, err := ParseTTML(smp.Data)
				if err != nil {
					return nil, err
				}
				start := time.Duration(float64(smp.PresentationTime()) / float64(tr.Timescale) * float64(time.Second))
				if start > 0 && len(sc) > 0 && sampleRelative(sc, start) {
					sc = shiftBounded(sc, start)
				}
				if len(cues)+len(sc) > MaxCues {
					return nil, ErrTooLarge
				}
				cues = append(cues, sc...)
			}
		}
	}
	Sort(cues)
	return cues, nil
}

// sampleRelative reports whether every cue ends before the sample starts.
func sampleRelative(cues []Cue, start time.Duration) bool {
	for _, c := range cues {
		if c.End > start {
			return false
		}
	}
	return true
}

// shiftBounded shifts cues by d, keeping Unbounded ends unbounded.
func shiftBounded(cues []Cue, d time.Duration) []Cue {
	for i := range cues {
		cues[i].Start += d
		if cues[i].End != Unbounded {
			cues[i].End += d
		}
	}
	return cues
}

// recoverMP4 turns a panic in the box decoder on hostile input into an
// error.
func recoverMP4(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: mp4: %v", ErrSyntax, r)
	}
}
