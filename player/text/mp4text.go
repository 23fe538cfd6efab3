package text

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/Eyevinn/mp4ff/bits"
	"github.com/Eyevinn/mp4ff/mp4"
)

// ErrNoTextTrack is returned for an init segment without an 'stpp'
// (TTML) or 'wvtt' (WebVTT) track.
var ErrNoTextTrack = errors.New("text: no stpp or wvtt track")

// MP4TextTrack is what ParseMP4Text needs from an fMP4 init segment.
type MP4TextTrack struct {
	TrackID   uint32
	Timescale uint32
	Format    string // "stpp" (TTML documents) or "wvtt" (WebVTT cue boxes)
	trex      *mp4.TrexBox
}

// ParseMP4TextInit reads the text track ('stpp' or 'wvtt') of an fMP4
// init segment.
func ParseMP4TextInit(init []byte) (tr *MP4TextTrack, err error) {
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
			if c.Type() != "stpp" && c.Type() != "wvtt" {
				continue
			}
			tr = &MP4TextTrack{TrackID: trak.Tkhd.TrackID, Timescale: trak.Mdia.Mdhd.Timescale, Format: c.Type()}
			if tr.Timescale == 0 {
				return nil, fmt.Errorf("%w: timescale 0", ErrSyntax)
			}
			tr.trex = Trex(f.Init.Moov, tr.TrackID)
			return tr, nil
		}
	}
	return nil, ErrNoTextTrack
}

// ParseMP4Text parses the samples of an fMP4 media segment of text track
// tr (ISO/IEC 14496-30). 'stpp': each sample is a TTML document whose
// times are on the track's media timeline (DASH-IF IOP); some packagers
// write each sample's times from the sample start instead, which is
// recognised when every cue of a sample would end before the sample
// begins. 'wvtt': each sample holds the WebVTT cues (vttc boxes) shown
// for the sample's duration, or none (vtte).
func ParseMP4Text(tr *MP4TextTrack, seg []byte) (cues []Cue, err error) {
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
				start := time.Duration(float64(smp.PresentationTime()) / float64(tr.Timescale) * float64(time.Second))
				var sc []Cue
				if tr.Format == "wvtt" {
					end := start + time.Duration(float64(smp.Dur)/float64(tr.Timescale)*float64(time.Second))
					if sc, err = parseWVTTSample(smp.Data, start, end); err != nil {
						return nil, err
					}
				} else {
					if sc, err = ParseTTML(smp.Data); err != nil {
						return nil, err
					}
					if start > 0 && len(sc) > 0 && sampleRelative(sc, start) {
						sc = shiftBounded(sc, start)
					}
				}
				if len(cues)+len(sc) > MaxCues {
					return nil, ErrTooLarge
				}
				cues = append(cues, sc...)
			}
		}
	}
	Sort(cues)
	if tr.Format == "wvtt" {
		cues = mergeAdjacent(cues)
	}
	return cues, nil
}

// mergeAdjacent joins a cue that goes on in the next sample (wvtt repeats
// it there) into one; cues are sorted.
func mergeAdjacent(cues []Cue) []Cue {
	out := cues[:0]
	for _, c := range cues {
		merged := false
		for i := len(out) - 1; i >= 0 && out[i].End >= c.Start; i-- {
			if o := &out[i]; o.End == c.Start && o.Text == c.Text && o.ID == c.ID && o.Settings == c.Settings {
				o.End, merged = c.End, true
				break
			}
		}
		if !merged {
			out = append(out, c)
		}
	}
	return out
}

// maxSampleBoxes bounds the cue boxes read from one wvtt sample.
const maxSampleBoxes = 256

// parseWVTTSample reads the vttc boxes of a wvtt sample shown from start
// to end.
func parseWVTTSample(data []byte, start, end time.Duration) ([]Cue, error) {
	var cues []Cue
	sr := bits.NewFixedSliceReader(data)
	for n := 0; sr.NrRemainingBytes() > 0; n++ {
		if n >= maxSampleBoxes {
			return nil, ErrTooLarge
		}
		pos := uint64(sr.GetPos())
		box, err := mp4.DecodeBoxSR(pos, sr)
		if err != nil {
			return nil, fmt.Errorf("%w: wvtt sample: %v", ErrSyntax, err)
		}
		if uint64(sr.GetPos()) <= pos {
			return nil, fmt.Errorf("%w: wvtt sample: empty box", ErrSyntax)
		}
		c, ok := box.(*mp4.VttcBox)
		if !ok || c.Payl == nil || end <= start {
			continue // vtte (no cue) or an unknown box
		}
		cue := Cue{Start: start, End: end, Text: vttPlain(c.Payl.CueText)}
		if c.Iden != nil {
			cue.ID = c.Iden.CueID
		}
		if c.Sttg != nil {
			cue.Settings = strings.Join(strings.Fields(c.Sttg.Settings), " ")
			for _, f := range strings.Fields(c.Sttg.Settings) {
				if r, ok := strings.CutPrefix(f, "region:"); ok {
					cue.Region = r
				}
			}
		}
		cues = append(cues, cue)
	}
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
// Trex returns the track extends box of track id in moov, or one with
// no defaults when moov has none.
func Trex(moov *mp4.MoovBox, id uint32) *mp4.TrexBox {
	if mv := moov.Mvex; mv != nil {
		for _, t := range mv.Trexs {
			if t.TrackID == id {
				return t
			}
		}
	}
	return &mp4.TrexBox{TrackID: id}
}

func recoverMP4(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: mp4: %v", ErrSyntax, r)
	}
}
