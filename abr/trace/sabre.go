package trace

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

type sabrePeriod struct {
	DurationMs    *float64 `json:"duration_ms"`
	BandwidthKbps *float64 `json:"bandwidth_kbps"`
	LatencyMs     *float64 `json:"latency_ms"`
}

// jsonLine returns the 1-based line of byte offset off in data.
func jsonLine(data []byte, off int64) int {
	line := 1
	for i := int64(0); i < off && i < int64(len(data)); i++ {
		if data[i] == '\n' {
			line++
		}
	}
	return line
}

func jsonErr(name string, data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return &ParseError{File: name, Line: jsonLine(data, se.Offset), Err: fmt.Errorf("%w: %v", ErrSyntax, err)}
	case errors.As(err, &te):
		return &ParseError{File: name, Line: jsonLine(data, te.Offset), Field: te.Field, Err: fmt.Errorf("%w: %v", ErrSyntax, err)}
	}
	return &ParseError{File: name, Err: fmt.Errorf("%w: %v", ErrSyntax, err)}
}

// ParseSabre reads a Sabre network trace: a JSON array of
// {"duration_ms", "bandwidth_kbps", "latency_ms"} periods. Period k becomes
// the interval ending at the sum of the first k+1 durations.
func ParseSabre(r io.Reader, name string) (*Trace, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, &ParseError{File: name, Err: err}
	}
	var periods []sabrePeriod
	if err := json.Unmarshal(data, &periods); err != nil {
		return nil, jsonErr(name, data, err)
	}
	if len(periods) == 0 {
		return nil, &ParseError{File: name, Err: ErrEmpty}
	}
	t := &Trace{Name: name, Time: []float64{0}, Mbps: []float64{0}, LatencyMs: []float64{0}}
	now := 0.0
	for i, p := range periods {
		field := ""
		switch {
		case p.DurationMs == nil || *p.DurationMs <= 0:
			field = "duration_ms"
		case p.BandwidthKbps == nil || *p.BandwidthKbps < 0:
			field = "bandwidth_kbps"
		case p.LatencyMs != nil && *p.LatencyMs < 0:
			field = "latency_ms"
		}
		if field != "" {
			return nil, &ParseError{File: name, Field: fmt.Sprintf("[%d].%s", i, field), Err: fmt.Errorf("%w: missing, zero or negative", ErrRange)}
		}
		lat := 0.0
		if p.LatencyMs != nil {
			lat = *p.LatencyMs
		}
		now += *p.DurationMs / 1000
		t.Time = append(t.Time, now)
		t.Mbps = append(t.Mbps, *p.BandwidthKbps/1000)
		t.LatencyMs = append(t.LatencyMs, lat)
	}
	t.Mbps[0], t.LatencyMs[0] = t.Mbps[1], t.LatencyMs[1]
	return t, nil
}

type sabreVideo struct {
	SegmentDurationMs *float64  `json:"segment_duration_ms"`
	BitratesKbps      []float64 `json:"bitrates_kbps"`
	SegmentSizesBits  [][]int64 `json:"segment_sizes_bits"`
}

// ParseSabreVideo reads a Sabre video description:
// {"segment_duration_ms", "bitrates_kbps": [...], "segment_sizes_bits":
// [[size per level] per segment]}.
func ParseSabreVideo(r io.Reader, name string) (*Video, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, &ParseError{File: name, Err: err}
	}
	var sv sabreVideo
	if err := json.Unmarshal(data, &sv); err != nil {
		return nil, jsonErr(name, data, err)
	}
	if sv.SegmentDurationMs == nil || *sv.SegmentDurationMs <= 0 || *sv.SegmentDurationMs > 3600e3 {
		return nil, &ParseError{File: name, Field: "segment_duration_ms", Err: fmt.Errorf("%w: missing or out of range", ErrRange)}
	}
	if len(sv.BitratesKbps) == 0 {
		return nil, &ParseError{File: name, Field: "bitrates_kbps", Err: ErrEmpty}
	}
	if len(sv.SegmentSizesBits) == 0 {
		return nil, &ParseError{File: name, Field: "segment_sizes_bits", Err: ErrEmpty}
	}
	v := &Video{Name: name, SegmentDuration: time.Duration(*sv.SegmentDurationMs * float64(time.Millisecond))}
	for i, b := range sv.BitratesKbps {
		if b <= 0 || b > 1e9 || (i > 0 && b <= sv.BitratesKbps[i-1]) {
			return nil, &ParseError{File: name, Field: fmt.Sprintf("bitrates_kbps[%d]", i), Err: fmt.Errorf("%w: must be positive and ascending", ErrRange)}
		}
		v.Bitrates = append(v.Bitrates, int(b*1000))
	}
	n := len(v.Bitrates)
	v.Sizes = make([][]int64, n)
	for s, seg := range sv.SegmentSizesBits {
		if len(seg) != n {
			return nil, &ParseError{File: name, Field: fmt.Sprintf("segment_sizes_bits[%d]", s), Err: fmt.Errorf("%w: %d sizes for %d levels", ErrRange, len(seg), n)}
		}
		for l, bits := range seg {
			if bits <= 0 {
				return nil, &ParseError{File: name, Field: fmt.Sprintf("segment_sizes_bits[%d][%d]", s, l), Err: fmt.Errorf("%w: %d bits", ErrRange, bits)}
			}
			v.Sizes[l] = append(v.Sizes[l], (bits+7)/8)
		}
	}
	return v, nil
}
