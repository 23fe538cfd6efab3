package packager

import (
	"bytes"
	"fmt"

	"github.com/Eyevinn/mp4ff/bits"
)

// The synthetic H.264 stream is decodable: every segment starts with an IDR
// picture whose macroblocks are all I_16x16 DC-predicted without residual (a
// flat grey picture, one byte per macroblock), the other pictures are P
// slices made only of skipped macroblocks, and each picture is padded to its
// planned size with a filler-data NAL unit (type 12), which decoders skip.
// Profile Main (constrained-baseline tools only: CAVLC, no B frames),
// pic_order_cnt_type 2, one reference frame, 4-bit frame_num.

const (
	h264ProfileMain = 77
	h264Constraints = 0x40 // constraint_set1_flag: conforms to Main
	log2MaxFrameNum = 4
	nalFillerMin    = 4 + 2 // length prefix + header byte + rbsp trailing byte
)

// h264Level picks the lowest level whose frame size, macroblock rate and
// Main-profile bitrate limits (H.264 table A-1) admit the picture at
// peakKbps.
func h264Level(mbs int, fps float64, peakKbps int) int {
	levels := []struct {
		idc     int
		maxFS   int
		maxMBPS float64
		maxBR   int // kbit/s
	}{
		{10, 99, 1485, 64}, {11, 396, 3000, 192}, {12, 396, 6000, 384}, {13, 396, 11880, 768},
		{20, 396, 11880, 2000}, {21, 792, 19800, 4000}, {22, 1620, 20250, 4000},
		{30, 1620, 40500, 10000}, {31, 3600, 108000, 14000}, {32, 5120, 216000, 20000},
		{40, 8192, 245760, 20000}, {41, 8192, 245760, 50000}, {42, 8704, 522240, 50000},
		{50, 22080, 589824, 135000}, {51, 36864, 983040, 240000}, {52, 36864, 2073600, 240000},
	}
	for _, l := range levels {
		if mbs <= l.maxFS && float64(mbs)*fps <= l.maxMBPS && peakKbps <= l.maxBR {
			return l.idc
		}
	}
	return 52
}

// avcStream holds the parameter sets and pre-built slices of one rendition.
type avcStream struct {
	width, height int
	mbs           int
	level         int
	sps, pps      []byte
	idr           [2][]byte                    // IDR slice NAL units for idr_pic_id 0 and 1
	p             [1 << log2MaxFrameNum][]byte // P slice NAL units by frame_num
}

func (s *avcStream) codec() string {
	return fmt.Sprintf("avc1.%02x%02x%02x", h264ProfileMain, h264Constraints, s.level)
}

