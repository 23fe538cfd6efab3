package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// aesHLS makes 4 s of AES-128 TS HLS with ffmpeg (-hls_key_info_file),
// its key at key.bin: the AES key of testdata/keys.txt.
func aesHLS(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg not found; install it with apt-get install -y --no-install-recommends ffmpeg")
	}
	dir := t.TempDir()
	key := []byte{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}
	if err := os.WriteFile(filepath.Join(dir, "key.bin"), key, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "keyinfo"), []byte("key.bin\n"+filepath.Join(dir, "key.bin")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", "testsrc=size=160x90:rate=10:duration=4", "-c:v", "libx264", "-preset", "ultrafast", "-g", "10",
		"-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod", "-hls_key_info_file", "keyinfo", "-hls_segment_filename", "main_%d.ts", "main.m3u8")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	return dir
}

// TestPlayEncrypted: `abrkit play` plays ffmpeg's AES-128 HLS with the key
// from its key URI or from --key-file; a wrong --key-file fails with exit
// 1 and error_category drm.
func TestPlayEncrypted(t *testing.T) {
	cs := serveCounting(t, aesHLS(t))
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
	dir := aesHLS(t)
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
