package trace

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// PensieveBitrates returns the ladder of Pensieve's video, bits per
// second (a fresh slice each call).
func PensieveBitrates() []int {
	return []int{300_000, 750_000, 1_200_000, 1_850_000, 2_850_000, 4_300_000}
}

// PensieveSegment is the segment duration of Pensieve's video.
const PensieveSegment = 4 * time.Second

// ParsePensieve reads a Pensieve trace: per line, whitespace-separated
// time in seconds and throughput in Mbit/s. Blank lines are skipped; name
// labels errors and the trace.
func ParsePensieve(r io.Reader, name string) (*Trace, error) {
	t := &Trace{Name: name}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	line := 0
	for sc.Scan() {
		line++
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) < 2 {
			return nil, &ParseError{File: name, Line: line, Field: "throughput", Err: fmt.Errorf("%w: want 2 columns, got %d", ErrSyntax, len(f))}
		}
		ts, err := parseFloat(f[0])
		if err != nil {
			return nil, &ParseError{File: name, Line: line, Field: "time", Err: err}
		}
		bw, err := parseFloat(f[1])
		if err != nil {
			return nil, &ParseError{File: name, Line: line, Field: "throughput", Err: err}
		}
		if bw < 0 {
			return nil, &ParseError{File: name, Line: line, Field: "throughput", Err: fmt.Errorf("%w: negative %v", ErrRange, bw)}
		}
		if n := len(t.Time); n > 0 && ts < t.Time[n-1] {
			return nil, &ParseError{File: name, Line: line, Field: "time", Err: fmt.Errorf("%w: %v goes back from %v", ErrRange, ts, t.Time[n-1])}
		}
		t.Time = append(t.Time, ts)
		t.Mbps = append(t.Mbps, bw)
	}
	if err := sc.Err(); err != nil {
		return nil, &ParseError{File: name, Line: line + 1, Err: fmt.Errorf("%w: %v", ErrSyntax, err)}
	}
	if len(t.Time) < 2 {
		return nil, &ParseError{File: name, Err: fmt.Errorf("%w: need at least 2 samples", ErrEmpty)}
	}
	return t, nil
}

func parseFloat(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %q is not a number", ErrSyntax, s)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%w: %q is not finite", ErrRange, s)
	}
	return v, nil
}

// ParsePensieveSizes reads a Pensieve size file: one segment size in bytes
// per line.
func ParsePensieveSizes(r io.Reader, name string) ([]int64, error) {
	var sizes []int64
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" {
			continue
		}
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, &ParseError{File: name, Line: line, Field: "size", Err: fmt.Errorf("%w: %q is not an integer", ErrSyntax, s)}
		}
		if v <= 0 {
			return nil, &ParseError{File: name, Line: line, Field: "size", Err: fmt.Errorf("%w: %d bytes", ErrRange, v)}
		}
		sizes = append(sizes, v)
	}
	if err := sc.Err(); err != nil {
		return nil, &ParseError{File: name, Line: line + 1, Err: fmt.Errorf("%w: %v", ErrSyntax, err)}
	}
	if len(sizes) == 0 {
		return nil, &ParseError{File: name, Err: ErrEmpty}
	}
	return sizes, nil
}

// LoadPensieveVideo reads dir/video_size_0 .. video_size_<n-1> for the n
// levels of bitrates (nil: [PensieveBitrates]).
func LoadPensieveVideo(dir string, bitrates []int, segment time.Duration) (*Video, error) {
	if bitrates == nil {
		bitrates = PensieveBitrates()
	}
	if segment <= 0 {
		segment = PensieveSegment
	}
	v := &Video{Name: filepath.Base(dir), SegmentDuration: segment, Bitrates: append([]int(nil), bitrates...)}
	for l := range bitrates {
		p := filepath.Join(dir, fmt.Sprintf("video_size_%d", l))
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		sizes, err := ParsePensieveSizes(f, p)
		f.Close()
		if err != nil {
			return nil, err
		}
		v.Sizes = append(v.Sizes, sizes)
	}
	return v, nil
}
