package trace

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// MahimahiMTU is the bytes one Mahimahi delivery opportunity carries.
const MahimahiMTU = 1500

// DefaultMahimahiBin is the interval ParseMahimahi averages packets over.
const DefaultMahimahiBin = time.Second

// ParseMahimahi reads a Mahimahi packet-delivery file (one non-negative,
// non-decreasing millisecond timestamp per line, each a chance to deliver
// one 1500-byte packet) and bins it into a capacity series with bins of
// the given width (0: DefaultMahimahiBin).
func ParseMahimahi(r io.Reader, name string, bin time.Duration) (*Trace, error) {
	if bin <= 0 {
		bin = DefaultMahimahiBin
	}
	binMs := bin.Seconds() * 1000
	var counts []int
	sc := bufio.NewScanner(r)
	line, last := 0, int64(-1)
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" {
			continue
		}
		ms, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, &ParseError{File: name, Line: line, Field: "timestamp", Err: fmt.Errorf("%w: %q is not an integer", ErrSyntax, s)}
		}
		if ms < 0 || ms < last || ms > 1e9 {
			return nil, &ParseError{File: name, Line: line, Field: "timestamp", Err: fmt.Errorf("%w: %d (previous %d)", ErrRange, ms, last)}
		}
		last = ms
		// A packet at time ms belongs to the bin (k*bin, (k+1)*bin].
		k := 0
		if ms > 0 {
			k = int((float64(ms) - 1) / binMs)
		}
		for len(counts) <= k {
			counts = append(counts, 0)
		}
		counts[k]++
	}
	if err := sc.Err(); err != nil {
		return nil, &ParseError{File: name, Line: line + 1, Err: fmt.Errorf("%w: %v", ErrSyntax, err)}
	}
	if len(counts) == 0 {
		return nil, &ParseError{File: name, Err: ErrEmpty}
	}
	t := &Trace{Name: name, Time: []float64{0}, Mbps: []float64{0}}
	for k, c := range counts {
		t.Time = append(t.Time, float64(k+1)*bin.Seconds())
		t.Mbps = append(t.Mbps, float64(c)*MahimahiMTU*8/1e6/bin.Seconds())
	}
	t.Mbps[0] = t.Mbps[1]
	return t, nil
}
