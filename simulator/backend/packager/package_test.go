package packager

import (
	"bytes"
	"errors"
	"flag"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Eyevinn/mp4ff/avc"
	"github.com/Eyevinn/mp4ff/mp4"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// smallTitle is the title of the golden files and most tests.
func smallTitle() Title {
	return Title{ID: "t1", Duration: 10 * time.Second, SegmentDuration: 4 * time.Second, LadderKbps: []int{1200, 400, 3000}, Seed: 42}
}

func mustBuild(t testing.TB, ti Title) *Package {
	t.Helper()
	p, err := Build(ti)
	if err != nil {
		t.Fatalf("Build(%s) = %v", ti.ID, err)
	}
	return p
}

func mustOpen(t testing.TB, p *Package, path string) []byte {
	t.Helper()
	b, err := p.Open(path)
	if err != nil {
		t.Fatalf("Open(%q) = %v", path, err)
	}
	return b
}

func TestGolden(t *testing.T) {
	p := mustBuild(t, smallTitle())
	for _, f := range []string{MasterPlaylist, DASHManifest, "v400/" + MediaPlaylist, "a128/" + MediaPlaylist} {
		got := mustOpen(t, p, f)
		golden := filepath.Join("testdata", "golden", "TestGolden_"+strings.ReplaceAll(f, "/", "_"))
		if *update {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test -update to create)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("Open(%q) differs from %s:\n%s", f, golden, got)
		}
	}
}

func TestBuildLayout(t *testing.T) {
	p := mustBuild(t, smallTitle())
	if p.SegmentCount() != 3 {
		t.Errorf("SegmentCount() = %d; want 3", p.SegmentCount())
	}
	if p.Duration() != 10*time.Second {
		t.Errorf("Duration() = %v; want 10s", p.Duration())
	}
	var ids []string
	for _, r := range p.Renditions() {
		ids = append(ids, r.ID)
	}
	if got := strings.Join(ids, ","); got != "v400,v1200,v3000,a128" {
		t.Errorf("rendition ids = %s; want v400,v1200,v3000,a128", got)
	}
	files := p.Files()
	if len(files) != 2+4*(2+3) {
		t.Errorf("len(Files()) = %d; want %d", len(files), 2+4*5)
	}
	for _, f := range files {
		size, ok := p.Size(f)
		if !ok {
			t.Errorf("Size(%q) not found", f)
			continue
		}
		if data := mustOpen(t, p, f); int64(len(data)) != size {
			t.Errorf("len(Open(%q)) = %d; Size() = %d", f, len(data), size)
		}
	}
	for _, bad := range []string{"", "nope", "v400", "v400/", "v400/seg_0.m4s", "v400/seg_4.m4s", "v400/seg_01.m4s",
		"v400/seg_+1.m4s", "v401/init.mp4", "v400/seg_1.mp4", "../t1/master.m3u8", "v400/init.mp4/x"} {
		if _, err := p.Open(bad); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Open(%q) error = %v; want fs.ErrNotExist", bad, err)
		}
		if _, ok := p.Size(bad); ok {
			t.Errorf("Size(%q) found; want not found", bad)
		}
	}
}

func TestBuildDeterministic(t *testing.T) {
	a, b := mustBuild(t, smallTitle()), mustBuild(t, smallTitle())
	for _, f := range a.Files() {
		if !bytes.Equal(mustOpen(t, a, f), mustOpen(t, b, f)) {
			t.Fatalf("Open(%q) differs between two builds", f)
		}
	}
	other := smallTitle()
	other.Seed = 43
	if c := mustBuild(t, other); equalSizes(a.SegmentSizes()["v1200"], c.SegmentSizes()["v1200"]) {
		t.Errorf("seeds 42 and 43 give the same sizes %v", c.SegmentSizes()["v1200"])
	}
}

