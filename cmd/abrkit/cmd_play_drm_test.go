package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/abrkit/abrkit/internal/drmtest"
)

// TestPlayEncrypted: `abrkit play` plays ffmpeg's AES-128 HLS with the key
// from its key URI or from --key-file; a wrong --key-file fails with exit
// 1 and error_category drm.
func TestPlayEncrypted(t *testing.T) {
	cs := serveCounting(t, drmtest.AESHLS(t, ""))
	wrong := filepath.Join(t.TempDir(), "wrong.txt")
	if err := os.WriteFile(wrong, []byte("ffeeddccbbaa99887766554433221100\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		flags    []string
		code     int
		stopped  string
		category string
	}{
		{"key URI", nil, 0, "ended", ""},
		{"key file", []string{"--key-file", "../../testdata/keys.txt"}, 0, "ended", ""},
		{"wrong key file", []string{"--key-file", wrong}, 1, "failed", "drm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"play", cs.URL + "/main.m3u8", "--speed", "8", "--quiet", "--format", "json"}, tt.flags...)
			var out, errOut bytes.Buffer
			code := run(args, &out, &errOut)
			var rep playReport
			if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
				t.Fatalf("json: %v\n%s%s", err, out.String(), errOut.String())
			}
			if code != tt.code || rep.Stopped != tt.stopped || rep.Category != tt.category {
				t.Errorf("exit %d, stopped %q, error_category %q (%s); want %d, %q, %q",
					code, rep.Stopped, rep.Category, rep.Error, tt.code, tt.stopped, tt.category)
			}
		})
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"play", cs.URL + "/main.m3u8", "--key-file", "no-such-file"}, &out, &errOut); code == 0 {
		t.Error("a missing --key-file was accepted")
	}
}

// TestDownloadEncryptedPlayOffline: `abrkit download` stores ffmpeg's
// AES-128 HLS encrypted as served, with its key only in the key store;
// `abrkit play --offline` plays it with the origin gone, and fails
// without the stored key.
func TestDownloadEncryptedPlayOffline(t *testing.T) {
	dir := drmtest.AESHLS(t, "")
	cs := serveCounting(t, dir)
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := run([]string{"download", cs.URL + "/main.m3u8", "--out", out, "--id", "aes", "--format", "json"}, &stdout, &stderr); code != 0 {
		t.Fatalf("download = %d\n%s%s", code, stdout.String(), stderr.String())
	}
	cs.Close()
	segs, _ := filepath.Glob(filepath.Join(out, "aes", "media", "*", "*.ts"))
	if len(segs) == 0 {
		segs, _ = filepath.Glob(filepath.Join(out, "aes", "*", "*.ts"))
	}
	for _, s := range segs {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		src, err := os.ReadFile(filepath.Join(dir, filepath.Base(s)))
		if err == nil && !bytes.Equal(b, src) {
			t.Errorf("%s is not stored as served", s)
		}
		if len(b) > 0 && b[0] == 0x47 && len(b) > 188 && b[188] == 0x47 {
			t.Errorf("%s is stored in the clear", s)
		}
	}
	if len(segs) != 4 {
		t.Errorf("found %d stored segments; want 4", len(segs))
	}
	rep := playJSON(t, "play", "--offline", "aes", "--out", out, "--speed", "8", "--quiet", "--format", "json")
	if rep.Stopped != "ended" || rep.QoE.Segments < 4 {
		t.Fatalf("offline play stopped %q after %d segments; want ended after 4", rep.Stopped, rep.QoE.Segments)
	}
	if err := os.Remove(filepath.Join(out, "keys", "aes.json")); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	code := run([]string{"play", "--offline", "aes", "--out", out, "--speed", "8", "--quiet", "--format", "json"}, &stdout, &stderr)
	var failed playReport
	if err := json.Unmarshal(stdout.Bytes(), &failed); err != nil || code != 1 || failed.Category != "drm" {
		t.Errorf("without the stored key: exit %d, %+v (%v); want exit 1 with error_category drm", code, failed, err)
	}
}

// TestDownloadCENCPlayOffline: `abrkit download` of ClearKey cenc DASH
// (ffmpeg-made, encrypted with mp4ff) stores the media as served and the
// key from one license request; `abrkit play --offline` plays it with the
// origin and license server gone. `abrkit play` online does the same with
// the license URL from the MPD, and fails with error_category drm given
// keys of another key ID.
func TestDownloadCENCPlayOffline(t *testing.T) {
	dir := drmtest.CENCDASH(t, "cenc")
	var licenses atomic.Int32
	srv := httptest.NewUnstartedServer(http.NewServeMux())
	mux := srv.Config.Handler.(*http.ServeMux)
	mux.Handle("/license", drmtest.ClearKeyServer(map[string]string{drmtest.KID64: drmtest.Key64}, &licenses))
	mux.Handle("/", http.FileServer(http.Dir(dir)))
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = 10*time.Second, 10*time.Second
	srv.Start()
	defer srv.Close()

	rep := playJSON(t, "play", srv.URL+"/main.mpd", "--speed", "8", "--quiet", "--format", "json")
	if rep.Stopped != "ended" || licenses.Load() != 1 {
		t.Fatalf("online play stopped %q after %d license requests; want ended after 1", rep.Stopped, licenses.Load())
	}
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	// keys for another key ID: a fatal drm error, no license request
	wrong := filepath.Join(out, "wrong.txt")
	if err := os.WriteFile(wrong, []byte("ffffffffffffffffffffffffffffffff:"+drmtest.KeyHex+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code := run([]string{"play", srv.URL + "/main.mpd", "--key-file", wrong, "--speed", "8", "--quiet", "--format", "json"}, &stdout, &stderr)
	var failed playReport
	if err := json.Unmarshal(stdout.Bytes(), &failed); err != nil || code != 1 || failed.Category != "drm" || licenses.Load() != 1 {
		t.Errorf("with keys of another key ID: exit %d, %+v (%v), %d license requests; want exit 1, drm, 1", code, failed, err, licenses.Load())
	}
	stdout.Reset()
	if code := run([]string{"download", srv.URL + "/main.mpd", "--out", out, "--id", "cenc", "--format", "json"}, &stdout, &stderr); code != 0 {
		t.Fatalf("download = %d\n%s%s", code, stdout.String(), stderr.String())
	}
	srv.Close()
	if licenses.Load() != 2 {
		t.Errorf("%d license requests in all; want 2 (one to play, one to download)", licenses.Load())
	}
	var inits []string
	_ = filepath.WalkDir(filepath.Join(out, "cenc"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), "init") {
			inits = append(inits, p)
		}
		return nil
	})
	if len(inits) != 1 {
		t.Errorf("stored init segments %v; want 1", inits)
	}
	for _, p := range inits {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte("encv")) {
			t.Errorf("%s is stored without its protection", p)
		}
	}
	rep = playJSON(t, "play", "--offline", "cenc", "--out", out, "--speed", "8", "--quiet", "--format", "json")
	if rep.Stopped != "ended" || rep.QoE.Segments < 4 {
		t.Fatalf("offline play stopped %q after %d segments (%s); want ended after 4", rep.Stopped, rep.QoE.Segments, rep.Error)
	}
}
