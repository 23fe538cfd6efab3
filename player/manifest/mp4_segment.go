package manifest

import (
	"fmt"

	"github.com/Eyevinn/mp4ff/mp4"
)

// ParseMediaSegment reads an fMP4 media segment: optional styp, sidx,
// emsg and prft boxes and one or more moof+mdat fragments. Sample
// durations, sizes and flags that the trafs leave to the init segment's
// trex defaults count as 0 (durations, sizes) and as sync samples; use
// ParseMediaSegmentWithInit to apply them.
func ParseMediaSegment(data []byte) (*SegmentInfo, error) {
	return ParseMediaSegmentWithInit(data, nil)
}

// ParseMediaSegmentWithInit is ParseMediaSegment with the trex defaults of
// init (which may be nil).
func ParseMediaSegmentWithInit(data []byte, init *InitInfo) (*SegmentInfo, error) {
	boxes, err := walkBoxes(data)
	if err != nil {
		return nil, err
	}
	info := &SegmentInfo{}
	for _, b := range boxes {
		if b.typ != "moof" {
			continue
		}
		box, err := decodeBox(b)
		if err != nil {
			return nil, err
		}
		moof, ok := box.(*mp4.MoofBox)
		if !ok {
			return nil, &ParseError{Path: "moof", Msg: fmt.Sprintf("decoded as %T", box)}
		}
		path := fmt.Sprintf("moof[%d]", info.Fragments)
		if info.Fragments == 0 && moof.Mfhd != nil {
			info.SequenceNumber = moof.Mfhd.SequenceNumber
		}
		info.Fragments++
		for i, traf := range moof.Trafs {
			if err := addTraf(info, init, traf, fmt.Sprintf("%s/traf[%d]", path, i)); err != nil {
				return nil, err
			}
		}
	}
	if info.Fragments == 0 {
		return nil, &ParseError{Path: "moof", Msg: "no moof box: not a media segment"}
	}
	return info, nil
}

func addTraf(info *SegmentInfo, init *InitInfo, traf *mp4.TrafBox, path string) error {
	if traf.Tfhd == nil {
		return &ParseError{Path: path, Field: "tfhd", Msg: "missing"}
	}
	id := traf.Tfhd.TrackID
	var ft *FragmentTrack
	for k := range info.Tracks {
		if info.Tracks[k].TrackID == id {
			ft = &info.Tracks[k]
		}
	}
	first := ft == nil
	if first {
		info.Tracks = append(info.Tracks, FragmentTrack{TrackID: id})
		ft = &info.Tracks[len(info.Tracks)-1]
		if traf.Tfdt != nil {
			ft.BaseDecodeTime = traf.Tfdt.BaseMediaDecodeTime()
		}
	}
	var trex *mp4.TrexBox
	if init != nil {
		if t, ok := init.Track(id); ok && t.hasTrex {
			trex = &mp4.TrexBox{TrackID: id, DefaultSampleDuration: t.DefaultSampleDuration,
				DefaultSampleSize: t.DefaultSampleSize, DefaultSampleFlags: t.DefaultSampleFlags}
		}
	}
	for _, trun := range traf.Truns {
		trun.AddSampleDefaultValues(traf.Tfhd, trex)
		for i, s := range trun.Samples {
			ft.Duration += uint64(s.Dur)
			ft.Size += int(s.Size)
			sync := !mp4.DecodeSampleFlags(s.Flags).SampleIsNonSync
			if sync {
				ft.KeyFrames++
			}
			if ft.SampleCount == 0 && i == 0 {
				ft.StartsWithKey = sync
			}
			ft.SampleCount++
		}
	}
	return nil
}
