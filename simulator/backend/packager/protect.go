package packager

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"

	"github.com/Eyevinn/mp4ff/mp4"
)

// Encryption is a title's content protection.
type Encryption string

// Encryption schemes.
const (
	// Clear: no protection.
	Clear Encryption = ""
	// AES128 is HLS whole-segment AES-128-CBC with PKCS7 padding (RFC 8216
	// METHOD=AES-128): media segments are encrypted, init segments stay
	// clear (EXT-X-MAP comes before EXT-X-KEY). The title has no DASH MPD.
	AES128 Encryption = "aes-128"
	// CENC is ISO/IEC 23001-7 'cenc' (AES-CTR, subsample encryption of
	// video, whole-sample of audio) with a W3C ClearKey pssh and DASH
	// ContentProtection. The title has no HLS playlists.
	CENC Encryption = "cenc"
	// CBCS is ISO/IEC 23001-7 'cbcs' (AES-CBC with a constant IV; video
	// in the 1:9 block pattern, audio whole samples), for both HLS
	// (METHOD=SAMPLE-AES, KEYFORMAT="identity") and DASH (ClearKey).
	CBCS Encryption = "cbcs"
)

// Encryptions lists the schemes a catalog may name.
var Encryptions = []Encryption{AES128, CENC, CBCS}

// common reports whether e is a Common Encryption scheme (cenc, cbcs).
func (e Encryption) common() bool { return e == CENC || e == CBCS }

// DRM system and scheme identifiers written in manifests and init segments.
const (
	// ClearKeySystemID is the DASH-IF ClearKey system id of the MPD's
	// ContentProtection element.
	ClearKeySystemID = "e2719d58-a985-b3c9-781a-b030af78d30e"
	// CommonPSSHSystemID is the W3C common PSSH system id ('cenc' init
	// data, key ids only) of the init segment's pssh box.
	CommonPSSHSystemID = "1077efec-c0b2-4d02-ace3-3c1e52e2fb4b"
	// MP4ProtectionScheme is the MPD scheme that announces the scheme and
	// default key id.
	MP4ProtectionScheme = "urn:mpeg:dash:mp4protection:2011"
)

// Protection is what an encrypted title is packaged with: one content
// key for all renditions and the URLs manifests announce. Keys are
// secrets: the reference backend derives them from its master key, and
// [NewProtection] makes random ones.
type Protection struct {
	KID [16]byte // key id (tenc, pssh, MPD default_KID)
	Key [16]byte // AES-128 content key
	// IV is the HLS EXT-X-KEY IV and the cbcs constant IV; for cenc its
	// first 8 bytes seed the per-sample IVs (with the rendition and sample
	// index added).
	IV [16]byte
	// KeyURI is the HLS EXT-X-KEY URI (an absolute URL of the key server).
	KeyURI string
	// LicenseURL is the ClearKey license server of the DASH MPD
	// (dashif:laurl and clearkey:Laurl); empty: none announced.
	LicenseURL string
}

// NewProtection returns a protection with a random key, key id and IV.
func NewProtection(keyURI, licenseURL string) *Protection {
	p := &Protection{KeyURI: keyURI, LicenseURL: licenseURL}
	for _, b := range [][]byte{p.KID[:], p.Key[:], p.IV[:]} {
		_, _ = rand.Read(b)
	}
	return p
}

// KIDString is the key id as a UUID ("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx").
func (p *Protection) KIDString() string { return uuidString(p.KID) }

