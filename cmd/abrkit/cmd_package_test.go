package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPackageCmd(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	write := func(path, s string) {
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(good, "titles:\n  - id: t1\n    duration: 8s\n    segment_duration: 4s\n    ladder_kbps: [400, 1200]\n  - id: t2\n    duration: 4s\n    segment_duration: 2s\n    ladder_kbps: [300]\n    no_audio: true\n")
	write(bad, "titles:\n  - id: t1\n    duration: 8s\n    segment_duration: 4s\n    ladder_kbps: [400, -3]\n")
	enc := filepath.Join(dir, "enc.yaml")
	write(enc, "titles:\n  - id: h\n    duration: 4s\n    segment_duration: 2s\n    ladder_kbps: [300]\n    encryption: aes-128\n  - id: d\n    duration: 4s\n    segment_duration: 2s\n    ladder_kbps: [300]\n    encryption: cenc\n")
	keys := filepath.Join(dir, "keys.json")
	out := filepath.Join(dir, "www")
	notDir := filepath.Join(dir, "file")
	write(notDir, "x")
	tests := []struct {
		name   string
		args   []string
		want   int
		stdout string
		stderr string
	}{
		{"text", []string{"package", "--catalog", good, "--out", out}, 0, "packaged 2 titles", "[2/2] t2"},
		{"json", []string{"package", "--catalog", good, "--out", out, "--format", "json"}, 0, `"title_list"`, ""},
		{"bad catalog", []string{"package", "--catalog", bad, "--out", out}, 2, "", "bad.yaml:5: titles[0].ladder_kbps[1]"},
		{"missing catalog", []string{"package", "--catalog", filepath.Join(dir, "none.yaml"), "--out", out}, 2, "", "none.yaml"},
		{"no flags", []string{"package"}, 2, "", "--catalog and --out are required"},
		{"bad format", []string{"package", "--catalog", good, "--out", out, "--format", "xml"}, 2, "", "--format"},
		{"out is a file", []string{"package", "--catalog", good, "--out", notDir}, 1, "", "title t1"},
		{"extra arg", []string{"package", "x", "--catalog", good, "--out", out}, 2, "", "unknown command"},
		{"encrypted without keys", []string{"package", "--catalog", enc, "--out", out}, 2, "", "--keys and --key-server are required"},
		{"encrypted", []string{"package", "--catalog", enc, "--out", out, "--keys", keys, "--key-server", "http://127.0.0.1:9/", "--format", "json"}, 0, `"encryption": "cenc"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if got := run(tt.args, &stdout, &stderr); got != tt.want {
				t.Fatalf("run(%q) = %d; want %d\nstdout: %s\nstderr: %s", tt.args, got, tt.want, stdout.String(), stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.stdout) {
				t.Errorf("run(%q) stdout lacks %q:\n%s", tt.args, tt.stdout, stdout.String())
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("run(%q) stderr lacks %q:\n%s", tt.args, tt.stderr, stderr.String())
			}
		})
	}
}

func TestPackageCmdJSON(t *testing.T) {
	dir := t.TempDir()
	cat := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(cat, []byte("titles:\n  - id: a\n    duration: 6s\n    segment_duration: 2s\n    ladder_kbps: [500, 1000]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"package", "--catalog", cat, "--out", dir, "--format", "json"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var sum packageSummary
	if err := json.Unmarshal(stdout.Bytes(), &sum); err != nil {
		t.Fatal(err)
	}
	// master + mpd + 3 renditions x (media.m3u8 + init + 3 segments)
	if sum.Titles != 1 || sum.Files != 17 || len(sum.Items) != 1 || sum.Items[0].Segments != 3 || sum.Items[0].Renditions != 3 {
		t.Errorf("summary = %+v; want 1 title, 17 files, 3 renditions x 3 segments", sum)
	}
	var total int64
	err := filepath.Walk(filepath.Join(dir, "a"), func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			total += info.Size()
		}
		return err
	})
	if err != nil || total != sum.Bytes {
		t.Errorf("bytes on disk = %d (%v); summary says %d", total, err, sum.Bytes)
	}
	for _, f := range []string{"master.m3u8", "manifest.mpd", "v500/init.mp4", "a128/seg_3.m4s"} {
		if _, err := os.Stat(filepath.Join(dir, "a", f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
}

// TestPackageCmdEncrypted checks the keys file of encrypted titles: a
// random key per title and run, private permissions, the URLs the
// manifests name, and manifests of one format per title.
func TestPackageCmdEncrypted(t *testing.T) {
	dir := t.TempDir()
	cat := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(cat, []byte("titles:\n  - id: h\n    duration: 4s\n    segment_duration: 2s\n    ladder_kbps: [300]\n    encryption: aes-128\n  - id: d\n    duration: 4s\n    segment_duration: 2s\n    ladder_kbps: [300]\n    encryption: cenc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var runs [2][]packageKey
	for i := range runs {
		keys := filepath.Join(dir, "keys.json")
		var stdout, stderr bytes.Buffer
		if code := run([]string{"package", "--catalog", cat, "--out", filepath.Join(dir, "www"), "--keys", keys, "--key-server", "http://k.example"}, &stdout, &stderr); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
		st, err := os.Stat(keys)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("keys file %v, %v; want mode 0600", st, err)
		}
		data, _ := os.ReadFile(keys)
		if err := json.Unmarshal(data, &runs[i]); err != nil || len(runs[i]) != 2 {
			t.Fatalf("keys file %s: %v", data, err)
		}
	}
	h, d := runs[0][0], runs[0][1]
	if h.ID != "h" || h.KeyURI != "http://k.example/v1/keys/h" || d.ID != "d" || d.LicenseURL != "http://k.example/v1/license/d" || len(h.Key) != 32 {
		t.Errorf("keys = %+v", runs[0])
	}
	if runs[0][0].Key == runs[1][0].Key || runs[0][0].Key == runs[0][1].Key {
		t.Error("keys repeat across titles or runs")
	}
	pl, err := os.ReadFile(filepath.Join(dir, "www", "h", "v300", "media.m3u8"))
	if err != nil || !strings.Contains(string(pl), `URI="http://k.example/v1/keys/h",IV=0x`+runs[1][0].IV) {
		t.Errorf("HLS playlist (%v):\n%s", err, pl)
	}
	for _, f := range []string{"h/manifest.mpd", "d/master.m3u8"} {
		if _, err := os.Stat(filepath.Join(dir, "www", f)); err == nil {
			t.Errorf("%s exists", f)
		}
	}
}
