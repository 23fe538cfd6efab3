package download

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/internal/drmtest"
	"github.com/abrkit/abrkit/player"
)

func TestSegmentIV(t *testing.T) {
	tests := []struct {
		attr string
		seq  uint64
		want string // "" for an error
	}{
		{"", 0, "00000000000000000000000000000000"},
		{"", 258, "00000000000000000000000000000102"},
		{"0x0F0E", 9, "00000000000000000000000000000f0e"},
		{"0x1", 9, "00000000000000000000000000000001"},
		{"0x", 0, ""},
		{"f0e", 0, ""},
		{"0xgg", 0, ""},
	}
	for _, tt := range tests {
		got, err := segmentIV(tt.attr, tt.seq)
		if (tt.want == "") != (err != nil) || got != tt.want {
			t.Errorf("segmentIV(%q, %d) = %q, %v; want %q", tt.attr, tt.seq, got, err, tt.want)
		}
	}
}

// memKeys is an app's KeyStore: keys in memory, never on disk.
type memKeys struct {
	mu   sync.Mutex
	keys map[string]*Keys
}

func (m *memKeys) PutKeys(id string, k *Keys) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.keys[id] = k
	return nil
}

func (m *memKeys) LoadKeys(id string) (*Keys, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if k, ok := m.keys[id]; ok {
		return k, nil
	}
	return nil, ErrNotFound
}

func (m *memKeys) DeleteKeys(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.keys, id)
	return nil
}

// An AES-128 HLS download (ffmpeg, -hls_key_info_file) stores its media
// encrypted and its key only through the KeyStore hook; it plays offline
// with the origin gone until the license expires, then OpenOffline
// refuses it with ErrLicenseExpired.
func TestProtectedDownloadKeyStoreAndExpiry(t *testing.T) {
	dir := drmtest.AESHLS(t, "")
	key := []byte{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff} // drmtest.KeyHex
	srv := httptest.NewUnstartedServer(http.FileServer(http.Dir(dir)))
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = 10*time.Second, 10*time.Second
	srv.Start()
	defer srv.Close()

	store := &memKeys{keys: map[string]*Keys{}}
	cfg := testConfig(t)
	cfg.Keys = store
	clk := cfg.Clock.(*clock.Fake)
	expires := clk.Now().Add(time.Hour)
	m := startManager(t, cfg)
	id, err := m.Add(Request{URL: srv.URL + "/main.m3u8", Expires: expires})
	if err != nil {
		t.Fatal(err)
	}
	if d := await(t, m, id); d.State != StateCompleted {
		t.Fatalf("state %s %q", d.State, d.Err)
	}
	srv.Close()
	k := store.keys[id]
	if k == nil || !bytes.Equal(k.AES[srv.URL+"/key.bin"], key) || !k.Expires.Equal(expires) {
		t.Fatalf("stored keys %+v; want the key of %s/key.bin, expiring %v", k, srv.URL, expires)
	}
	if _, err := os.Stat(filepath.Join(cfg.Dir, "keys")); err == nil {
		t.Error("keys written to disk despite the app's KeyStore")
	}
	off, err := m.Offline(id)
	if err != nil {
		t.Fatal(err)
	}
	defer off.Close()
	pl, err := os.ReadFile(filepath.Join(off.Dir, "offline-0.m3u8"))
	if err != nil || strings.Count(string(pl), "#EXT-X-KEY:METHOD=AES-128") != 4 {
		t.Errorf("offline playlist lacks a key tag per segment:\n%s", pl)
	}
	p, err := player.New(player.WithFetcher(off.Fetcher), player.WithKeyLoader(off.Keys), player.WithClock(clock.NewScaled(8)))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.Load(ctx, off.ManifestURL); err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(ctx); err != nil {
		t.Fatalf("offline play: %v", err)
	}
	if q := p.QoE(); q.Segments != 4 {
		t.Errorf("played %d segments; want 4", q.Segments)
	}

	// a license shorter than the download: refused once it ends
	store.keys[id].Expires = clk.Now().Add(time.Minute)
	clk.Advance(2 * time.Minute)
	if _, err := m.Offline(id); !errors.Is(err, ErrLicenseExpired) || !errors.Is(err, ErrExpired) {
		t.Errorf("Offline after the license ended: %v; want ErrLicenseExpired", err)
	}
	if err := m.Remove(id); err != nil {
		t.Fatal(err)
	}
}