// newAVCStream builds the parameter sets and slices for a picture size and
// a frame timing of sampleDur ticks of a 90 kHz clock; peakKbps chooses the level.
func newAVCStream(width, height int, sampleDur uint32, peakKbps int) *avcStream {
	wmb, hmb := (width+15)/16, (height+15)/16
	s := &avcStream{width: width, height: height, mbs: wmb * hmb}
	s.level = h264Level(s.mbs, 90000/float64(sampleDur), peakKbps)
	s.sps = nalu(0x67, func(w *bits.EBSPWriter) {
		w.Write(h264ProfileMain, 8)
		w.Write(h264Constraints, 8)
		w.Write(uint(s.level), 8)
		w.WriteExpGolomb(0)                   // seq_parameter_set_id
		w.WriteExpGolomb(log2MaxFrameNum - 4) // log2_max_frame_num_minus4
		w.WriteExpGolomb(2)                   // pic_order_cnt_type
		w.WriteExpGolomb(1)                   // max_num_ref_frames
		w.Write(0, 1)                         // gaps_in_frame_num_value_allowed_flag
		w.WriteExpGolomb(uint(wmb - 1))       // pic_width_in_mbs_minus1
		w.WriteExpGolomb(uint(hmb - 1))       // pic_height_in_map_units_minus1
		w.Write(1, 1)                         // frame_mbs_only_flag
		w.Write(1, 1)                         // direct_8x8_inference_flag
		cropR, cropB := (wmb*16-width)/2, (hmb*16-height)/2
		if cropR != 0 || cropB != 0 {
			w.Write(1, 1) // frame_cropping_flag
			w.WriteExpGolomb(0)
			w.WriteExpGolomb(uint(cropR))
			w.WriteExpGolomb(0)
			w.WriteExpGolomb(uint(cropB))
		} else {
			w.Write(0, 1)
		}
		w.Write(1, 1) // vui_parameters_present_flag
		w.Write(1, 1) // aspect_ratio_info_present_flag
		w.Write(1, 8) // aspect_ratio_idc 1 (square pixels)
		w.Write(0, 1) // overscan_info_present_flag
		w.Write(0, 1) // video_signal_type_present_flag
		w.Write(0, 1) // chroma_loc_info_present_flag
		w.Write(1, 1) // timing_info_present_flag
		w.Write(uint(sampleDur), 32)
		w.Write(2*90000, 32)
		w.Write(1, 1) // fixed_frame_rate_flag
		w.Write(0, 1) // nal_hrd_parameters_present_flag
		w.Write(0, 1) // vcl_hrd_parameters_present_flag
		w.Write(0, 1) // pic_struct_present_flag
		w.Write(1, 1) // bitstream_restriction_flag
		w.Write(1, 1) // motion_vectors_over_pic_boundaries_flag
		w.WriteExpGolomb(0)
		w.WriteExpGolomb(0)
		w.WriteExpGolomb(16)
		w.WriteExpGolomb(16)
		w.WriteExpGolomb(0) // max_num_reorder_frames
		w.WriteExpGolomb(1) // max_dec_frame_buffering
	})
	s.pps = nalu(0x68, func(w *bits.EBSPWriter) {
		w.WriteExpGolomb(0) // pic_parameter_set_id
		w.WriteExpGolomb(0) // seq_parameter_set_id
		w.Write(0, 1)       // entropy_coding_mode_flag: CAVLC
		w.Write(0, 1)       // bottom_field_pic_order_in_frame_present_flag
		w.WriteExpGolomb(0) // num_slice_groups_minus1
		w.WriteExpGolomb(0) // num_ref_idx_l0_default_active_minus1
		w.WriteExpGolomb(0) // num_ref_idx_l1_default_active_minus1
		w.Write(0, 1)       // weighted_pred_flag
		w.Write(0, 2)       // weighted_bipred_idc
		w.WriteExpGolomb(0) // pic_init_qp_minus26 (se 0)
		w.WriteExpGolomb(0) // pic_init_qs_minus26 (se 0)
		w.WriteExpGolomb(0) // chroma_qp_index_offset (se 0)
		w.Write(0, 1)       // deblocking_filter_control_present_flag
		w.Write(0, 1)       // constrained_intra_pred_flag
		w.Write(0, 1)       // redundant_pic_cnt_present_flag
	})
	for id := range s.idr {
		s.idr[id] = nalu(0x65, func(w *bits.EBSPWriter) {
			w.WriteExpGolomb(0) // first_mb_in_slice
			w.WriteExpGolomb(7) // slice_type: I, all slices
			w.WriteExpGolomb(0) // pic_parameter_set_id
			w.Write(0, log2MaxFrameNum)
			w.WriteExpGolomb(uint(id)) // idr_pic_id
			w.Write(0, 1)              // no_output_of_prior_pics_flag
			w.Write(0, 1)              // long_term_reference_flag
			w.WriteExpGolomb(0)        // slice_qp_delta (se 0)
			for i := 0; i < s.mbs; i++ {
				// mb_type I_16x16_2_0_0 ue(3), intra_chroma_pred_mode ue(0),
				// mb_qp_delta se(0), DC coeff_token TotalCoeff 0 (nC 0): 00100 1 1 1
				w.Write(0x27, 8)
			}
		})
	}
	for fn := range s.p {
		s.p[fn] = nalu(0x41, func(w *bits.EBSPWriter) {
			w.WriteExpGolomb(0) // first_mb_in_slice
			w.WriteExpGolomb(5) // slice_type: P, all slices
			w.WriteExpGolomb(0) // pic_parameter_set_id
			w.Write(uint(fn), log2MaxFrameNum)
			w.Write(0, 1)                 // num_ref_idx_active_override_flag
			w.Write(0, 1)                 // ref_pic_list_modification_flag_l0
			w.Write(0, 1)                 // adaptive_ref_pic_marking_mode_flag
			w.WriteExpGolomb(0)           // slice_qp_delta (se 0)
			w.WriteExpGolomb(uint(s.mbs)) // mb_skip_run: the whole picture
		})
	}
	return s
}

// nalu builds one NAL unit: header byte, then the RBSP written by body with
// emulation prevention, then rbsp_trailing_bits.
func nalu(header byte, body func(w *bits.EBSPWriter)) []byte {
	var buf bytes.Buffer
	buf.WriteByte(header)
	w := bits.NewEBSPWriter(&buf)
	body(w)
	w.WriteRbspTrailingBits()
	if err := w.AccError(); err != nil {
		panic(err) // writes to a bytes.Buffer do not fail
	}
	return buf.Bytes()
}

// frameMin is the smallest sample for picture i (0 = IDR) of a segment.
func (s *avcStream) frameMin(i, seg int) int {
	if i == 0 {
		return 4 + len(s.idr[seg%2])
	}
	return 4 + len(s.p[i%len(s.p)])
}

// putFrame writes picture i of segment seg, padded to exactly size bytes
// (size-frameMin must be 0 or at least nalFillerMin), into dst.
func (s *avcStream) putFrame(dst []byte, i, seg, size int) {
	var slice []byte
	if i == 0 {
		slice = s.idr[seg%2]
	} else {
		slice = s.p[i%len(s.p)]
	}
	n := putNALU(dst, slice)
	if pad := size - n; pad > 0 {
		putFiller(dst[n:], pad)
	}
}

func putNALU(dst, nal []byte) int {
	putU32(dst, uint32(len(nal)))
	return 4 + copy(dst[4:], nal)
}

// putFiller writes a length-prefixed filler-data NAL unit of exactly n bytes.
func putFiller(dst []byte, n int) {
	putU32(dst, uint32(n-4))
	dst[4] = 0x0c
	for fill := dst[5 : n-1]; len(fill) > 0; {
		fill = fill[copy(fill, ones):]
	}
	dst[n-1] = 0x80
}

// ones is a block of 0xff bytes for filler payloads.
var ones = bytes.Repeat([]byte{0xff}, 32<<10)

func putU32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
}
