package manifest

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/Eyevinn/mp4ff/aac"
	"github.com/Eyevinn/mp4ff/mp4"
)

const (
	testSPS = "674d401fe4605017fcb80b4f00000300010000030032e4800753003a9e08200e58e189c0"
	testPPS = "685bdf20"
)

// makeInit builds an init segment with an AVC video track (ID 1, 90 kHz)
// and an AAC-LC audio track (ID 2, 48 kHz).
func makeInit(t testing.TB) []byte {
	t.Helper()
	init := mp4.CreateEmptyInit()
	v := init.AddEmptyTrack(90000, "video", "und")
	sps, _ := hex.DecodeString(testSPS)
	pps, _ := hex.DecodeString(testPPS)
	if err := v.SetAVCDescriptor("avc1", [][]byte{sps}, [][]byte{pps}, true); err != nil {
		t.Fatal(err)
	}
	a := init.AddEmptyTrack(48000, "audio", "swe")
	if err := a.SetAACDescriptor(aac.AAClc, 48000); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := init.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// makeMedia builds a media segment: styp, then frags fragments each with
// a video traf (gop samples of 3000 ticks, first one sync) and an audio
// traf (4 samples of 1024 ticks).
func makeMedia(t testing.TB, seq uint32, videoStart, audioStart uint64, frags, gop int) []byte {
	t.Helper()
	seg := mp4.NewMediaSegment()
	for f := 0; f < frags; f++ {
		frag, err := mp4.CreateMultiTrackFragment(seq+uint32(f), []uint32{1, 2})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < gop; i++ {
			flags := mp4.NonSyncSampleFlags
			if i == 0 {
				flags = mp4.SyncSampleFlags
			}
			s := mp4.FullSample{Sample: mp4.Sample{Flags: flags, Dur: 3000, Size: 100}, DecodeTime: videoStart, Data: make([]byte, 100)}
			videoStart += 3000
			if err := frag.AddFullSampleToTrack(s, 1); err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < 4; i++ {
			s := mp4.FullSample{Sample: mp4.Sample{Flags: mp4.SyncSampleFlags, Dur: 1024, Size: 10}, DecodeTime: audioStart, Data: make([]byte, 10)}
			audioStart += 1024
			if err := frag.AddFullSampleToTrack(s, 2); err != nil {
				t.Fatal(err)
			}
		}
		seg.AddFragment(frag)
	}
	var buf bytes.Buffer
	if err := seg.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// makeSidx builds a sidx box with the given subsegment sizes and durations
// (timescale 1000, earliest presentation time ept).
func makeSidx(t testing.TB, ept uint64, sizes, durs []uint32) []byte {
	t.Helper()
	sidx := &mp4.SidxBox{Version: 1, ReferenceID: 1, Timescale: 1000, EarliestPresentationTime: ept}
	for i := range sizes {
		sidx.SidxRefs = append(sidx.SidxRefs, mp4.SidxRef{ReferencedSize: sizes[i], SubSegmentDuration: durs[i], StartsWithSAP: 1, SAPType: 1})
	}
	var buf bytes.Buffer
	if err := sidx.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParseInit(t *testing.T) {
	info, err := ParseInit(makeInit(t))
	if err != nil {
		t.Fatal(err)
	}
	want := []TrackInfo{
		{ID: 1, Type: Video, Timescale: 90000, Codec: "avc1.4d401f", Width: 640, Height: 360, Lang: "und"},
		{ID: 2, Type: Audio, Timescale: 48000, Codec: "mp4a.40.2", SampleRate: 48000, Channels: 2, Lang: "swe"},
	}
	if len(info.Tracks) != len(want) {
		t.Fatalf("ParseInit tracks = %d; want %d", len(info.Tracks), len(want))
	}
	for i, w := range want {
		g := info.Tracks[i]
		g.DefaultSampleDuration, g.DefaultSampleSize, g.DefaultSampleFlags, g.hasTrex = 0, 0, 0, false
		if g != w {
			t.Errorf("ParseInit track %d = %+v; want %+v", i, g, w)
		}
	}
	if _, ok := info.Track(2); !ok {
		t.Errorf("Track(2) not found")
	}
	if _, ok := info.Track(9); ok {
		t.Errorf("Track(9) found")
	}
}

func TestParseMediaSegment(t *testing.T) {
	data := makeMedia(t, 7, 900000, 480000, 2, 5)
	info, err := ParseMediaSegment(data)
	if err != nil {
		t.Fatal(err)
	}
	if info.SequenceNumber != 7 || info.Fragments != 2 {
		t.Errorf("ParseMediaSegment = seq %d frags %d; want 7, 2", info.SequenceNumber, info.Fragments)
	}
	want := []FragmentTrack{
		{TrackID: 1, BaseDecodeTime: 900000, Duration: 30000, SampleCount: 10, KeyFrames: 2, StartsWithKey: true, Size: 1000},
		{TrackID: 2, BaseDecodeTime: 480000, Duration: 8192, SampleCount: 8, KeyFrames: 8, StartsWithKey: true, Size: 80},
	}
	if len(info.Tracks) != 2 {
		t.Fatalf("tracks = %+v; want 2", info.Tracks)
	}
	for i := range want {
		if info.Tracks[i] != want[i] {
			t.Errorf("track %d = %+v; want %+v", i, info.Tracks[i], want[i])
		}
	}
	if got := info.Tracks[0].Start(90000); got != 10*time.Second {
		t.Errorf("Start(90000) = %v; want 10s", got)
	}
	if got := info.Tracks[0].Length(90000); got != time.Second/3 {
		t.Errorf("Length(90000) = %v; want 333.333ms", got)
	}
	initInfo, err := ParseInit(makeInit(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseMediaSegmentWithInit(data, initInfo); err != nil {
		t.Errorf("ParseMediaSegmentWithInit: %v", err)
	}
}

func TestParseSidx(t *testing.T) {
	sidx := makeSidx(t, 500, []uint32{1000, 2000, 1500}, []uint32{2000, 2000, 1000})
	// Index range starts at 800 (after an 800-byte init); a styp-like
	// free box in front of the sidx must be skipped.
	free := []byte{0, 0, 0, 8, 'f', 'r', 'e', 'e'}
	data := append(free, sidx...)
	segs, err := ParseSidx(data, "http://cdn.example/v.mp4", ByteRange{Offset: 800, Length: int64(len(data))})
	if err != nil {
		t.Fatal(err)
	}
	anchor := int64(800 + len(data))
	want := []Segment{
		{Number: 1, URI: "http://cdn.example/v.mp4", Range: &ByteRange{Offset: anchor, Length: 1000}, Start: 500 * time.Millisecond, Duration: 2 * time.Second, Time: 500, Independent: true},
		{Number: 2, URI: "http://cdn.example/v.mp4", Range: &ByteRange{Offset: anchor + 1000, Length: 2000}, Start: 2500 * time.Millisecond, Duration: 2 * time.Second, Time: 2500, Independent: true},
		{Number: 3, URI: "http://cdn.example/v.mp4", Range: &ByteRange{Offset: anchor + 3000, Length: 1500}, Start: 4500 * time.Millisecond, Duration: time.Second, Time: 4500, Independent: true},
	}
	if len(segs) != len(want) {
		t.Fatalf("ParseSidx = %d segments; want %d", len(segs), len(want))
	}
	for i := range want {
		g, w := segs[i], want[i]
		if g.Number != w.Number || g.URI != w.URI || *g.Range != *w.Range || g.Start != w.Start || g.Duration != w.Duration || g.Time != w.Time || g.Independent != w.Independent {
			t.Errorf("segment %d = %+v range %+v; want %+v range %+v", i, g, *g.Range, w, *w.Range)
		}
	}
	r := Rendition{Init: &InitSegment{URI: "http://cdn.example/v.mp4", Range: &ByteRange{Length: 800}}, PresentationTimeOffset: 500 * time.Millisecond}
	r.ApplyIndex(segs)
	if !r.Loaded || r.TargetDuration != 2*time.Second || r.Segments[0].Init != r.Init {
		t.Errorf("ApplyIndex: loaded %v target %v init %v", r.Loaded, r.TargetDuration, r.Segments[0].Init)
	}
	if r.Segments[0].Start != 0 || r.Segments[2].Start != 4*time.Second {
		t.Errorf("ApplyIndex starts = %v, %v; want 0s, 4s (presentation time offset 500ms)", r.Segments[0].Start, r.Segments[2].Start)
	}
}

func TestSegmentParsersReject(t *testing.T) {
	init := makeInit(t)
	media := makeMedia(t, 1, 0, 0, 1, 2)
	sidx := makeSidx(t, 0, []uint32{10}, []uint32{10})
	tests := []struct {
		name string
		fn   func([]byte) error
		data []byte
		path string // expected ParseError.Path prefix
	}{
		{"init empty", initFn, nil, "moov"},
		{"init truncated", initFn, init[:len(init)-5], "moov@"},
		{"init is media", initFn, media, "moov"},
		{"init header only", initFn, []byte{0, 0, 0}, "box@0"},
		{"media truncated", mediaFn, media[:40], ""},
		{"media is init", mediaFn, init, "moof"},
		{"media huge box", mediaFn, []byte{0xff, 0xff, 0xff, 0xff, 'm', 'o', 'o', 'f'}, "moof@0"},
		{"sidx missing", sidxFn, init, "sidx"},
		{"sidx truncated", sidxFn, sidx[:len(sidx)-4], "sidx@0"},
		{"sidx zero timescale", sidxFn, zeroTimescale(sidx), "sidx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.fn(tt.data)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error = %v; want *ParseError", err)
			}
			if tt.path != "" && !bytes.HasPrefix([]byte(pe.Path), []byte(tt.path)) {
				t.Errorf("error path = %q (%v); want prefix %q", pe.Path, err, tt.path)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("errors.Is(%v, ErrMalformed) = false", err)
			}
		})
	}
}

func initFn(b []byte) error  { _, err := ParseInit(b); return err }
func mediaFn(b []byte) error { _, err := ParseMediaSegment(b); return err }
func sidxFn(b []byte) error {
	_, err := ParseSidx(b, "v.mp4", ByteRange{Offset: 0, Length: int64(len(b))})
	return err
}

func zeroTimescale(sidx []byte) []byte {
	b := append([]byte(nil), sidx...)
	// header 8, version+flags 4, reference_ID 4, timescale 4.
	copy(b[16:20], []byte{0, 0, 0, 0})
	return b
}
