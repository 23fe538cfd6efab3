package player

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/abrkit/abrkit/internal/drmtest"
)

// BenchmarkDecryptCENC decrypts one 1 s 160x90 H.264 segment (cenc and
// cbcs, ffmpeg-made, encrypted with mp4ff) as the player does before the
// Decoder: parse, decrypt, check the first slice, re-encode.
func BenchmarkDecryptCENC(b *testing.B) {
	for _, scheme := range []string{"cenc", "cbcs"} {
		b.Run(scheme, func(b *testing.B) {
			dir := drmtest.CENCDASH(b, scheme)
			init, err := os.ReadFile(filepath.Join(dir, "init.mp4"))
			if err != nil {
				b.Fatal(err)
			}
			seg, err := os.ReadFile(filepath.Join(dir, "seg-1.m4s"))
			if err != nil {
				b.Fatal(err)
			}
			_, ct, err := cencInit(context.Background(), init, (&Keys{ByKID: map[[16]byte][]byte{
				{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}: {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff},
			}}).RequestLicense)
			if err != nil || ct == nil {
				b.Fatalf("init: %v", err)
			}
			b.SetBytes(int64(len(seg)))
			b.ResetTimer()
			for range b.N {
				if _, err := ct.decrypt(seg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecryptAES128 decrypts a 1 MiB HLS AES-128 segment.
func BenchmarkDecryptAES128(b *testing.B) {
	key, iv := []byte("0123456789abcdef"), make([]byte, 16)
	clear := make([]byte, 1<<20)
	for i := 0; i < len(clear); i += 188 {
		clear[i] = 0x47
	}
	enc := drmtest.EncryptCBC(key, iv, clear)
	b.SetBytes(int64(len(enc)))
	for range b.N {
		if _, err := decryptAES128(enc, key, iv); err != nil {
			b.Fatal(err)
		}
	}
}
