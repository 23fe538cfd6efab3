package player_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/internal/drmtest"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/manifest"
)

const testKeyHex = drmtest.KeyHex

// aesFMP4HLS makes fMP4 HLS with ffmpeg (which cannot encrypt fMP4 HLS
// itself) and encrypts its media segments as RFC 8216 says: AES-128-CBC,
// PKCS#7, the IV the media sequence number (no IV attribute).
func aesFMP4HLS(t *testing.T) string {
	dir := t.TempDir()
	drmtest.FFmpeg(t, dir, "-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod", "-hls_segment_type", "fmp4", "main.m3u8")
	key, _ := hex.DecodeString(testKeyHex)
	write(t, filepath.Join(dir, "key.bin"), key)
	pl, err := os.ReadFile(filepath.Join(dir, "main.m3u8"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	seq := uint64(0)
	keyed := false
	for _, line := range strings.Split(string(pl), "\n") {
		if v, ok := strings.CutPrefix(line, "#EXT-X-MEDIA-SEQUENCE:"); ok {
			seq, _ = strconv.ParseUint(v, 10, 64)
		}
		if strings.HasPrefix(line, "#EXTINF") && !keyed {
			out, keyed = append(out, `#EXT-X-KEY:METHOD=AES-128,URI="key.bin"`), true
		}
		if line != "" && !strings.HasPrefix(line, "#") {
			p := filepath.Join(dir, line)
			clear, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			iv := make([]byte, 16)
			for i := 0; i < 8; i++ {
				iv[15-i] = byte(seq >> (8 * i))
			}
			write(t, p, drmtest.EncryptCBC(key, iv, clear))
			seq++
		}
		out = append(out, line)
	}
	write(t, filepath.Join(dir, "main.m3u8"), []byte(strings.Join(out, "\n")))
	return dir
}

func write(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// countingServer serves dir and counts the requests of each path.
type countingServer struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string]int
}

func serveCounting(t *testing.T, dir string, extra http.Handler) *countingServer {
	cs := &countingServer{hits: map[string]int{}}
	fs := http.FileServer(http.Dir(dir))
	cs.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cs.mu.Lock()
		cs.hits[r.URL.Path]++
		cs.mu.Unlock()
		if extra != nil && strings.HasPrefix(r.URL.Path, "/license") {
			extra.ServeHTTP(w, r)
			return
		}
		fs.ServeHTTP(w, r)
	}))
	cs.Config.ReadTimeout, cs.Config.WriteTimeout = 10*time.Second, 10*time.Second
	cs.Start()
	t.Cleanup(cs.Close)
	return cs
}

func (cs *countingServer) count(path string) int {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.hits[path]
}

// recorder is a Decoder keeping what it was given.
type recorder struct {
	mu    sync.Mutex
	inits [][]byte
	media [][]byte
}

func (r *recorder) Decode(m player.Media) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if m.Init {
		r.inits = append(r.inits, bytes.Clone(m.Data))
	} else {
		r.media = append(r.media, bytes.Clone(m.Data))
	}
	return nil
}

