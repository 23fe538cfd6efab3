// Package ffdec decodes fMP4 segments with an ffmpeg subprocess: init +
// media segment in on stdin, raw RGBA frames (or PCM audio) out on stdout.
// One process per segment keeps rendition switches trivial (each CMAF
// segment starts with a key frame) and memory bounded (frames stream out
// through a pipe, so ffmpeg waits while the player is not pulling).
package ffdec

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"os/exec"
	"strconv"
	"sync"
)

// ErrNoFFmpeg is returned when no ffmpeg binary can be found.
var ErrNoFFmpeg = errors.New("ffmpeg not found (apt-get install -y --no-install-recommends ffmpeg)")

// Find returns the path of ffmpeg on PATH.
func Find() (string, error) {
	p, err := exec.LookPath("ffmpeg")
	if err != nil {
		return "", ErrNoFFmpeg
	}
	return p, nil
}

// Decoder turns segments into frames of a fixed output size.
type Decoder struct {
	FFmpeg        string // path to ffmpeg
	Width, Height int    // output frame size
	pool          sync.Pool
}

// New returns a decoder scaling every frame to w x h.
func New(ffmpeg string, w, h int) *Decoder {
	d := &Decoder{FFmpeg: ffmpeg, Width: w, Height: h}
	d.pool.New = func() any { return image.NewRGBA(image.Rect(0, 0, w, h)) }
	return d
}

// Release gives a frame's buffer back for reuse.
func (d *Decoder) Release(img *image.RGBA) {
	if img != nil && img.Rect.Dx() == d.Width && img.Rect.Dy() == d.Height {
		d.pool.Put(img)
	}
}

// Stream is one segment being decoded; Next returns its frames in order.
type Stream struct {
	d      *Decoder
	cmd    *exec.Cmd
	out    *bufio.Reader
	stderr *bytes.Buffer
	n      int
	done   bool
}

// Video starts decoding init+media into RGBA frames.
func (d *Decoder) Video(ctx context.Context, init, media []byte) (*Stream, error) {
	args := []string{"-hide_banner", "-loglevel", "error", "-nostdin", "-i", "pipe:0", "-an", "-fps_mode", "passthrough",
		"-vf", "scale=" + strconv.Itoa(d.Width) + ":" + strconv.Itoa(d.Height),
		"-f", "rawvideo", "-pix_fmt", "rgba", "pipe:1"}
	cmd, out, stderr, err := d.start(ctx, args, init, media)
	if err != nil {
		return nil, err
	}
	return &Stream{d: d, cmd: cmd, out: bufio.NewReaderSize(out, 1<<20), stderr: stderr}, nil
}

// Next returns the next frame, or io.EOF after the last one.
func (s *Stream) Next() (*image.RGBA, error) {
	if s.done {
		return nil, io.EOF
	}
	img := s.d.pool.Get().(*image.RGBA)
	if _, err := io.ReadFull(s.out, img.Pix); err != nil {
		s.d.pool.Put(img)
		s.done = true
		werr := s.cmd.Wait()
		if errors.Is(err, io.EOF) && werr == nil {
			return nil, io.EOF
		}
		if werr != nil {
			return nil, fmt.Errorf("ffmpeg after %d frames: %w: %s", s.n, werr, bytes.TrimSpace(s.stderr.Bytes()))
		}
		return nil, fmt.Errorf("ffmpeg after %d frames: truncated frame: %w", s.n, err)
	}
	s.n++
	return img, nil
}

// Close stops the decoder early.
func (s *Stream) Close() error {
	if s.done {
		return nil
	}
	s.done = true
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	return nil
}

// AudioRate and AudioChannels describe the PCM Audio returns (s16le).
const (
	AudioRate     = 48000
	AudioChannels = 2
)

// Audio decodes init+media into interleaved signed 16-bit little-endian PCM.
func (d *Decoder) Audio(ctx context.Context, init, media []byte) ([]byte, error) {
	args := []string{"-hide_banner", "-loglevel", "error", "-nostdin", "-i", "pipe:0", "-vn",
		"-f", "s16le", "-ac", strconv.Itoa(AudioChannels), "-ar", strconv.Itoa(AudioRate), "pipe:1"}
	cmd, out, stderr, err := d.start(ctx, args, init, media)
	if err != nil {
		return nil, err
	}
	pcm, rerr := io.ReadAll(out)
	werr := cmd.Wait()
	if werr != nil {
		return nil, fmt.Errorf("ffmpeg audio: %w: %s", werr, bytes.TrimSpace(stderr.Bytes()))
	}
	return pcm, rerr
}

func (d *Decoder) start(ctx context.Context, args []string, init, media []byte) (*exec.Cmd, io.Reader, *bytes.Buffer, error) {
	cmd := exec.CommandContext(ctx, d.FFmpeg, args...)
	// Segments are small: hand ffmpeg one reader instead of a writer goroutine.
	cmd.Stdin = io.MultiReader(bytes.NewReader(init), bytes.NewReader(media))
	stderr := new(bytes.Buffer)
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, nil, fmt.Errorf("start ffmpeg: %w", err)
	}
	return cmd, out, stderr, nil
}
