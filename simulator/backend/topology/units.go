package topology

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Bitrate is a rate in bits per second. In YAML it is a number of bits per
// second or a string with a unit: "800kbps", "10Mbps", "1.5Gbps".
type Bitrate int64

// Common bit rates.
const (
	Kbps Bitrate = 1000
	Mbps Bitrate = 1000 * Kbps
	Gbps Bitrate = 1000 * Mbps
)

// String formats b with the largest unit that keeps it readable.
func (b Bitrate) String() string {
	switch {
	case b >= Gbps && b%(Gbps/10) == 0:
		return strconv.FormatFloat(float64(b)/float64(Gbps), 'f', -1, 64) + "Gbps"
	case b >= Mbps && b%(Mbps/10) == 0:
		return strconv.FormatFloat(float64(b)/float64(Mbps), 'f', -1, 64) + "Mbps"
	case b >= Kbps && b%Kbps == 0:
		return strconv.FormatInt(int64(b/Kbps), 10) + "kbps"
	}
	return strconv.FormatInt(int64(b), 10) + "bps"
}

// BytesPerSecond is b divided by eight.
func (b Bitrate) BytesPerSecond() float64 { return float64(b) / 8 }

// ParseBitrate reads "1200000", "1200kbps", "1.2Mbps" or "10Gbps".
func ParseBitrate(s string) (Bitrate, error) {
	v, err := parseUnit(s, []unit{{"gbps", 1e9}, {"mbps", 1e6}, {"kbps", 1e3}, {"bps", 1}})
	return Bitrate(v), err
}

// MarshalYAML writes the readable form.
func (b Bitrate) MarshalYAML() (any, error) { return b.String(), nil }

// UnmarshalYAML accepts a number or a string with a unit.
func (b *Bitrate) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseBitrate(n.Value)
	if err != nil {
		return &Error{Line: n.Line, Msg: err.Error()}
	}
	*b = v
	return nil
}

// ByteSize is a size in bytes. In YAML it is a number or a string with a
// unit: "512KiB", "64MiB", "2GiB", "1GB".
type ByteSize int64

// Common sizes.
const (
	KiB ByteSize = 1 << 10
	MiB ByteSize = 1 << 20
	GiB ByteSize = 1 << 30
)

// String formats s with a binary unit when it divides evenly.
func (s ByteSize) String() string {
	switch {
	case s >= GiB && s%GiB == 0:
		return strconv.FormatInt(int64(s/GiB), 10) + "GiB"
	case s >= MiB && s%MiB == 0:
		return strconv.FormatInt(int64(s/MiB), 10) + "MiB"
	case s >= KiB && s%KiB == 0:
		return strconv.FormatInt(int64(s/KiB), 10) + "KiB"
	}
	return strconv.FormatInt(int64(s), 10) + "B"
}

// ParseByteSize reads "1048576", "64MiB", "1GB" (decimal) or "2GiB" (binary).
func ParseByteSize(s string) (ByteSize, error) {
	v, err := parseUnit(s, []unit{
		{"gib", 1 << 30}, {"mib", 1 << 20}, {"kib", 1 << 10},
		{"gb", 1e9}, {"mb", 1e6}, {"kb", 1e3}, {"b", 1},
	})
	return ByteSize(v), err
}

// MarshalYAML writes the readable form.
func (s ByteSize) MarshalYAML() (any, error) { return s.String(), nil }

// UnmarshalYAML accepts a number or a string with a unit.
func (s *ByteSize) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseByteSize(n.Value)
	if err != nil {
		return &Error{Line: n.Line, Msg: err.Error()}
	}
	*s = v
	return nil
}

type unit struct {
	suffix string
	mult   float64
}

func parseUnit(s string, units []unit) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := 1.0
	for _, u := range units {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) || f*mult > math.MaxInt64/2 {
		return 0, fmt.Errorf("%q is not a non-negative quantity", s)
	}
	return int64(math.Round(f * mult)), nil
}
