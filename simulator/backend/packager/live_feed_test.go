package packager

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/abrkit/abrkit/clock"
)

// contentDir is the output of `make content` (ffmpeg: 24 s, 4 s
// segments, 25 fps, 360p/540p/720p and AAC).
const contentDir = "../../../testdata/content"

func feedChannel(t *testing.T, cfg ChannelConfig) *Channel {
	t.Helper()
	if _, err := os.Stat(filepath.Join(contentDir, "dash", "manifest.mpd")); err != nil {
		t.Skipf("skipping: no content in %s (run 'make content'; needs ffmpeg)", contentDir)
	}
	// A minute of window: segments 5 to 8 are complete at the start.
	cfg.ID, cfg.Source, cfg.Window = "feed", contentDir, time.Minute
	c, err := NewChannel(cfg, clock.NewFake(liveEpoch))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fragments decodes an init segment and a run of CMAF chunks into each
// moof's decode time, duration and first sample.
func fragments(t *testing.T, init, data []byte) (tfdt []uint64, durs []uint64, first []mp4.FullSample) {
	t.Helper()
	f, err := mp4.DecodeFile(bytes.NewReader(append(append([]byte(nil), init...), data...)))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range f.Segments {
		for _, fg := range s.Fragments {
			ss, err := fg.GetFullSamples(f.Init.Moov.Mvex.Trex)
			if err != nil {
				t.Fatal(err)
			}
			var d uint64
			for _, x := range ss {
				d += uint64(x.Dur)
			}
			tfdt, durs, first = append(tfdt, fg.Moof.Traf.Tfdt.BaseMediaDecodeTime()), append(durs, d), append(first, ss[0])
		}
	}
	return tfdt, durs, first
}

// TestChannelFromContent feeds a channel with ffmpeg-made CMAF: the
// source's grid and ladder, its own samples, and decode times that run on
// across the loop (segment 6 is the loop's last, 7 its first again).
func TestChannelFromContent(t *testing.T) {
	c := feedChannel(t, ChannelConfig{})
	cfg := c.Config()
	if cfg.SegmentDuration != 4*time.Second || cfg.PartDuration != 400*time.Millisecond || cfg.FrameRate != 25 || c.loop != 6 {
		t.Fatalf("segment %v part %v fps %v loop %d; want the source's 4s at 25 fps, 400ms parts, 6 segments",
			cfg.SegmentDuration, cfg.PartDuration, cfg.FrameRate, c.loop)
	}
	rs := c.Renditions()
	if len(rs) != 4 || rs[0].Height != 360 || rs[2].Height != 720 || rs[3].Kind != Audio || rs[0].Codecs[:5] != "avc1." {
		t.Fatalf("renditions %+v; want 360p, 540p, 720p and audio", rs)
	}
	if rs[0].Kbps < 300 || rs[0].Kbps > 500 || !strings.HasPrefix(rs[0].ID, "v") {
		t.Errorf("360p rendition %s at %d kbps; want about 400", rs[0].ID, rs[0].Kbps)
	}
	master := open(t, c, MasterPlaylist, "")
	if !strings.Contains(master, "RESOLUTION=1280x720") || !strings.Contains(master, `CODECS="`+rs[2].Codecs+`,mp4a.40.2"`) {
		t.Errorf("master playlist:\n%s", master)
	}
	src, err := os.ReadFile(filepath.Join(contentDir, "dash", "seg_0_001.m4s"))
	if err != nil {
		t.Fatal(err)
	}
	srcInit, err := os.ReadFile(filepath.Join(contentDir, "dash", "init_0.m4s"))
	if err != nil {
		t.Fatal(err)
	}
	_, _, srcFirst := fragments(t, srcInit, src)
	for _, r := range []Rendition{rs[0], rs[3]} {
		var all []byte
		for n := 5; n <= 8; n++ {
			all = append(all, open(t, c, r.ID+"/"+SegmentName(n), "")...)
		}
		tfdt, durs, first := fragments(t, []byte(open(t, c, r.ID+"/"+InitSegment, "")), all)
		if len(tfdt) != 4*10 {
			t.Fatalf("%s: %d chunks in segments 5-8; want 40 (10 per segment)", r.ID, len(tfdt))
		}
		for i := 1; i < len(tfdt); i++ {
			if tfdt[i] != tfdt[i-1]+durs[i-1] {
				t.Fatalf("%s: chunk %d starts at %d; the one before ends at %d", r.ID, i, tfdt[i], tfdt[i-1]+durs[i-1])
			}
		}
		start := float64(tfdt[0]) / float64(r.Timescale)
		if start < 15.9 || start > 16.1 {
			t.Errorf("%s: segment 5 starts at %.3fs; want 16", r.ID, start)
		}
		if r.Kind == Video {
			if k := 20; !first[k].IsSync() || !bytes.Equal(first[k].Data, srcFirst[0].Data) {
				t.Errorf("segment 7 (the loop's first again) does not start with the source's first frame")
			}
		}
	}
}

// TestChannelFromContentPlaysInFFprobe has ffprobe read a run of the
// channel across the loop boundary: no decode errors, timestamps that
// only grow.
func TestChannelFromContentPlaysInFFprobe(t *testing.T) {
	c := feedChannel(t, ChannelConfig{PartDuration: time.Second})
	ffprobe, err := exec.LookPath("ffprobe")
	if err != nil {
		t.Skip("skipping: ffprobe not found (apt-get install ffmpeg)")
	}
	r := c.Renditions()[1]
	data := []byte(open(t, c, r.ID+"/"+InitSegment, ""))
	for n := 5; n <= 8; n++ {
		data = append(data, open(t, c, r.ID+"/"+SegmentName(n), "")...)
	}
	path := filepath.Join(t.TempDir(), "run.mp4")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(ffprobe, "-v", "error", "-show_entries", "packet=pts_time", "-of", "csv=p=0", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ffprobe: %v\n%s", err, out)
	}
	lines := strings.Fields(string(out))
	if len(lines) != 4*100 {
		t.Fatalf("ffprobe read %d packets; want 400\n%.500s", len(lines), out)
	}
	prev := -1.0
	for i, l := range lines {
		v, err := strconv.ParseFloat(l, 64)
		if err != nil {
			t.Fatalf("ffprobe line %d: %q (%s)", i, l, out[:min(len(out), 300)])
		}
		if v <= prev {
			t.Fatalf("packet %d at %.3fs after %.3fs", i, v, prev)
		}
		prev = v
	}
	if first, _ := strconv.ParseFloat(lines[0], 64); first < 15.9 || prev > 32 {
		t.Errorf("packets from %.3fs to %.3fs; want 16s to 32s", first, prev)
	}
}

// TestChannelSourceErrors: a source a channel cannot loop is refused
// with the file and the reason.
func TestChannelSourceErrors(t *testing.T) {
	if _, err := os.Stat(filepath.Join(contentDir, "dash", "manifest.mpd")); err != nil {
		t.Skipf("skipping: no content in %s (run 'make content')", contentDir)
	}
	empty := t.TempDir()
	for _, tc := range []struct {
		name string
		cfg  ChannelConfig
		want string
	}{
		{"no init", ChannelConfig{Source: empty}, "no init_<id>.m4s"},
		{"segment differs", ChannelConfig{Source: contentDir, SegmentDuration: 2 * time.Second}, "segment_duration 2s differs from the source's 4s"},
		{"part not whole frames", ChannelConfig{Source: contentDir, PartDuration: 500 * time.Millisecond}, "part_duration 500ms is not a whole number of frames"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.ID = "feed"
			_, err := NewChannel(tc.cfg, clock.NewFake(liveEpoch))
			if err == nil || !errors.Is(err, ErrInvalidValue) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("NewChannel = %v; want ErrInvalidValue saying %q", err, tc.want)
			}
		})
	}
}
