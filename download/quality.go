package download

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseQuality reads a video quality: "best" (the default), "worst", a
// height such as "720p" (the tallest rendition not taller), or a bitrate
// such as "1500k" or "2.5M" (the highest at or under it, bit/s with
// decimal prefixes).
func ParseQuality(s string) (Selection, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	var sel Selection
	switch {
	case v == "" || v == "best" || v == "highest":
		return sel, nil
	case v == "worst" || v == "lowest":
		sel.Lowest = true
		return sel, nil
	case strings.HasSuffix(v, "p"):
		h, err := strconv.Atoi(strings.TrimSuffix(v, "p"))
		if err != nil || h <= 0 {
			return sel, fmt.Errorf("quality %q: want best, worst, a height like 720p or a bitrate like 1500k", s)
		}
		sel.MaxHeight = h
		return sel, nil
	}
	mult := 1.0
	switch {
	case strings.HasSuffix(v, "k"):
		mult, v = 1e3, strings.TrimSuffix(v, "k")
	case strings.HasSuffix(v, "m"):
		mult, v = 1e6, strings.TrimSuffix(v, "m")
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 {
		return sel, fmt.Errorf("quality %q: want best, worst, a height like 720p or a bitrate like 1500k", s)
	}
	sel.MaxBitrate = int(f * mult)
	return sel, nil
}

// ParseSize reads a byte count with an optional unit: B, KB, MB, GB, TB
// (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024).
func ParseSize(s string) (int64, error) {
	v := strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   float64
	}{
		{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
		{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"K", 1e3}, {"M", 1e6}, {"G", 1e9}, {"B", 1},
	}
	mult := 1.0
	for _, u := range units {
		if strings.HasSuffix(strings.ToUpper(v), strings.ToUpper(u.suffix)) && (len(u.suffix) != 3 || strings.HasSuffix(v, u.suffix)) {
			mult = u.mult
			v = strings.TrimSpace(v[:len(v)-len(u.suffix)])
			break
		}
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("size %q: want a number of bytes with an optional unit (MB, GiB, ...)", s)
	}
	return int64(f * mult), nil
}
