package origin

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/abrkit/abrkit/simulator/backend/packager"
)

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDirSource(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"a/master.m3u8":       "#EXTM3U\n",
		"a/manifest.mpd":      "<MPD/>",
		"a/v1/seg_1.m4s":      "seg",
		"b/hls/master.m3u8":   "#EXTM3U\n",
		"b/dash/manifest.mpd": "<MPD/>",
		"notitle/readme.txt":  "x",
		"secret.txt":          "top secret",
	})
	s, err := NewDirSource(root)
	if err != nil {
		t.Fatal(err)
	}
	got := s.Titles()
	if len(got) != 2 || got[0] != (TitleInfo{ID: "a", HLS: "master.m3u8", DASH: "manifest.mpd"}) || got[1].HLS != "hls/master.m3u8" {
		t.Fatalf("Titles() = %+v; want a and b", got)
	}
	tests := []struct {
		title, file, want string
		err               error
	}{
		{"a", "v1/seg_1.m4s", "seg", nil},
		{"b", "dash/manifest.mpd", "<MPD/>", nil},
		{"a", "../secret.txt", "", ErrNotFound},
		{"a", "v1/../../secret.txt", "", ErrNotFound},
		{"a", "/etc/passwd", "", ErrNotFound},
		{"zz", "master.m3u8", "", ErrNotFound},
		{"a", "v1", "", ErrNotFound},
	}
	for _, tt := range tests {
		data, err := s.Open(context.Background(), tt.title, tt.file)
		if !errors.Is(err, tt.err) || string(data) != tt.want {
			t.Errorf("Open(%q, %q) = %q, %v; want %q, %v", tt.title, tt.file, data, err, tt.want, tt.err)
		}
	}
	single, err := NewDirSource(filepath.Join(root, "b"))
	if err != nil || len(single.Titles()) != 1 || single.Titles()[0].ID != "b" {
		t.Errorf("NewDirSource(b) = %+v, %v; want the single title b", single, err)
	}
	if _, err := NewDirSource(filepath.Join(root, "notitle")); !errors.Is(err, ErrNotFound) {
		t.Errorf("NewDirSource(notitle) = %v; want ErrNotFound", err)
	}
}

func TestServerAndClient(t *testing.T) {
	src, err := NewPackagerSource(packager.DefaultCatalog(2))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(NewServer(src, nil))
	defer srv.Close()
	id := src.Titles()[0].ID
	c := &Client{Base: srv.URL}
	ctx := context.Background()
	master, err := c.Fetch(ctx, id, "master.m3u8")
	if err != nil || !strings.HasPrefix(string(master), "#EXTM3U") {
		t.Fatalf("Fetch(master) = %.40q, %v; want a playlist", master, err)
	}
	if _, err := c.Fetch(ctx, id, "nope.m4s"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Fetch(nope) = %v; want ErrNotFound", err)
	}
	if _, err := c.Fetch(ctx, "missing", "master.m3u8"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Fetch(missing title) = %v; want ErrNotFound", err)
	}
	for path, want := range map[string]int{
		"/o/" + id + "/../x":   http.StatusBadRequest,
		"/o/" + id:             http.StatusBadRequest,
		"/v1/titles":           http.StatusOK,
		"/metrics":             http.StatusOK,
		"/o/" + id + "/a//b":   http.StatusBadRequest,
		"/o/" + id + "/%2e%2e": http.StatusBadRequest,
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.URL.RawPath = path
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want && !(want == http.StatusBadRequest && resp.StatusCode == http.StatusNotFound) {
			t.Errorf("GET %s = %d; want %d", path, resp.StatusCode, want)
		}
	}
}
