// Package cea608test makes test content with CEA-608 captions: byte
// pairs for caption scripts, and H.264 fMP4 made by ffmpeg with the
// captions inserted as SEI messages (with mp4ff's encoder), so decoders
// can be checked against ffmpeg's own.
package cea608test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/Eyevinn/mp4ff/avc"
	"github.com/Eyevinn/mp4ff/mp4"
	"github.com/Eyevinn/mp4ff/sei"

	"github.com/abrkit/abrkit/internal/ffmpegtest"
)

// Par returns b (7 bits) with the parity bit that makes it odd.
func Par(b byte) byte {
	b &= 0x7f
	n := 0
	for x := b; x != 0; x >>= 1 {
		n += int(x & 1)
	}
	if n%2 == 0 {
		b |= 0x80
	}
	return b
}

// Ctl returns a control pair of data channel ch (1 or 2).
func Ctl(ch int, c1, c2 byte) []byte {
	if ch == 2 {
		c1 |= 0x08
	}
	return []byte{Par(c1), Par(c2)}
}

// Chars returns the pairs that carry s (ASCII), the last padded with 0.
func Chars(s string) []byte {
	var out []byte
	for i := 0; i < len(s); i += 2 {
		c2 := byte(0)
		if i+1 < len(s) {
			c2 = s[i+1]
		}
		out = append(out, Par(s[i]), Par(c2))
	}
	return out
}

// Cat joins byte pairs.
func Cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// Misc control codes and PACs of CC1 (field 1, channel 1).
var (
	RCL   = Ctl(1, 0x14, 0x20)
	BS    = Ctl(1, 0x14, 0x21)
	DER   = Ctl(1, 0x14, 0x24)
	RU2   = Ctl(1, 0x14, 0x25)
	RU3   = Ctl(1, 0x14, 0x26)
	RDC   = Ctl(1, 0x14, 0x29)
	EDM   = Ctl(1, 0x14, 0x2c)
	CR    = Ctl(1, 0x14, 0x2d)
	ENM   = Ctl(1, 0x14, 0x2e)
	EOC   = Ctl(1, 0x14, 0x2f)
	PAC14 = Ctl(1, 0x14, 0x40) // row 14, column 0
	PAC15 = Ctl(1, 0x14, 0x60) // row 15, column 0
)

// Burst is caption data to send from a video frame on, one byte pair
// per frame (the CEA-608 rate), control codes doubled as broadcasters do.
type Burst struct {
	Frame int
	Pairs []byte
}

// Script is 10 s of CC1 captions: two pop-on captions (shown at frames
// 12 and 76, the second of two rows, taken down at frame 120), two
// roll-up lines (frames 150 and 180, erased at 210) and a paint-on word
// (frame 240, erased at 270).
var Script = []Burst{
	{0, Double(Cat(RCL, ENM, PAC15, Chars("HELLO WORLD"), EOC))},
	{60, Double(Cat(RCL, ENM, PAC14, Chars("SECOND"), PAC15, Chars("TWO LINES"), EOC))},
	{120, Double(EDM)},
	{150, Double(Cat(RU2, PAC15, Chars("ROLL ONE")))},
	{180, Double(Cat(CR, Chars("ROLL TWO")))},
	{210, Double(EDM)},
	{240, Double(Cat(RDC, PAC15, Chars("PAINT")))},
	{270, Double(EDM)},
}

// Double returns pairs with every control code sent twice.
func Double(pairs []byte) []byte {
	var out []byte
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, pairs[i], pairs[i+1])
		if c := pairs[i] & 0x7f; c >= 0x10 && c < 0x20 {
			out = append(out, pairs[i], pairs[i+1])
		}
	}
	return out
}

// Schedule spreads bursts over frames: the field-1 pair each frame
// carries (nil: none).
func Schedule(bursts []Burst, frames int) [][]byte {
	out := make([][]byte, frames)
	var queue []byte
	next := 0
	for f := range frames {
		for next < len(bursts) && bursts[next].Frame <= f {
			queue = append(queue, bursts[next].Pairs...)
			next++
		}
		if len(queue) >= 2 {
			out[f], queue = queue[:2:2], queue[2:]
		}
	}
	return out
}

// CCData returns the cc_data() of one frame: the field-1 pair (if any),
// a field-2 padding pair and the closing marker_bits byte.
func CCData(pair []byte) []byte {
	b := []byte{0x40 | 2, 0xff}
	if len(pair) == 2 {
		b = append(b, 0xfc, pair[0], pair[1])
	} else {
		b = append(b, 0xf8, 0x80, 0x80) // cc_valid 0
	}
	return append(b, 0xfd, 0x80, 0x80, 0xff)
}

// Rate is the frame rate of the content Captioned makes.
const Rate = 30

