package packager

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

type probeOut struct {
	Streams []struct {
		CodecName    string `json:"codec_name"`
		Width        int    `json:"width"`
		Height       int    `json:"height"`
		SampleRate   string `json:"sample_rate"`
		Channels     int    `json:"channels"`
		NbReadFrames string `json:"nb_read_frames"`
	} `json:"streams"`
	Format struct {
		Duration string `json:"duration"`
	} `json:"format"`
}

// ffprobe runs ffprobe -v error on path; any message on stderr fails.
func ffprobe(t *testing.T, path string, args ...string) probeOut {
	t.Helper()
	cmd := exec.Command("ffprobe", append(append([]string{"-v", "error", "-of", "json"}, args...), path)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Fatalf("ffprobe %s: %v\n%s", path, err, stderr.String())
	}
	var out probeOut
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("ffprobe %s output: %v", path, err)
	}
	return out
}

// TestFFprobe checks that ffprobe reads the manifests and decodes every
// frame of every rendition without a message. Skipped without ffprobe.
func TestFFprobe(t *testing.T) {
	if _, err := exec.LookPath("ffprobe"); err != nil {
		t.Skip("ffprobe not found; install it with apt-get install -y --no-install-recommends ffmpeg")
	}
	short := smallTitle()
	short.Duration = 5 * time.Second
	short.SegmentDuration = 2 * time.Second
	for _, ti := range []Title{
		short,
		{ID: "ntsc", Duration: 3 * time.Second, SegmentDuration: 2 * time.Second, LadderKbps: []int{300, 6000},
			FrameRate: 29.97, Sidx: true, Seed: 1},
	} {
		t.Run(ti.ID, func(t *testing.T) {
			dir := t.TempDir()
			p := mustBuild(t, ti)
			if _, err := WriteTitle(p, dir); err != nil {
				t.Fatal(err)
			}
			base := filepath.Join(dir, ti.ID)
			for _, m := range []string{MasterPlaylist, DASHManifest} {
				out := ffprobe(t, filepath.Join(base, m), "-show_entries", "stream=codec_name:format=duration")
				if len(out.Streams) != len(p.Renditions()) {
					t.Errorf("%s: ffprobe sees %d streams; want %d", m, len(out.Streams), len(p.Renditions()))
				}
				if d, _ := strconv.ParseFloat(out.Format.Duration, 64); absDur(time.Duration(d*1e9)-p.Duration()) > 50*time.Millisecond {
					t.Errorf("%s: ffprobe duration %s; want %v", m, out.Format.Duration, p.Duration())
				}
			}
			for _, r := range p.Renditions() {
				// init + all segments is a valid fragmented MP4 file.
				data := mustOpen(t, p, r.ID+"/"+InitSegment)
				frames := 0
				for k := range r.SegmentSizes {
					seg := mustOpen(t, p, r.ID+"/"+SegmentName(k+1))
					data = append(data, seg...)
					if r.Kind == Video {
						frames += p.tm.frames(k)
					} else {
						frames += p.tm.audioFrame(k+1) - p.tm.audioFrame(k)
					}
				}
				path := filepath.Join(dir, r.ID+".mp4")
				if err := os.WriteFile(path, data, 0o644); err != nil {
					t.Fatal(err)
				}
				out := ffprobe(t, path, "-count_frames", "-show_entries", "stream=codec_name,width,height,sample_rate,channels,nb_read_frames")
				if len(out.Streams) != 1 {
					t.Fatalf("%s: %d streams", r.ID, len(out.Streams))
				}
				s := out.Streams[0]
				switch r.Kind {
				case Video:
					if s.CodecName != "h264" || s.Width != r.Width || s.Height != r.Height {
						t.Errorf("%s: ffprobe %s %dx%d; want h264 %dx%d", r.ID, s.CodecName, s.Width, s.Height, r.Width, r.Height)
					}
				case Audio:
					if s.CodecName != "aac" || s.SampleRate != "48000" || s.Channels != 2 {
						t.Errorf("%s: ffprobe %s %s Hz %d ch; want aac 48000 Hz 2 ch", r.ID, s.CodecName, s.SampleRate, s.Channels)
					}
				}
				if s.NbReadFrames != strconv.Itoa(frames) {
					t.Errorf("%s: ffprobe decoded %s frames; want %d", r.ID, s.NbReadFrames, frames)
				}
			}
		})
	}
}
