package backend

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/abrkit/abrkit/internal/ffmpegtest"
	"github.com/abrkit/abrkit/simulator/backend/control"
	"github.com/abrkit/abrkit/simulator/backend/signing"
	"github.com/abrkit/abrkit/simulator/backend/topology"
)

func protectedTopology(t *testing.T) *topology.Topology {
	return smallTopology(t, func(tp *topology.Topology) {
		tp.Catalog.Titles = []topology.Title{
			{ID: "hls", Duration: 6e9, SegmentDuration: 2e9, LadderKbps: []int{300}, Encryption: "aes-128"},
			{ID: "dash", Duration: 6e9, SegmentDuration: 2e9, LadderKbps: []int{300}, Encryption: "cenc"},
			{ID: "both", Duration: 6e9, SegmentDuration: 2e9, LadderKbps: []int{300}, Encryption: "cbcs"},
		}
	})
}

// ffmpegRun is ffmpegtest.Output as text.
func ffmpegRun(args ...string) (string, error) {
	out, err := ffmpegtest.Output(args...)
	return string(out), err
}

// frameCount counts the frame lines of framemd5 output.
func frameCount(out string) int {
	n := 0
	for _, l := range strings.Split(out, "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			n++
		}
	}
	return n
}

// TestProtectedTitlesPlay serves an AES-128 HLS title and a ClearKey CENC
// DASH title from the backend: the playback API names the key server;
// ffmpeg plays the HLS title through an edge, fetching the key URI with
// the viewer's token (and fails without it); the CENC title's license,
// asked with the MPD's key id, decrypts its segments in ffmpeg.
func TestProtectedTitlesPlay(t *testing.T) {
	ffmpegtest.Need(t)
	h := start(t, protectedTopology(t), nil)
	tok := h.login()
	gw := h.b.GatewayURL()

	resp, body := h.do("GET", gw+"/v1/titles", "", "")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"id":"hls","duration_s":6,"hls":true,"dash":false,"live":false,"encryption":"aes-128"`) {
		t.Errorf("titles = %d %s", resp.StatusCode, body)
	}

	code, pr := h.play("hls")
	if code != 200 || pr.Encryption != "aes-128" || pr.KeyURL != gw+control.KeyPath("hls") || pr.DASH != "" || pr.HLS == "" {
		t.Fatalf("play hls = %d %+v", code, pr)
	}
	_, pl := h.do("GET", strings.TrimSuffix(pr.HLS, "master.m3u8")+"v300/media.m3u8", "", "")
	if want := `#EXT-X-KEY:METHOD=AES-128,URI="` + pr.KeyURL + `",IV=0x`; !strings.Contains(string(pl), want) {
		t.Fatalf("media playlist lacks %s:\n%s", want, pl)
	}
	out, err := ffmpegRun("-headers", "Authorization: Bearer "+tok+"\r\n", "-i", pr.HLS, "-f", "framemd5", "-")
	if err != nil {
		t.Fatalf("ffmpeg plays the AES-128 title: %v", err)
	}
	if n := frameCount(out); n != 150+281 { // 6 s: 150 pictures at 25 fps, 281 AAC frames at 48 kHz
		t.Errorf("ffmpeg decoded %d frames; want %d", n, 150+281)
	}
	if _, err := ffmpegRun("-i", pr.HLS, "-f", "framemd5", "-"); err == nil {
		t.Error("ffmpeg played the AES-128 title without a token")
	}

	code, pr = h.play("dash")
	if code != 200 || pr.Encryption != "cenc" || pr.LicenseURL != gw+control.LicensePath("dash") || pr.HLS != "" || len(pr.KeyIDs) != 1 {
		t.Fatalf("play dash = %d %+v", code, pr)
	}
	playCommon(t, h, tok, pr)

	code, pr = h.play("both")
	if code != 200 || pr.Encryption != "cbcs" || pr.LicenseURL != gw+control.LicensePath("both") || pr.KeyURL != gw+control.KeyPath("both") ||
		pr.HLS == "" || pr.DASH == "" || len(pr.KeyIDs) != 1 {
		t.Fatalf("play both = %d %+v", code, pr)
	}
	_, pl = h.do("GET", strings.TrimSuffix(pr.HLS, "master.m3u8")+"v300/media.m3u8", "", "")
	if want := `#EXT-X-KEY:METHOD=SAMPLE-AES,URI="` + pr.KeyURL + `",KEYFORMAT="identity",IV=0x`; !strings.Contains(string(pl), want) {
		t.Fatalf("media playlist lacks %s:\n%s", want, pl)
	}
	resp, body = h.do("GET", pr.KeyURL, tok, "")
	if resp.StatusCode != 200 || len(body) != 16 {
		t.Fatalf("cbcs HLS key = %d, %d bytes", resp.StatusCode, len(body))
	}
	if out, err := ffmpegRun("-headers", "Authorization: Bearer "+tok+"\r\n", "-i", pr.HLS, "-f", "framemd5", "-"); err != nil || frameCount(out) != 150+281 {
		t.Errorf("ffmpeg plays the SAMPLE-AES title: %d frames, %v", frameCount(out), err)
	}
	if k := playCommon(t, h, tok, pr); !bytes.Equal(k, body) {
		t.Errorf("the HLS key %x differs from the license's %x", body, k)
	}
}