// Captioned makes secs seconds of H.264 fMP4 (160x90, Rate fps, 1 s
// fragments, B-frames) with ffmpeg in dir, inserts the bursts as CEA-608
// SEI messages and writes the result to dir/name. Frame f has
// presentation time f/Rate seconds from the first frame's.
func Captioned(t testing.TB, dir, name string, secs int, bursts []Burst) string {
	t.Helper()
	ffmpegtest.Run(t, dir, "-f", "lavfi", "-i", fmt.Sprintf("testsrc=size=160x90:rate=%d", Rate), "-t", fmt.Sprint(secs),
		"-c:v", "libx264", "-preset", "ultrafast", "-bf", "2", "-g", fmt.Sprint(Rate), "-keyint_min", fmt.Sprint(Rate),
		"-sc_threshold", "0", "-movflags", "frag_keyframe+empty_moov+default_base_moof", "plain.mp4")
	data, err := os.ReadFile(filepath.Join(dir, "plain.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := InsertCaptions(data, Schedule(bursts, secs*Rate))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// InsertCaptions returns the fragmented MP4 data (one H.264 track) with
// a CEA-608 SEI message in the frames that pairs gives data for, indexed
// by presentation order.
func InsertCaptions(data []byte, pairs [][]byte) ([]byte, error) {
	f, err := mp4.DecodeFile(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	if f.Init == nil || len(f.Init.Moov.Traks) != 1 {
		return nil, fmt.Errorf("want one track in an fMP4 file")
	}
	trex := f.Init.Moov.Mvex.Trex
	var first int64 = -1
	dur := int64(0)
	var b bytes.Buffer
	if err := f.Init.Encode(&b); err != nil {
		return nil, err
	}
	for _, seg := range f.Segments {
		for _, frag := range seg.Fragments {
			samples, err := frag.GetFullSamples(trex)
			if err != nil {
				return nil, err
			}
			nf, err := mp4.CreateFragment(frag.Moof.Mfhd.SequenceNumber, trex.TrackID)
			if err != nil {
				return nil, err
			}
			for _, s := range samples {
				pts := s.PresentationTime()
				if first < 0 {
					first, dur = pts, int64(s.Dur) // the first fragment starts with the first frame shown
				}
				i := int((pts - first) / dur)
				if i >= 0 && i < len(pairs) && pairs[i] != nil {
					nalu, err := avc.CreateSEINalu([]sei.SEIMessage{sei.CreateCTA608SEIMessage(CCData(pairs[i]))})
					if err != nil {
						return nil, err
					}
					s.Data = insertNALU(s.Data, nalu)
					s.Size = uint32(len(s.Data))
				}
				nf.AddFullSample(s)
			}
			if err := nf.Encode(&b); err != nil {
				return nil, err
			}
		}
	}
	return b.Bytes(), nil
}

// insertNALU puts nalu (length-prefixed) before the first slice of a
// sample.
func insertNALU(sample, nalu []byte) []byte {
	out := make([]byte, 0, len(sample)+4+len(nalu))
	pos := 0
	for pos+4 <= len(sample) {
		n := int(sample[pos])<<24 | int(sample[pos+1])<<16 | int(sample[pos+2])<<8 | int(sample[pos+3])
		if typ := avc.GetNaluType(sample[pos+4]); typ == avc.NALU_IDR || typ == avc.NALU_NON_IDR {
			break
		}
		pos += 4 + n
	}
	pos = min(pos, len(sample))
	out = append(out, sample[:pos]...)
	out = append(out, byte(len(nalu)>>24), byte(len(nalu)>>16), byte(len(nalu)>>8), byte(len(nalu)))
	out = append(out, nalu...)
	return append(out, sample[pos:]...)
}

// HLS remuxes dir/cc.mp4 (see Captioned) to 2 s HLS segments with ffmpeg
// (fMP4 when fmp4, else MPEG-TS) and writes dir/master.m3u8, which
// signals the captions as CC1 in English (GROUP-ID "cc").
func HLS(t testing.TB, dir string, fmp4 bool) {
	t.Helper()
	args := []string{"-i", "cc.mp4", "-c", "copy", "-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod",
		"-hls_segment_filename", "video_%03d.ts"}
	if fmp4 {
		args = append(args, "-hls_segment_type", "fmp4", "-hls_segment_filename", "video_%03d.m4s")
	}
	ffmpegtest.Run(t, dir, append(args, "video.m3u8")...)
	master := `#EXTM3U
#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID="cc",NAME="English",LANGUAGE="en",INSTREAM-ID="CC1"
#EXT-X-STREAM-INF:BANDWIDTH=300000,CODECS="avc1.64000c",RESOLUTION=160x90,CLOSED-CAPTIONS="cc"
video.m3u8
`
	if err := os.WriteFile(filepath.Join(dir, "master.m3u8"), []byte(master), 0o644); err != nil {
		t.Fatal(err)
	}
}
