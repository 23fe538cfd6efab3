package packager

import (
	"bytes"

	"github.com/Eyevinn/mp4ff/bits"
)

// The synthetic AAC-LC stream is decodable silence: each raw_data_block is
// one channel pair element with max_sfb 0 (no spectral data), padded to its
// planned size with data stream elements (DSE), which decoders skip.

const (
	aacSampleRate   = 48000
	aacFrameSamples = 1024
	aacFrameMin     = 8 // CPE + one empty DSE + END, byte aligned
	aacMaxDSE       = 255 + 255
)

// aacFrame returns a raw AAC frame of exactly size bytes (size >= aacFrameMin).
func aacFrame(size int) []byte {
	var buf bytes.Buffer
	w := bits.NewWriter(&buf)
	// channel_pair_element, common_window, long window, max_sfb 0.
	w.Write(1, 3) // id_syn_ele ID_CPE
	w.Write(0, 4) // element_instance_tag
	w.Write(1, 1) // common_window
	w.Write(0, 1) // ics_reserved_bit
	w.Write(0, 2) // window_sequence ONLY_LONG_SEQUENCE
	w.Write(0, 1) // window_shape
	w.Write(0, 6) // max_sfb
	w.Write(0, 1) // predictor_data_present
	w.Write(0, 2) // ms_mask_present
	for ch := 0; ch < 2; ch++ {
		w.Write(100, 8) // global_gain
		w.Write(0, 1)   // pulse_data_present
		w.Write(0, 1)   // tns_data_present
		w.Write(0, 1)   // gain_control_data_present
	}
	// 43 bits so far. Each DSE is 16 bits of header (24 with an escape
	// count) plus its bytes; END is 3 bits; the frame ends byte aligned.
	// Fixed part: 43 + 3 = 46 bits, so 6 bytes with 2 spare bits.
	remaining := size - 6 // bytes left for DSEs, which cost 2 + count (or 3 + count)
	for remaining > 0 {
		// remaining is 0 or at least 2 here, and stays so.
		var count int
		switch {
		case remaining <= 2+254:
			count = remaining - 2
		case remaining < 3+255: // 257 or 258: split so that no single byte is left
			count = 200
		case remaining <= 3+aacMaxDSE:
			count = remaining - 3
		case remaining-3-aacMaxDSE >= 2:
			count = aacMaxDSE
		default:
			count = aacMaxDSE - 10
		}
		w.Write(4, 3) // ID_DSE
		w.Write(0, 4) // element_instance_tag
		w.Write(0, 1) // data_byte_align_flag
		if count >= 255 {
			w.Write(255, 8)
			w.Write(uint(count-255), 8)
			remaining -= 3 + count
		} else {
			w.Write(uint(count), 8)
			remaining -= 2 + count
		}
		for i := 0; i < count; i++ {
			w.Write(0xa5, 8)
		}
	}
	w.Write(7, 3) // ID_END
	w.Flush()
	return buf.Bytes()
}