func equalSizes(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestSegmentsDecode decodes init and media segments with mp4ff and checks
// boxes, sample counts, durations, flags and tfdt continuity.
func TestSegmentsDecode(t *testing.T) {
	for _, ti := range []Title{
		smallTitle(),
		{ID: "ntsc", Duration: 9500 * time.Millisecond, SegmentDuration: 2 * time.Second, LadderKbps: []int{300, 6000},
			FrameRate: 29.97, Sidx: true, Seed: 1},
		{ID: "odd", Duration: 5 * time.Second, SegmentDuration: 2 * time.Second, LadderKbps: []int{800},
			Resolutions: []Resolution{{1000, 562}}, FrameRate: 60, NoAudio: true},
	} {
		t.Run(ti.ID, func(t *testing.T) {
			p := mustBuild(t, ti)
			for _, r := range p.Renditions() {
				checkInit(t, r, mustOpen(t, p, r.ID+"/"+InitSegment))
				var next uint64
				for k := range r.SegmentSizes {
					data := mustOpen(t, p, r.ID+"/"+SegmentName(k+1))
					next = checkSegment(t, p, r, k, data, next)
				}
				var total uint64
				for _, d := range r.SegmentTicks {
					total += d
				}
				if got := ticksToDuration(total, r.Timescale); absDur(got-p.Duration()) > 22*time.Millisecond {
					t.Errorf("%s: total duration %v; want %v", r.ID, got, p.Duration())
				}
			}
		})
	}
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func checkInit(t *testing.T, r Rendition, data []byte) {
	t.Helper()
	f, err := mp4.DecodeFile(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s init: %v", r.ID, err)
	}
	if f.Init == nil || f.Init.Moov.Mvex == nil || f.Init.Moov.Mvex.Trex == nil {
		t.Fatalf("%s init: no moov/mvex/trex", r.ID)
	}
	trak := f.Init.Moov.Trak
	if trak.Mdia.Mdhd.Timescale != r.Timescale {
		t.Errorf("%s mdhd timescale = %d; want %d", r.ID, trak.Mdia.Mdhd.Timescale, r.Timescale)
	}
	stsd := trak.Mdia.Minf.Stbl.Stsd
	switch r.Kind {
	case Video:
		if stsd.AvcX == nil || stsd.AvcX.AvcC == nil || len(stsd.AvcX.AvcC.SPSnalus) != 1 {
			t.Fatalf("%s: no avc1/avcC with one SPS", r.ID)
		}
		sps, err := avc.ParseSPSNALUnit(stsd.AvcX.AvcC.SPSnalus[0], true)
		if err != nil {
			t.Fatalf("%s SPS: %v", r.ID, err)
		}
		if int(sps.Width) != r.Width || int(sps.Height) != r.Height {
			t.Errorf("%s SPS size %dx%d; want %dx%d", r.ID, sps.Width, sps.Height, r.Width, r.Height)
		}
		if got := avc.CodecString("avc1", sps); !strings.EqualFold(got, r.Codecs) {
			t.Errorf("%s codecs %q; SPS says %q", r.ID, r.Codecs, got)
		}
		if _, err := avc.ParsePPSNALUnit(stsd.AvcX.AvcC.PPSnalus[0], map[uint32]*avc.SPS{0: sps}); err != nil {
			t.Errorf("%s PPS: %v", r.ID, err)
		}
	case Audio:
		if stsd.Mp4a == nil || stsd.Mp4a.Esds == nil {
			t.Fatalf("%s: no mp4a/esds", r.ID)
		}
		if stsd.Mp4a.SampleRate != aacSampleRate || stsd.Mp4a.ChannelCount != 2 {
			t.Errorf("%s mp4a %d Hz %d ch; want 48000 Hz 2 ch", r.ID, stsd.Mp4a.SampleRate, stsd.Mp4a.ChannelCount)
		}
	}
}

// checkSegment checks segment k and returns the decode time after it.
func checkSegment(t *testing.T, p *Package, r Rendition, k int, data []byte, wantTfdt uint64) uint64 {
	t.Helper()
	if int64(len(data)) != r.SegmentSizes[k] {
		t.Errorf("%s seg %d: %d bytes; planned %d", r.ID, k+1, len(data), r.SegmentSizes[k])
	}
	f, err := mp4.DecodeFile(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s seg %d: %v", r.ID, k+1, err)
	}
	if len(f.Segments) != 1 || len(f.Segments[0].Fragments) != 1 {
		t.Fatalf("%s seg %d: want one segment with one fragment", r.ID, k+1)
	}
	seg := f.Segments[0]
	if seg.Styp == nil {
		t.Errorf("%s seg %d: no styp", r.ID, k+1)
	}
	if got := seg.Sidx != nil; got != p.Title().Sidx {
		t.Errorf("%s seg %d: sidx present = %v; want %v", r.ID, k+1, got, p.Title().Sidx)
	}
	frag := seg.Fragments[0]
	if frag.Moof.Mfhd.SequenceNumber != uint32(k+1) {
		t.Errorf("%s seg %d: mfhd sequence %d", r.ID, k+1, frag.Moof.Mfhd.SequenceNumber)
	}
	if got := frag.Moof.Traf.Tfdt.BaseMediaDecodeTime(); got != wantTfdt {
		t.Errorf("%s seg %d: tfdt %d; want %d (continuity)", r.ID, k+1, got, wantTfdt)
	}
	trun := frag.Moof.Traf.Trun
	var dur, size uint64
	for i, s := range trun.Samples {
		dur += uint64(s.Dur)
		size += uint64(s.Size)
		if sync := s.Flags == mp4.SyncSampleFlags; sync != (i == 0 || r.Kind == Audio) {
			t.Errorf("%s seg %d sample %d: flags %#x", r.ID, k+1, i, s.Flags)
		}
	}
	if dur != r.SegmentTicks[k] {
		t.Errorf("%s seg %d: trun duration %d; want %d", r.ID, k+1, dur, r.SegmentTicks[k])
	}
	if r.Kind == Video {
		if want := int(math.Round(float64(r.SegmentTicks[k]) * r.FrameRate / float64(r.Timescale))); len(trun.Samples) != want {
			t.Errorf("%s seg %d: %d samples; want %d", r.ID, k+1, len(trun.Samples), want)
		}
	}
	if size != frag.Mdat.DataLength() {
		t.Errorf("%s seg %d: trun sizes sum %d; mdat holds %d", r.ID, k+1, size, frag.Mdat.DataLength())
	}
	if r.Kind == Video {
		checkAVCSamples(t, r, k, frag)
	}
	if seg.Sidx != nil {
		ref := seg.Sidx.SidxRefs[0]
		if uint64(ref.ReferencedSize) != frag.Moof.Size()+frag.Mdat.Size() || uint64(ref.SubSegmentDuration) != dur {
			t.Errorf("%s seg %d: sidx ref %+v", r.ID, k+1, ref)
		}
	}
	return wantTfdt + dur
}

// checkAVCSamples checks that each sample is a slice NAL unit (IDR first)
// optionally followed by filler data.
func checkAVCSamples(t *testing.T, r Rendition, k int, frag *mp4.Fragment) {
	t.Helper()
	samples, err := frag.GetFullSamples(nil)
	if err != nil {
		t.Fatalf("%s seg %d: %v", r.ID, k+1, err)
	}
	for i, s := range samples {
		types := avc.FindNaluTypes(s.Data)
		want := avc.NALU_NON_IDR
		if i == 0 {
			want = avc.NALU_IDR
		}
		if len(types) == 0 || types[0] != want || len(types) > 2 || (len(types) == 2 && types[1] != avc.NALU_FILL) {
			t.Fatalf("%s seg %d sample %d: NAL types %v", r.ID, k+1, i, types)
		}
	}
}

// TestSizesFollowBitrate checks average bitrates, the spread of segment
// sizes and their correlation across the ladder.
func TestSizesFollowBitrate(t *testing.T) {
	ti := Title{ID: "long", Duration: 20 * time.Minute, SegmentDuration: 4 * time.Second, LadderKbps: []int{300, 1200, 6000}, Seed: 9}
	p := mustBuild(t, ti)
	rs := p.Renditions()
	for _, r := range rs {
		var total int64
		for _, s := range r.SegmentSizes {
			total += s
		}
		avg := float64(total) * 8 / p.Duration().Seconds() / 1000
		// Video files average the nominal rate; audio payloads do, and the
		// boxes (12 bytes a frame) add about 4 kbps.
		lo, hi := float64(r.Kbps)*0.99, float64(r.Kbps)*1.01
		if r.Kind == Audio {
			lo, hi = float64(r.Kbps), float64(r.Kbps)+6
		}
		if avg < lo || avg > hi {
			t.Errorf("%s: average %.1f kbps; want %.1f..%.1f", r.ID, avg, lo, hi)
		}
		if ratio := float64(r.PeakBandwidth) / float64(r.AverageBandwidth); ratio < 1 || ratio > MaxPeakRatio*1.02 {
			t.Errorf("%s: peak %d is %.2f times the average %d; want 1..%v", r.ID, r.PeakBandwidth, ratio, r.AverageBandwidth, MaxPeakRatio)
		}
		cv := coefVar(r.SegmentSizes[:len(r.SegmentSizes)-1])
		switch r.Kind {
		case Video:
			if cv < 0.15 || cv > 0.5 {
				t.Errorf("%s: segment size CV %.2f; want about %.2f", r.ID, cv, DefaultVariability)
			}
		case Audio:
			if cv > 0.01 {
				t.Errorf("%s: audio segment size CV %.3f; want near 0", r.ID, cv)
			}
		}
	}
	if c := correlation(rs[0].SegmentSizes, rs[2].SegmentSizes); c < 0.8 {
		t.Errorf("correlation of v300 and v6000 sizes = %.2f; want > 0.8", c)
	}
}

func coefVar(xs []int64) float64 {
	var m, v float64
	for _, x := range xs {
		m += float64(x)
	}
	m /= float64(len(xs))
	for _, x := range xs {
		v += (float64(x) - m) * (float64(x) - m)
	}
	return math.Sqrt(v/float64(len(xs))) / m
}

func correlation(a, b []int64) float64 {
	n := float64(len(a))
	var ma, mb float64
	for i := range a {
		ma += float64(a[i]) / n
		mb += float64(b[i]) / n
	}
	var sab, saa, sbb float64
	for i := range a {
		da, db := float64(a[i])-ma, float64(b[i])-mb
		sab += da * db
		saa += da * da
		sbb += db * db
	}
	return sab / math.Sqrt(saa*sbb)
}

func TestSplitPayload(t *testing.T) {
	mins := []int{100, 7, 7, 8, 7}
	weights := []float64{8, 1, 1, 1, 1}
	for extra := 0; extra < 400; extra++ {
		got := splitPayload(mins, weights, extra, nalFillerMin, nil)
		sum := 0
		for i, s := range got {
			sum += s
			if pad := s - mins[i]; pad != 0 && pad < nalFillerMin {
				t.Fatalf("splitPayload(extra=%d)[%d] pads %d bytes", extra, i, pad)
			}
		}
		want := 129 + extra
		if extra < nalFillerMin {
			want = 129
		}
		if sum != want {
			t.Fatalf("splitPayload(extra=%d) sums to %d; want %d", extra, sum, want)
		}
	}
}

func TestAACFrameSize(t *testing.T) {
	for size := aacFrameMin; size < 2000; size += 1 + size/300 {
		if got := len(aacFrame(size)); got != size {
			t.Fatalf("len(aacFrame(%d)) = %d", size, got)
		}
	}
}

func TestH264Level(t *testing.T) {
	tests := []struct {
		w, h int
		fps  float64
		kbps int
		want int
	}{
		{416, 234, 25, 300, 13},
		{640, 360, 25, 800, 30},
		{1280, 720, 30, 3000, 31},
		{1280, 720, 60, 6000, 32},
		{1920, 1080, 30, 6000, 40},
		{1920, 1080, 30, 30000, 41},
		{3840, 2160, 30, 20000, 51},
	}
	for _, tc := range tests {
		mbs := ((tc.w + 15) / 16) * ((tc.h + 15) / 16)
		if got := h264Level(mbs, tc.fps, tc.kbps); got != tc.want {
			t.Errorf("h264Level(%dx%d@%v, %d kbps) = %d; want %d", tc.w, tc.h, tc.fps, tc.kbps, got, tc.want)
		}
	}
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	ti := smallTitle()
	ti.Duration = 6 * time.Second
	cat := &Catalog{Titles: []Title{ti}}
	if err := Write(cat, dir); err != nil {
		t.Fatalf("Write() = %v", err)
	}
	p := mustBuild(t, ti)
	for _, f := range p.Files() {
		got, err := os.ReadFile(filepath.Join(dir, ti.ID, filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, mustOpen(t, p, f)) {
			t.Errorf("%s on disk differs from Open", f)
		}
	}
	if err := Write(&Catalog{}, dir); !errors.Is(err, ErrEmptyCatalog) {
		t.Errorf("Write(empty) = %v; want ErrEmptyCatalog", err)
	}
}

func TestBuildRejectsBadTitle(t *testing.T) {
	_, err := Build(Title{ID: "x", Duration: time.Second, SegmentDuration: 2 * time.Second, LadderKbps: []int{100}})
	var ce *CatalogError
	if !errors.As(err, &ce) || ce.Field != "segment_duration" {
		t.Errorf("Build() error = %v; want a CatalogError on segment_duration", err)
	}
}

func BenchmarkRenderSegment1MB(b *testing.B) {
	// 2000 kbps x 4 s = 1 MB per segment on average.
	p := mustBuild(b, Title{ID: "b", Duration: 40 * time.Second, SegmentDuration: 4 * time.Second, LadderKbps: []int{2000}, Variability: 0.01})
	size, _ := p.Size("v2000/seg_1.m4s")
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Open("v2000/seg_1.m4s"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderAudioSegment(b *testing.B) {
	p := mustBuild(b, smallTitle())
	size, _ := p.Size("a128/seg_1.m4s")
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Open("a128/seg_1.m4s"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuild builds one title of the default catalog: ten minutes,
// six video rungs and audio.
func BenchmarkBuild(b *testing.B) {
	ti := DefaultCatalog(1).Titles[0]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(ti); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSize is the virtual-time simulator's per-request lookup.
func BenchmarkSize(b *testing.B) {
	p := mustBuild(b, DefaultCatalog(1).Titles[0])
	for b.Loop() {
		if _, ok := p.Size("v4000/seg_117.m4s"); !ok {
			b.Fatal("not found")
		}
	}
}

func TestConcurrentOpen(t *testing.T) {
	p := mustBuild(t, smallTitle())
	files := p.Files()
	done := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func(g int) {
			for i := g; i < len(files); i += 2 {
				data, err := p.Open(files[i])
				if err != nil {
					done <- err
					return
				}
				if size, _ := p.Size(files[i]); size != int64(len(data)) {
					done <- errors.New(files[i] + ": size mismatch")
					return
				}
			}
			done <- nil
		}(g)
	}
	for g := 0; g < 4; g++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
