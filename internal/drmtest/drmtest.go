// Package drmtest makes encrypted test media from ffmpeg output and
// answers ClearKey license requests, for the tests of the player, the
// downloads and the CLI.
package drmtest

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/Eyevinn/mp4ff/mp4"
	"github.com/abrkit/abrkit/internal/ffmpegtest"
)

// The content key and key ID of CENCDASH, hex; KID64 and Key64 are them
// in base64url, as ClearKey licenses give them.
const (
	KeyHex = "00112233445566778899aabbccddeeff"
	KIDHex = "0123456789abcdef0123456789abcdef"
	KID64  = "ASNFZ4mrze8BI0VniavN7w"
	Key64  = "ABEiM0RVZneImaq7zN3u_w"
)

func writeFile(t testing.TB, p string, b []byte) {
	t.Helper()
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// FFmpeg runs ffmpeg in dir on 4 s of a 160x90 test picture at 10 fps
// (H.264, a keyframe a second) and a sine (AAC), then args; it skips the
// test without ffmpeg.
func FFmpeg(t testing.TB, dir string, args ...string) {
	t.Helper()
	ffmpegtest.Run(t, dir, append([]string{"-f", "lavfi", "-i", "testsrc=size=160x90:rate=10", "-f", "lavfi", "-i", "sine", "-t", "4",
		"-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-c:a", "aac"}, args...)...)
}

// CENCDASH makes ClearKey DASH in scheme (cenc or cbcs): ffmpeg's
// fragmented MP4 (1 s fragments) encrypted with mp4ff, cut into an init
// segment and one file per fragment under a SegmentTemplate. (ffmpeg 5's
// own cenc-aes-ctr writes the senc boxes of fragmented output into the
// moov rather than each moof, so no player can decrypt it.)
func CENCDASH(t testing.TB, scheme string) string {
	dir := t.TempDir()
	FFmpeg(t, dir, "-an", "-movflags", "frag_keyframe+empty_moov+default_base_moof", "-f", "mp4", "v.mp4")
	b, err := os.ReadFile(filepath.Join(dir, "v.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := mp4.DecodeFile(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	key := mustHex(KeyHex)
	kid := mustHex(KIDHex)
	iv := []byte("0123456789abcdef")
	if scheme == "cenc" {
		iv = iv[:8]
	}
	ipd, err := mp4.InitProtect(f.Init, key, iv, scheme, mp4.UUID(kid), nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Init.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "init.mp4"), buf.Bytes())
	n := 0
	for _, s := range f.Segments {
		for _, frag := range s.Fragments {
			if iv, err = mp4.EncryptFragment(frag, key, iv, ipd); err != nil {
				t.Fatal(err)
			}
			buf.Reset()
			if err := frag.Encode(&buf); err != nil {
				t.Fatal(err)
			}
			n++
			writeFile(t, filepath.Join(dir, fmt.Sprintf("seg-%d.m4s", n)), buf.Bytes())
		}
	}
	if n != 4 {
		t.Fatalf("ffmpeg made %d fragments; want 4", n)
	}
	writeFile(t, filepath.Join(dir, "main.mpd"), []byte(`<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" xmlns:cenc="urn:mpeg:cenc:2013" xmlns:dashif="https://dashif.org/CPS" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static" mediaPresentationDuration="PT4S" minBufferTime="PT2S">
 <Period id="0" start="PT0S">
  <AdaptationSet id="0" contentType="video" mimeType="video/mp4" segmentAlignment="true">
   <ContentProtection schemeIdUri="urn:mpeg:dash:mp4protection:2011" value="`+scheme+`" cenc:default_KID="01234567-89ab-cdef-0123-456789abcdef"/>
   <ContentProtection schemeIdUri="urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e" value="ClearKey1.0"><dashif:Laurl>license</dashif:Laurl></ContentProtection>
   <Representation id="v" codecs="avc1.f4000a" bandwidth="100000" width="160" height="90">
    <SegmentTemplate timescale="1" duration="1" startNumber="1" initialization="init.mp4" media="seg-$Number$.m4s"/>
   </Representation>
  </AdaptationSet>
 </Period>
</MPD>
`))
	return dir
}

// ClearKeyServer answers W3C ClearKey license requests (POST, a body
// with "kids") with keys, base64url key ID to base64url key, counting
// the requests.
func ClearKeyServer(keys map[string]string, requests *atomic.Int32) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		var body bytes.Buffer
		if _, err := body.ReadFrom(http.MaxBytesReader(w, r.Body, 4096)); err != nil || r.Method != http.MethodPost {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		kids := regexp.MustCompile(`"kids":\["([^"]+)"`).FindStringSubmatch(body.String())
		if kids == nil {
			http.Error(w, "no kids", http.StatusBadRequest)
			return
		}
		var out []string
		for kid, k := range keys {
			out = append(out, fmt.Sprintf(`{"kty":"oct","kid":%q,"k":%q}`, kid, k))
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"keys":[%s],"type":"temporary"}`, strings.Join(out, ","))
	})
}

func mustHex(s string) []byte {
	var b []byte
	if _, err := fmt.Sscanf(s, "%x", &b); err != nil {
		panic(err)
	}
	return b
}

// AESHLS makes AES-128 TS HLS with ffmpeg (-hls_key_info_file, video
// only): main.m3u8, segments main_N.ts, the key (KeyHex) at key.bin and,
// when iv is not "", that IV (32 hex digits) in the EXT-X-KEY tag.
func AESHLS(t testing.TB, iv string) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "key.bin"), mustHex(KeyHex))
	writeFile(t, filepath.Join(dir, "keyinfo"), []byte("key.bin\n"+filepath.Join(dir, "key.bin")+"\n"+iv+"\n"))
	FFmpeg(t, dir, "-an", "-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod", "-hls_key_info_file", "keyinfo",
		"-hls_segment_filename", "main_%d.ts", "main.m3u8")
	return dir
}

// EncryptCBC is HLS AES-128 encryption: AES-128-CBC with PKCS#7 padding.
func EncryptCBC(key, iv, clear []byte) []byte {
	pad := aes.BlockSize - len(clear)%aes.BlockSize
	b := append(bytes.Clone(clear), bytes.Repeat([]byte{byte(pad)}, pad)...)
	c, err := aes.NewCipher(key)
	if err != nil {
		panic(err)
	}
	cipher.NewCBCEncrypter(c, iv).CryptBlocks(b, b)
	return b
}