// playCommon checks a cenc or cbcs title: the MPD names the license
// server, a license needs the token, and the license's key decrypts every
// segment in ffmpeg (a wrong key does not). It returns the key.
func playCommon(t *testing.T, h *harness, tok string, pr control.PlayResponse) []byte {
	t.Helper()
	_, mpd := h.do("GET", pr.DASH, "", "")
	for _, want := range []string{"<dashif:laurl>" + pr.LicenseURL + "</dashif:laurl>", `value="` + pr.Encryption + `" cenc:default_KID="`} {
		if !strings.Contains(string(mpd), want) {
			t.Fatalf("MPD lacks %s:\n%s", want, mpd)
		}
	}
	kid, _ := hex.DecodeString(pr.KeyIDs[0])
	lic := fmt.Sprintf(`{"kids":[%q],"type":"temporary"}`, base64.RawURLEncoding.EncodeToString(kid))
	if resp, _ := h.do("POST", pr.LicenseURL, "", lic); resp.StatusCode != 401 {
		t.Errorf("license without a token = %d; want 401", resp.StatusCode)
	}
	resp, body := h.do("POST", pr.LicenseURL, tok, lic)
	var lr control.LicenseResponse
	if resp.StatusCode != 200 || json.Unmarshal(body, &lr) != nil || len(lr.Keys) != 1 {
		t.Fatalf("license = %d %s", resp.StatusCode, body)
	}
	key, err := base64.RawURLEncoding.DecodeString(lr.Keys[0].K)
	if err != nil || len(key) != 16 {
		t.Fatalf("license key %q: %v", lr.Keys[0].K, err)
	}
	base := strings.TrimSuffix(pr.DASH, "manifest.mpd")
	dir := t.TempDir()
	for _, rend := range []string{"v300", "a128"} {
		_, init := h.do("GET", base+rend+"/init.mp4", "", "")
		for seg := 1; seg <= 3; seg++ {
			_, media := h.do("GET", base+rend+fmt.Sprintf("/seg_%d.m4s", seg), "", "")
			path := filepath.Join(dir, fmt.Sprintf("%s_%d.mp4", rend, seg))
			if err := os.WriteFile(path, append(append([]byte(nil), init...), media...), 0o644); err != nil {
				t.Fatal(err)
			}
			if out, err := ffmpegRun("-decryption_key", hex.EncodeToString(key), "-i", path, "-f", "framemd5", "-"); err != nil || frameCount(out) == 0 {
				t.Errorf("%s seg %d: ffmpeg with the license's key: %v", rend, seg, err)
			}
			if seg == 1 && rend == "v300" {
				wrong := bytes.Clone(key)
				wrong[0] ^= 1
				if _, err := ffmpegRun("-decryption_key", hex.EncodeToString(wrong), "-i", path, "-f", "framemd5", "-"); err == nil {
					t.Errorf("%s seg %d: ffmpeg decodes with a wrong key", rend, seg)
				}
			}
		}
	}
	return key
}

// TestPlayMarksHTTP3Edges checks that edges serving HTTPS and HTTP/3
// (Options.TLS) are marked h3 in the playback API, and plain edges not.
func TestPlayMarksHTTP3Edges(t *testing.T) {
	for _, tls := range []bool{false, true} {
		h := startWith(t, smallTopology(t, nil), Options{TLS: tls})
		h.login()
		code, pr := h.play("t1")
		if code != 200 || len(pr.Edges) == 0 {
			t.Fatalf("tls=%v: play = %d %+v", tls, code, pr)
		}
		for _, e := range pr.Edges {
			want := "http/1.1"
			if tls {
				want = "h3,h2,http/1.1"
			}
			if got := strings.Join(e.Protocols, ","); got != want || e.H3 != tls {
				t.Errorf("tls=%v: edge %s protocols %s h3 %v; want %s", tls, e.ID, got, e.H3, want)
			}
		}
	}
}

// TestNewSourceKeyServer checks the separate-process origin's source:
// encrypted titles name the key server given, with keys derived from the
// master key, and fail to package without a key server.
func TestNewSourceKeyServer(t *testing.T) {
	tp := protectedTopology(t)
	tp.SigningKey = "a master key shared by every process"
	src, err := NewSource(tp, nil, "", "http://gw.example:8080/")
	if err != nil {
		t.Fatal(err)
	}
	pl, err := src.Open(context.Background(), "hls", "v300/media.m3u8")
	if want := `URI="http://gw.example:8080/v1/keys/hls"`; err != nil || !strings.Contains(string(pl), want) {
		t.Errorf("playlist (%v) lacks %s:\n%s", err, want, pl)
	}
	mpd, err := src.Open(context.Background(), "dash", "manifest.mpd")
	if want := `<dashif:laurl>http://gw.example:8080/v1/license/dash</dashif:laurl>`; err != nil || !strings.Contains(string(mpd), want) {
		t.Errorf("MPD (%v) lacks %s", err, want)
	}
	kid, _, _ := signing.ContentKey(tp.SigningKey, "dash")
	if want := fmt.Sprintf(`cenc:default_KID="%x-%x-%x-%x-%x"`, kid[:4], kid[4:6], kid[6:8], kid[8:10], kid[10:]); !strings.Contains(string(mpd), want) {
		t.Errorf("MPD lacks the derived key id %s", want)
	}
	bare, err := NewSource(tp, nil, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bare.Open(context.Background(), "hls", "v300/media.m3u8"); err == nil || !strings.Contains(err.Error(), "no key server") {
		t.Errorf("an encrypted title without a key server = %v; want an error", err)
	}
}
