package text

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Eyevinn/mp4ff/mp4"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// golden compares got (as indented JSON) with testdata/<name>.golden.json.
func golden(t *testing.T, name string, got any) {
	t.Helper()
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(b, want) {
		t.Errorf("%s differs from the golden file:\n%s", name, b)
	}
}

func TestVTTGolden(t *testing.T) {
	for _, name := range []string{"hls_segment.vtt", "ffmpeg_segment.vtt"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		v, err := ParseVTT(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		golden(t, name, v)
	}
}

func TestTTMLGolden(t *testing.T) {
	data, err := os.ReadFile("testdata/sidecar.ttml")
	if err != nil {
		t.Fatal(err)
	}
	cues, err := ParseTTML(data)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "sidecar.ttml", cues)
}

func TestVTTMediaCues(t *testing.T) {
	seg := "WEBVTT\nX-TIMESTAMP-MAP=LOCAL:00:00:01.000,MPEGTS:900000\n\n00:00:01.000 --> 00:00:02.000\nA\n"
	v, err := ParseVTT([]byte(seg))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		base  uint64
		start time.Duration
	}{
		// Local 1s is PTS 10s; media starts at PTS 10s: the cue is at 0.
		{"base at the map", 900000, 0},
		// Media starts at PTS 1.4s (ffmpeg's TS offset): 8.6s.
		{"ffmpeg TS offset", 126000, 8600 * time.Millisecond},
		// Media starts at PTS 0: local 1s is media 10s.
		{"zero base", 0, 10 * time.Second},
		// The base is just below the 33-bit wrap; the map's PTS wrapped.
		{"wrapped", mpegtsWrap - 90000, 11 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := v.MediaCues(tc.base)
			if len(c) != 1 || c[0].Start != tc.start || c[0].End != tc.start+time.Second {
				t.Fatalf("cues %+v, want start %v", c, tc.start)
			}
		})
	}
	noMap, _ := ParseVTT([]byte("WEBVTT\n\n00:02.000 --> 00:03.000\nB\n"))
	if c := noMap.MediaCues(126000); c[0].Start != 2*time.Second {
		t.Fatalf("without a map cue times are media times: %+v", c)
	}
}

func TestVTTErrors(t *testing.T) {
	for _, in := range []string{"", "WEBVTTX\n", "<tt/>", "1\n00:00.000 --> 00:01.000\n"} {
		if _, err := ParseVTT([]byte(in)); !errors.Is(err, ErrSyntax) {
			t.Errorf("%q: err %v, want ErrSyntax", in, err)
		}
	}
	big := "WEBVTT\n\n" + strings.Repeat("00:00.000 --> 00:01.000\nx\n\n", MaxCues+1)
	if _, err := ParseVTT([]byte(big)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("too many cues: err %v", err)
	}
}