func playDRM(t *testing.T, url string, opts ...player.Option) (*recorder, *player.Player, error) {
	t.Helper()
	rec := &recorder{}
	p, err := player.New(append([]player.Option{player.WithClock(clock.NewScaled(8)), player.WithDecoder(rec)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.Load(ctx, url); err != nil {
		return rec, p, err
	}
	return rec, p, p.Wait(ctx)
}

// TestAES128HLSFromFFmpeg plays AES-128 HLS (TS from ffmpeg's
// -hls_key_info_file with an IV attribute; fMP4 with the IV from the
// sequence number): the decoder gets clear media, the key URI is fetched
// once, and a wrong key ends the session with a fatal drm error.
func TestAES128HLSFromFFmpeg(t *testing.T) {
	tests := []struct {
		name  string
		make  func(*testing.T) string
		clear func([]byte) bool
	}{
		{"ts", func(t *testing.T) string { return drmtest.AESHLS(t, "0f0e0d0c0b0a09080706050403020100") }, func(b []byte) bool { return len(b)%188 == 0 && b[0] == 0x47 && b[188] == 0x47 }},
		{"fmp4", aesFMP4HLS, func(b []byte) bool {
			return bytes.Contains(b[:64], []byte("moof")) || bytes.Contains(b[:64], []byte("styp"))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.make(t)
			srv := serveCounting(t, dir, nil)
			rec, _, err := playDRM(t, srv.URL+"/main.m3u8")
			if err != nil {
				t.Fatalf("play: %v", err)
			}
			if len(rec.media) < 4 {
				t.Fatalf("decoded %d segments; want 4", len(rec.media))
			}
			for i, m := range rec.media {
				if !tt.clear(m) {
					t.Errorf("segment %d is not clear media: % x", i, m[:16])
				}
			}
			if n := srv.count("/key.bin"); n != 1 {
				t.Errorf("key fetched %d times; want once", n)
			}

			// the app's key loader, with a wrong key
			var asked atomic.Int32
			wrong := player.KeyLoaderFunc(func(_ context.Context, uri string) ([]byte, error) {
				asked.Add(1)
				return []byte("0123456789abcdef"), nil
			})
			_, _, err = playDRM(t, srv.URL+"/main.m3u8", player.WithKeyLoader(wrong))
			checkDRMError(t, err, player.ErrKey)
			if asked.Load() != 1 {
				t.Errorf("key loader asked %d times; want 1", asked.Load())
			}
		})
	}
}

func checkDRMError(t *testing.T, err, want error) {
	t.Helper()
	var pe *player.PlaybackError
	if !errors.As(err, &pe) || pe.Category != player.ErrDRM || !pe.Fatal || !errors.Is(err, want) {
		t.Fatalf("err = %v; want a fatal drm PlaybackError wrapping %v", err, want)
	}
}

// TestClearKeyCENCDASHFromFFmpeg plays ffmpeg-made DASH encrypted in
// cenc and cbcs with ClearKey: one license request for the key ID, clear init segments
// (no encv/enca) and media to the decoder; a license without the key ID
// is a fatal drm error. (A wrong key for the right key ID cannot be told
// here: mp4ff leaves H.264 slice headers clear, the only part the player
// checks.)
func TestClearKeyCENCDASHFromFFmpeg(t *testing.T) {
	for _, scheme := range []string{"cenc", "cbcs"} {
		t.Run(scheme, func(t *testing.T) { testClearKeyDASH(t, drmtest.CENCDASH(t, scheme)) })
	}
}

func testClearKeyDASH(t *testing.T, dir string) {
	const kid64, key64 = drmtest.KID64, drmtest.Key64
	tests := []struct {
		name string
		keys map[string]string
		want error
	}{
		{"right key", map[string]string{kid64: key64}, nil},
		{"no key for the key ID", map[string]string{"AAAAAAAAAAAAAAAAAAAAAA": key64}, player.ErrNoKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var licenses atomic.Int32
			srv := serveCounting(t, dir, drmtest.ClearKeyServer(tt.keys, &licenses))
			rec, _, err := playDRM(t, srv.URL+"/main.mpd") // the license URL from the MPD's dashif:Laurl
			if tt.want != nil {
				checkDRMError(t, err, tt.want)
				return
			}
			if err != nil {
				t.Fatalf("play: %v", err)
			}
			if n := licenses.Load(); n != 1 {
				t.Errorf("%d license requests; want 1", n)
			}
			if len(rec.inits) == 0 || len(rec.media) < 4 {
				t.Fatalf("decoded %d inits, %d segments", len(rec.inits), len(rec.media))
			}
			for _, b := range rec.inits {
				info, err := manifest.ParseInit(b)
				if err != nil {
					t.Fatal(err)
				}
				for _, tr := range info.Tracks {
					if tr.Encrypted {
						t.Errorf("init track %d still encrypted", tr.ID)
					}
				}
			}
		})
	}
}

// TestSampleAESSignalled: SAMPLE-AES is parsed and reported (the
// segment's key method) but not decrypted: playing it fails at once with
// a fatal drm error wrapping ErrDRMUnsupported.
func TestSampleAESSignalled(t *testing.T) {
	dir := drmtest.AESHLS(t, "")
	pl, err := os.ReadFile(filepath.Join(dir, "main.m3u8"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "main.m3u8"), bytes.ReplaceAll(pl, []byte("METHOD=AES-128"), []byte("METHOD=SAMPLE-AES")))
	srv := serveCounting(t, dir, nil)
	_, p, err := playDRM(t, srv.URL+"/main.m3u8")
	checkDRMError(t, err, player.ErrDRMUnsupported)
	if pres := p.Presentation(); pres == nil {
		t.Fatal("no presentation")
	} else if k := pres.Periods[0].Sets[0].Renditions[0].Segments[0].Key; k == nil || k.Method != "SAMPLE-AES" {
		t.Errorf("segment key %+v; want SAMPLE-AES", k)
	}
}