func uuidString(b [16]byte) string {
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func validEncryption(e Encryption) bool {
	switch e {
	case Clear, AES128, CENC, CBCS:
		return true
	}
	return false
}

// HasHLS and HasDASH say which manifests a title protected with e has:
// an AES-128 title no DASH MPD, a CENC title no HLS playlists.
func (e Encryption) HasHLS() bool  { return e != CENC }
func (e Encryption) HasDASH() bool { return e != AES128 }

// aesPaddedSize is the size of n bytes after AES-CBC with PKCS7 padding.
func aesPaddedSize(n int64) int64 { return (n/aes.BlockSize + 1) * aes.BlockSize }

// encryptAES128 encrypts a whole segment with AES-128-CBC and PKCS7
// padding, in place when plain has the capacity for the padding.
func encryptAES128(key, iv [16]byte, plain []byte) []byte {
	block, err := aes.NewCipher(key[:])
	if err != nil {
		panic(err) // 16-byte keys are valid
	}
	n := int(aesPaddedSize(int64(len(plain))))
	var out []byte
	if cap(plain) >= n {
		out = plain[:n]
	} else {
		out = make([]byte, n)
		copy(out, plain)
	}
	pad := byte(n - len(plain))
	for i := len(plain); i < n; i++ {
		out[i] = pad
	}
	cipher.NewCBCEncrypter(block, iv[:]).CryptBlocks(out, out)
	return out
}

// protectInit adds sinf/tenc (and a common pssh) to an init segment.
func (pr *Protection) protectInit(init *mp4.InitSegment, scheme Encryption) error {
	kid := mp4.UUID(pr.KID[:])
	pssh := &mp4.PsshBox{Version: 1, KIDs: []mp4.UUID{kid}}
	sys, err := mp4.NewUUIDFromString(CommonPSSHSystemID)
	if err != nil {
		return err
	}
	pssh.SystemID = sys
	iv := pr.IV[:]
	if scheme == CENC {
		iv = iv[:cencIVSize]
	}
	_, err = mp4.InitProtect(init, pr.Key[:], iv, string(scheme), kid, []*mp4.PsshBox{pssh})
	return err
}

// Sample auxiliary information of a cenc segment: an 8-byte IV per sample
// (cbcs: none, the constant IV is in tenc); video samples have exactly two
// subsamples (the slice NAL unit, then the filler NAL unit, {0, 0} when a
// picture has no filler), so that box sizes depend only on the sample
// count and sizes can be planned. cbcs audio has no auxiliary
// information at all (whole samples, constant IV), so no senc, saiz or
// saio, as CMAF recommends.
const (
	cencIVSize        = 8
	videoSubsamples   = 2
	cencMinClearBytes = 96 // a slice keeps its header (and more) in the clear
)

// cencBoxes adds empty-valued senc, saiz and saio boxes for n samples to
// a fragment's traf (their sizes are final; values are set by
// protectSamples).
func cencBoxes(frag *mp4.Fragment, scheme Encryption, video bool, n int) {
	if scheme == CBCS && !video {
		return
	}
	traf := frag.Moof.Traf
	saiz := mp4.NewSaizBox(0)
	saio := mp4.NewSaioBox()
	senc := mp4.NewSencBox(n, n)
	var subs []mp4.SubSamplePattern
	if video {
		subs = make([]mp4.SubSamplePattern, videoSubsamples)
	}
	var iv []byte
	if scheme == CENC {
		iv = make([]byte, cencIVSize)
	}
	for i := 0; i < n; i++ {
		_ = senc.AddSample(mp4.SencSample{IV: iv, SubSamples: subs})
		_ = saiz.AddSampleInfo(iv, subs)
	}
	_ = traf.AddChild(saiz)
	_ = traf.AddChild(saio)
	_ = traf.AddChild(senc)
}

// cencIV is the per-sample IV of sample index idx (counted over the
// title) of rendition rend: unique per rendition and sample under one key.
func (pr *Protection) cencIV(rend int, idx uint64) []byte {
	v := binary.BigEndian.Uint64(pr.IV[:8]) ^ (uint64(rend)<<48 | idx&(1<<48-1))
	iv := make([]byte, cencIVSize)
	binary.BigEndian.PutUint64(iv, v)
	return iv
}

// videoRanges are the two subsamples of a picture: its slice NAL unit
// (header and the first cencMinClearBytes or so clear, then whole blocks
// protected) and its filler NAL unit (length, type and the bytes short of
// a whole block clear, then whole blocks protected), so that every
// protected range is a multiple of 16 bytes, as CENC asks of video.
func videoRanges(sliceNALU, size int) []mp4.SubSamplePattern {
	n := 4 + sliceNALU
	prot := 0
	if n >= cencMinClearBytes+16 {
		prot = (n - cencMinClearBytes) &^ 15
	}
	out := []mp4.SubSamplePattern{{BytesOfClearData: uint16(n - prot), BytesOfProtectedData: uint32(prot)}, {}}
	if fill := size - n; fill > 0 {
		prot := (fill - 5) &^ 15
		out[1] = mp4.SubSamplePattern{BytesOfClearData: uint16(fill - prot), BytesOfProtectedData: uint32(prot)}
	}
	return out
}

// protectSamples encrypts the samples of a rendered CENC fragment in
// place (data is the mdat payload, sample after sample), fills senc and
// saiz and points saio at the senc data. first is the title-wide index of
// the fragment's first sample; sliceSize gives picture i's slice NAL unit
// size for video (nil for audio).
func (pr *Protection) protectSamples(frag *mp4.Fragment, scheme Encryption, data []byte, ss []mp4.Sample, rend int, first uint64, sliceSize func(i int) int) error {
	if scheme == CBCS {
		return pr.protectCBCS(frag, data, ss, sliceSize)
	}
	traf := frag.Moof.Traf
	senc, saiz, saio := traf.Senc, traf.Saiz, traf.Saio
	if senc == nil || saiz == nil || saio == nil {
		return fmt.Errorf("fragment %d: no senc, saiz or saio", frag.Moof.Mfhd.SequenceNumber)
	}
	senc.IVs = senc.IVs[:0]
	senc.SubSamples = senc.SubSamples[:0]
	senc.SampleCount = 0
	*saiz = *mp4.NewSaizBox(0)
	pos := 0
	for i, s := range ss {
		sample := data[pos : pos+int(s.Size)]
		pos += int(s.Size)
		iv := pr.cencIV(rend, first+uint64(i))
		var subs []mp4.SubSamplePattern
		if sliceSize != nil {
			subs = videoRanges(sliceSize(i), int(s.Size))
		}
		ctr := make([]byte, 16)
		copy(ctr, iv)
		if err := mp4.CryptSampleCenc(sample, pr.Key[:], ctr, subs); err != nil {
			return err
		}
		if err := senc.AddSample(mp4.SencSample{IV: iv, SubSamples: subs}); err != nil {
			return err
		}
		if err := saiz.AddSampleInfo(iv, subs); err != nil {
			return err
		}
	}
	pointSaio(frag)
	return nil
}

// cbcsTenc holds the patterns of InitProtect's cbcs tenc: 1:9 for video,
// whole blocks for audio.
var (
	cbcsVideoTenc = &mp4.TencBox{DefaultCryptByteBlock: 1, DefaultSkipByteBlock: 9}
	cbcsAudioTenc = &mp4.TencBox{}
)

// protectCBCS encrypts the samples of a cbcs fragment in place; video
// samples get their subsamples in senc and saiz.
func (pr *Protection) protectCBCS(frag *mp4.Fragment, data []byte, ss []mp4.Sample, sliceSize func(i int) int) error {
	traf := frag.Moof.Traf
	tenc := cbcsAudioTenc
	if sliceSize != nil {
		tenc = cbcsVideoTenc
		if traf.Senc == nil || traf.Saiz == nil || traf.Saio == nil {
			return fmt.Errorf("fragment %d: no senc, saiz or saio", frag.Moof.Mfhd.SequenceNumber)
		}
		traf.Senc.SubSamples = traf.Senc.SubSamples[:0]
		traf.Senc.SampleCount = 0
		*traf.Saiz = *mp4.NewSaizBox(0)
	}
	pos := 0
	for i, s := range ss {
		sample := data[pos : pos+int(s.Size)]
		pos += int(s.Size)
		var subs []mp4.SubSamplePattern
		if sliceSize != nil {
			subs = videoRanges(sliceSize(i), int(s.Size))
		}
		if err := mp4.EncryptSampleCbcs(sample, pr.Key[:], pr.IV[:], subs, tenc); err != nil {
			return err
		}
		if sliceSize != nil {
			if err := traf.Senc.AddSample(mp4.SencSample{SubSamples: subs}); err != nil {
				return err
			}
			if err := traf.Saiz.AddSampleInfo(nil, subs); err != nil {
				return err
			}
		}
	}
	if sliceSize != nil {
		pointSaio(frag)
	}
	return nil
}

// pointSaio points saio from the moof's start at the senc's first sample
// entry.
func pointSaio(frag *mp4.Fragment) {
	traf := frag.Moof.Traf
	senc, saio := traf.Senc, traf.Saio
	offset := uint64(8) + frag.Moof.Mfhd.Size() + 8
	for _, c := range traf.Children {
		if c == mp4.Box(senc) {
			break
		}
		offset += c.Size()
	}
	saio.Offset[0] = int64(offset + 16) // senc full-box header and sample count
}