func TestTTMLTimes(t *testing.T) {
	tm := ttmlTiming{frameRate: 25, subFrames: 1, tickRate: 10}
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"00:00:01.5", 1500 * time.Millisecond, true},
		{"01:02:03", time.Hour + 2*time.Minute + 3*time.Second, true},
		{"00:00:01:05", 1200 * time.Millisecond, true},
		{"2.5s", 2500 * time.Millisecond, true},
		{"250ms", 250 * time.Millisecond, true},
		{"50f", 2 * time.Second, true},
		{"15t", 1500 * time.Millisecond, true},
		{"1.5m", 90 * time.Second, true},
		{"0.5h", 30 * time.Minute, true},
		{"-1s", 0, false},
		{"1x", 0, false},
		{"00:61:00", 0, false},
		{"1000h", 0, false},
		{"s", 0, false},
	}
	for _, tc := range tests {
		got, err := tm.parse(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parse(%q) = %v, %v; want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestTTMLErrors(t *testing.T) {
	for _, in := range []string{"", "WEBVTT", "<div><p begin='1s' end='2s'>x</p></div>", "<tt><p begin='bogus'>x</p></tt>"} {
		if _, err := ParseTTML([]byte(in)); !errors.Is(err, ErrSyntax) {
			t.Errorf("%q: err %v, want ErrSyntax", in, err)
		}
	}
	deep := "<tt>" + strings.Repeat("<span>", maxTTMLDepth+1) + "</tt>"
	if _, err := ParseTTML([]byte(deep)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("deep nesting: err %v", err)
	}
}

// stppSegments builds an init segment with one 'stpp' track (timescale
// 1000) and a media segment with one TTML sample per doc, each 2s long
// from start.
func stppSegments(t testing.TB, start uint64, docs ...string) (init, seg []byte) {
	t.Helper()
	in := mp4.CreateEmptyInit()
	trak := in.AddEmptyTrack(1000, "subtitle", "eng")
	if err := trak.SetStppDescriptor("http://www.w3.org/ns/ttml", "", ""); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := in.Encode(&b); err != nil {
		t.Fatal(err)
	}
	init = append([]byte(nil), b.Bytes()...)
	frag, err := mp4.CreateFragment(1, trak.Tkhd.TrackID)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range docs {
		frag.AddFullSample(mp4.FullSample{Sample: mp4.Sample{Flags: mp4.SyncSampleFlags, Dur: 2000, Size: uint32(len(d))},
			DecodeTime: start + uint64(i)*2000, Data: []byte(d)})
	}
	ms := mp4.NewMediaSegment()
	ms.AddFragment(frag)
	b.Reset()
	if err := ms.Encode(&b); err != nil {
		t.Fatal(err)
	}
	return init, b.Bytes()
}

const stppDoc = `<tt xmlns="http://www.w3.org/ns/ttml"><body><div>` +
	`<p begin="00:00:10.000" end="00:00:11.000">Track time</p></div></body></tt>`

const stppRelDoc = `<tt xmlns="http://www.w3.org/ns/ttml"><body><div>` +
	`<p begin="0.5s" end="1.5s">Sample time</p></div></body></tt>`

func TestSTPP(t *testing.T) {
	init, seg := stppSegments(t, 10000, stppDoc, stppRelDoc)
	tr, err := ParseMP4TextInit(init)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Timescale != 1000 {
		t.Fatalf("timescale %d", tr.Timescale)
	}
	cues, err := ParseMP4Text(tr, seg)
	if err != nil {
		t.Fatal(err)
	}
	want := []Cue{
		{Start: 10 * time.Second, End: 11 * time.Second, Text: "Track time"},
		{Start: 12500 * time.Millisecond, End: 13500 * time.Millisecond, Text: "Sample time"},
	}
	if len(cues) != len(want) {
		t.Fatalf("cues %+v", cues)
	}
	for i := range want {
		if cues[i] != want[i] {
			t.Errorf("cue %d = %+v, want %+v", i, cues[i], want[i])
		}
	}
	if _, err := ParseMP4TextInit(seg); err == nil {
		t.Error("a media segment is not an init segment")
	}
}

func TestActiveAndShift(t *testing.T) {
	c := Cue{Start: time.Second, End: 2 * time.Second}
	for at, want := range map[time.Duration]bool{999 * time.Millisecond: false, time.Second: true, 2 * time.Second: false} {
		if c.Active(at) != want {
			t.Errorf("Active(%v) != %v", at, want)
		}
	}
	s := Shift([]Cue{c, {Start: 0, End: Unbounded}}, time.Second)
	if s[0].Start != 2*time.Second || s[1].End != Unbounded {
		t.Errorf("Shift: %+v", s)
	}
}

// wvttSegments builds an fMP4 'wvtt' track (timescale 1000): its init
// segment and a media segment with one sample per entry, each 1 s long
// from start; an entry of "" is an empty sample (vtte).
func wvttSegments(t testing.TB, start uint64, texts ...string) (init, seg []byte) {
	t.Helper()
	in := mp4.CreateEmptyInit()
	trak := in.AddEmptyTrack(1000, "text", "eng")
	if err := trak.SetWvttDescriptor(""); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := in.Encode(&b); err != nil {
		t.Fatal(err)
	}
	init = append([]byte(nil), b.Bytes()...)
	frag, err := mp4.CreateFragment(1, trak.Tkhd.TrackID)
	if err != nil {
		t.Fatal(err)
	}
	for i, txt := range texts {
		var box mp4.Box = &mp4.VtteBox{}
		if txt != "" {
			c := &mp4.VttcBox{}
			c.AddChild(&mp4.IdenBox{CueID: "c" + txt[:1]})
			c.AddChild(&mp4.SttgBox{Settings: "line:10%"})
			c.AddChild(&mp4.PaylBox{CueText: txt})
			box = c
		}
		b.Reset()
		if err := box.Encode(&b); err != nil {
			t.Fatal(err)
		}
		data := append([]byte(nil), b.Bytes()...)
		frag.AddFullSample(mp4.FullSample{Sample: mp4.Sample{Flags: mp4.SyncSampleFlags, Dur: 1000, Size: uint32(len(data))},
			DecodeTime: start + uint64(i)*1000, Data: data})
	}
	ms := mp4.NewMediaSegment()
	ms.AddFragment(frag)
	b.Reset()
	if err := ms.Encode(&b); err != nil {
		t.Fatal(err)
	}
	return init, b.Bytes()
}

// WebVTT in fMP4: each sample's cue is shown for the sample's duration,
// a cue repeated in the next sample is one cue, vtte samples show none.
func TestWVTT(t *testing.T) {
	init, seg := wvttSegments(t, 4000, "Alpha &amp; <b>one</b>", "Alpha &amp; <b>one</b>", "", "Beta")
	tr, err := ParseMP4TextInit(init)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Format != "wvtt" || tr.Timescale != 1000 {
		t.Fatalf("track %+v", tr)
	}
	cues, err := ParseMP4Text(tr, seg)
	if err != nil {
		t.Fatal(err)
	}
	want := []Cue{
		{Start: 4 * time.Second, End: 6 * time.Second, ID: "cA", Text: "Alpha & one", Settings: "line:10%"},
		{Start: 7 * time.Second, End: 8 * time.Second, ID: "cB", Text: "Beta", Settings: "line:10%"},
	}
	if len(cues) != len(want) {
		t.Fatalf("cues %+v", cues)
	}
	for i := range want {
		if cues[i] != want[i] {
			t.Errorf("cue %d = %+v, want %+v", i, cues[i], want[i])
		}
	}
}
