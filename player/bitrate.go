package player

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrBitrate is wrapped by ParseBitrate's errors.
var ErrBitrate = errors.New("bad bitrate")

// ParseBitrate reads a bitrate in bits per second: a plain number, or one
// with a k, M or G suffix (decimal multiples, an optional "bps" or "bit/s"
// after it): "800k", "2.5M", "3000000", "1.2Mbps".
func ParseBitrate(s string) (int, error) {
	v := strings.TrimSpace(s)
	for _, unit := range []string{"bit/s", "bps", "b/s"} {
		if len(v) > len(unit) && strings.EqualFold(v[len(v)-len(unit):], unit) {
			v = v[:len(v)-len(unit)]
			break
		}
	}
	mult := 1.0
	if n := len(v); n > 0 {
		switch v[n-1] {
		case 'k', 'K':
			mult, v = 1e3, v[:n-1]
		case 'm', 'M':
			mult, v = 1e6, v[:n-1]
		case 'g', 'G':
			mult, v = 1e9, v[:n-1]
		}
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f < 0 || f*mult > 1e12 || f != f {
		return 0, fmt.Errorf("%w %q: want a number of bits/s with an optional k, M or G suffix", ErrBitrate, s)
	}
	return int(f * mult), nil
}

// FormatBitrate writes bps as "850 kbit/s" or "2.50 Mbit/s".
func FormatBitrate(bps float64) string {
	switch {
	case bps >= 1e6:
		return fmt.Sprintf("%.2f Mbit/s", bps/1e6)
	case bps >= 1e3:
		return fmt.Sprintf("%.0f kbit/s", bps/1e3)
	}
	return fmt.Sprintf("%.0f bit/s", bps)
}
