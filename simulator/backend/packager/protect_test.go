package packager

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Eyevinn/mp4ff/mp4"
	"github.com/abrkit/abrkit/internal/ffmpegtest"
)

func testProtection() *Protection {
	pr := &Protection{KeyURI: "https://keys.example/v1/keys/t1", LicenseURL: "https://keys.example/v1/license/t1?a=1&b=2"}
	for i := range pr.Key {
		pr.KID[i], pr.Key[i], pr.IV[i] = byte(i), byte(0x40+i), byte(0x80+i)
	}
	return pr
}

func protectedTitle(e Encryption) Title {
	t := smallTitle()
	t.Duration = 5 * time.Second
	t.SegmentDuration = 2 * time.Second
	t.LadderKbps = []int{300, 1200}
	t.Encryption, t.Protection = e, testProtection()
	return t
}

// framesOf decodes every frame of a file to per-frame MD5s.
func framesOf(t *testing.T, path string, pre ...string) (string, error) {
	t.Helper()
	out, err := ffmpegtest.Output(append(pre, "-i", path, "-f", "framemd5", "-")...)
	// Drop the header comments (they name the input).
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n"), err
}

// hashes returns the sorted MD5 column of framemd5 lines.
func hashes(frames string) []string {
	var out []string
	for _, l := range strings.Split(frames, "\n") {
		if i := strings.LastIndex(l, ","); i >= 0 {
			out = append(out, strings.TrimSpace(l[i+1:]))
		}
	}
	slices.Sort(out)
	return out
}

func writeFile(t *testing.T, path string, parts ...[]byte) {
	t.Helper()
	if err := os.WriteFile(path, bytes.Join(parts, nil), 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeRendition(t *testing.T, p *Package, r Rendition, path string) {
	t.Helper()
	data := mustOpen(t, p, r.ID+"/"+InitSegment)
	for k := range r.SegmentSizes {
		data = append(data, mustOpen(t, p, r.ID+"/"+SegmentName(k+1))...)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCENCDecryptsWithFFmpeg checks that ffmpeg, given the key, decodes
// every segment (init + segment, as a player appends them) of every
// rendition of a CENC title to the same pictures and sound as the clear
// title, and that a wrong key does not. (ffmpeg 5.1 loses track of
// encryption info over several fragments in one file, its own output
// included, hence one segment per file.)
func TestCENCDecryptsWithFFmpeg(t *testing.T) {
	ffmpegtest.Need(t)
	for _, tc := range []struct {
		scheme Encryption
		sidx   bool
	}{{CENC, false}, {CENC, true}, {CBCS, false}} {
		ti, sidx := protectedTitle(tc.scheme), tc.sidx
		ti.Sidx, ti.LadderKbps = sidx, []int{300}
		clear := ti
		clear.Encryption, clear.Protection = Clear, nil
		p, pc := mustBuild(t, ti), mustBuild(t, clear)
		dir := t.TempDir()
		key := hex.EncodeToString(ti.Protection.Key[:])
		for _, r := range p.Renditions() {
			for k := range r.SegmentSizes {
				seg := r.ID + "/" + SegmentName(k+1)
				enc, plain := filepath.Join(dir, r.ID+".enc.mp4"), filepath.Join(dir, r.ID+".mp4")
				writeFile(t, enc, mustOpen(t, p, r.ID+"/"+InitSegment), mustOpen(t, p, seg))
				writeFile(t, plain, mustOpen(t, pc, r.ID+"/"+InitSegment), mustOpen(t, pc, seg))
				want, err := framesOf(t, plain)
				if err != nil || want == "" {
					t.Fatalf("%s clear: %v", seg, err)
				}
				got, err := framesOf(t, enc, "-decryption_key", key)
				if err != nil {
					t.Fatalf("sidx=%v %s: ffmpeg -decryption_key: %v", sidx, seg, err)
				}
				if got != want {
					t.Errorf("sidx=%v %s: decrypted frames differ from the clear title's", sidx, seg)
				}
				if k > 0 {
					continue
				}
				wrong := "00" + key[2:]
				if got, err := framesOf(t, enc, "-decryption_key", wrong); err == nil && got == want {
					t.Errorf("sidx=%v %s: a wrong key decodes the same frames", sidx, seg)
				}
			}
		}
	}
}

// TestCENCBoxes checks the protection boxes with mp4ff's own parser and
// decrypter: tenc and pssh in the init segment, senc/saiz/saio in every
// fragment, and decryption back to the clear samples.
func TestCENCBoxes(t *testing.T) {
	for _, scheme := range []Encryption{CENC, CBCS} {
		t.Run(string(scheme), func(t *testing.T) { testCommonBoxes(t, scheme) })
	}
}

func testCommonBoxes(t *testing.T, scheme Encryption) {
	ti := protectedTitle(scheme)
	p := mustBuild(t, ti)
	for _, r := range p.Renditions() {
		init, err := mp4.DecodeFile(bytes.NewReader(mustOpen(t, p, r.ID+"/"+InitSegment)))
		if err != nil {
			t.Fatal(err)
		}
		stsd := init.Init.Moov.Trak.Mdia.Minf.Stbl.Stsd
		var sinf *mp4.SinfBox
		switch se := stsd.Children[0].(type) {
		case *mp4.VisualSampleEntryBox:
			sinf = se.Sinf
		case *mp4.AudioSampleEntryBox:
			sinf = se.Sinf
		}
		wantIV := byte(cencIVSize)
		if scheme == CBCS {
			wantIV = 0 // the constant IV is in tenc
		}
		if sinf == nil || sinf.Schm.SchemeType != string(scheme) || sinf.Schi.Tenc.DefaultPerSampleIVSize != wantIV {
			t.Fatalf("%s: sinf %+v", r.ID, sinf)
		}
		if got := sinf.Schi.Tenc.DefaultKID; !bytes.Equal(got, ti.Protection.KID[:]) {
			t.Errorf("%s: tenc KID %x; want %x", r.ID, got, ti.Protection.KID)
		}
		if ps := init.Init.Moov.Psshs; len(ps) != 1 || ps[0].SystemID.String() != CommonPSSHSystemID || len(ps[0].KIDs) != 1 {
			t.Errorf("%s: pssh %+v", r.ID, ps)
		}
		di, err := mp4.DecryptInit(init.Init)
		if err != nil {
			t.Fatal(err)
		}
		for k := range r.SegmentSizes {
			name := r.ID + "/" + SegmentName(k+1)
			data := mustOpen(t, p, name)
			if int64(len(data)) != r.SegmentSizes[k] {
				t.Errorf("%s: %d bytes; planned %d", name, len(data), r.SegmentSizes[k])
			}
			f, err := mp4.DecodeFile(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			traf := f.Segments[0].Fragments[0].Moof.Traf
			aux := traf.Senc != nil && traf.Saiz != nil && traf.Saio != nil
			if none := traf.Senc == nil && traf.Saiz == nil && traf.Saio == nil; (scheme == CBCS && r.Kind == Audio) != none || (!none && !aux) {
				t.Fatalf("%s: senc %v saiz %v saio %v", name, traf.Senc != nil, traf.Saiz != nil, traf.Saio != nil)
			}
			if err := mp4.DecryptSegment(f.Segments[0], di, ti.Protection.Key[:]); err != nil {
				t.Fatalf("%s: mp4ff decrypt: %v", name, err)
			}
		}
	}
}

// TestAES128Segments checks whole-segment encryption: sizes are padded
// as planned, init segments stay clear, segments decrypt (CBC, PKCS7,
// the playlist's IV) to the clear rendering, and the playlists carry
// the key tag after EXT-X-MAP and no MPD exists.
func TestAES128Segments(t *testing.T) {
	ti := protectedTitle(AES128)
	p := mustBuild(t, ti)
	pr := ti.Protection
	block, _ := aes.NewCipher(pr.Key[:])
	for _, r := range p.Renditions() {
		pl := string(mustOpen(t, p, r.ID+"/"+MediaPlaylist))
		tag := `#EXT-X-KEY:METHOD=AES-128,URI="` + pr.KeyURI + `",IV=0x` + hex.EncodeToString(pr.IV[:])
		if i, j := strings.Index(pl, "#EXT-X-MAP"), strings.Index(pl, tag); i < 0 || j < i {
			t.Errorf("%s playlist lacks %s after EXT-X-MAP:\n%s", r.ID, tag, pl)
		}
		if _, err := mp4.DecodeFile(bytes.NewReader(mustOpen(t, p, r.ID+"/"+InitSegment))); err != nil {
			t.Errorf("%s init is not clear MP4: %v", r.ID, err)
		}
		for k := range r.SegmentSizes {
			data := mustOpen(t, p, r.ID+"/"+SegmentName(k+1))
			if size, _ := p.Size(r.ID + "/" + SegmentName(k+1)); int64(len(data)) != size || size != r.SegmentSizes[k] || size%16 != 0 {
				t.Fatalf("%s seg %d: %d bytes, Size %d, planned %d", r.ID, k+1, len(data), size, r.SegmentSizes[k])
			}
			cipher.NewCBCDecrypter(block, pr.IV[:]).CryptBlocks(data, data)
			pad := int(data[len(data)-1])
			if pad < 1 || pad > 16 || !bytes.Equal(data[len(data)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
				t.Fatalf("%s seg %d: bad PKCS7 padding %d", r.ID, k+1, pad)
			}
			if _, err := mp4.DecodeFile(bytes.NewReader(data[:len(data)-pad])); err != nil {
				t.Errorf("%s seg %d decrypted is not MP4: %v", r.ID, k+1, err)
			}
		}
	}
	if _, err := p.Open(DASHManifest); err == nil {
		t.Error("an AES-128 title has a DASH MPD")
	}
}

// TestHLSPlaysWithFFmpeg serves an AES-128 and a SAMPLE-AES (cbcs) title
// on loopback with a key server that wants a header, and has ffmpeg play
// each to the same frames as the clear title: ffmpeg fetches the key URI
// itself, and fails without the header.
func TestHLSPlaysWithFFmpeg(t *testing.T) {
	ffmpegtest.Need(t)
	for _, scheme := range []Encryption{AES128, CBCS} {
		t.Run(string(scheme), func(t *testing.T) { testHLSPlays(t, scheme) })
	}
}

func testHLSPlays(t *testing.T, scheme Encryption) {
	ti := protectedTitle(scheme)
	ti.LadderKbps = []int{300}
	var keyFetches int
	var p *Package
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/key" {
			if r.Header.Get("Authorization") != "Bearer tok" {
				http.Error(w, "no token", http.StatusUnauthorized)
				return
			}
			keyFetches++
			_, _ = w.Write(ti.Protection.Key[:])
			return
		}
		data, err := p.Open(strings.TrimPrefix(r.URL.Path, "/"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(data)
	}))
	defer srv.Close()
	ti.Protection.KeyURI = srv.URL + "/key"
	p = mustBuild(t, ti)
	clear := ti
	clear.Encryption, clear.Protection = Clear, nil
	pc := mustBuild(t, clear)
	dir := t.TempDir()
	var want []string
	for _, r := range pc.Renditions() {
		path := filepath.Join(dir, r.ID+".mp4")
		writeRendition(t, pc, r, path)
		f, err := framesOf(t, path)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, f)
	}
	got, err := framesOf(t, srv.URL+"/"+MasterPlaylist, "-headers", "Authorization: Bearer tok\r\n")
	if err != nil {
		t.Fatalf("ffmpeg: %v", err)
	}
	// framemd5 numbers streams differently; compare the frame hashes.
	if g, w := hashes(got), hashes(strings.Join(want, "\n")); !slices.Equal(g, w) {
		t.Errorf("ffmpeg decoded %d frames differing from the clear title's %d", len(g), len(w))
	}
	if keyFetches == 0 {
		t.Error("ffmpeg never fetched the key")
	}
	if _, err := framesOf(t, srv.URL+"/"+MasterPlaylist); err == nil {
		t.Error("ffmpeg played without the key server's token")
	}
}

// TestCENCManifest checks the MPD of a CENC title: ContentProtection for
// the scheme (default_KID) and ClearKey (license URL, XML-escaped) in each
// adaptation set, well-formed XML, and no HLS playlists.
func TestCENCManifest(t *testing.T) {
	ti := protectedTitle(CENC)
	p := mustBuild(t, ti)
	testMPDProtection(t, p, CENC)
}

// TestCBCSManifests checks a cbcs title: an MPD like a cenc title's with
// value "cbcs", and HLS playlists with METHOD=SAMPLE-AES identity keys.
func TestCBCSManifests(t *testing.T) {
	ti := protectedTitle(CBCS)
	p := mustBuild(t, ti)
	testMPDProtection(t, p, CBCS)
	if !p.HasHLS() || !p.HasDASH() {
		t.Errorf("HasHLS %v HasDASH %v; want both", p.HasHLS(), p.HasDASH())
	}
	pl := string(mustOpen(t, p, "v300/"+MediaPlaylist))
	tag := `#EXT-X-KEY:METHOD=SAMPLE-AES,URI="` + ti.Protection.KeyURI + `",KEYFORMAT="identity",IV=0x` + hex.EncodeToString(ti.Protection.IV[:])
	if i, j := strings.Index(pl, "#EXT-X-MAP"), strings.Index(pl, tag); i < 0 || j < i {
		t.Errorf("playlist lacks %s after EXT-X-MAP:\n%s", tag, pl)
	}
}

func testMPDProtection(t *testing.T, p *Package, scheme Encryption) {
	t.Helper()
	mpd := string(mustOpen(t, p, DASHManifest))
	if err := xml.Unmarshal([]byte(mpd), new(struct{})); err != nil {
		t.Fatalf("MPD is not XML: %v", err)
	}
	for _, want := range []string{
		`<ContentProtection schemeIdUri="urn:mpeg:dash:mp4protection:2011" value="` + string(scheme) + `" cenc:default_KID="00010203-0405-0607-0809-0a0b0c0d0e0f"/>`,
		`<ContentProtection schemeIdUri="urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e" value="ClearKey1.0">`,
		`<dashif:laurl>https://keys.example/v1/license/t1?a=1&amp;b=2</dashif:laurl>`,
		`<clearkey:Laurl Lic_type="EME-1.0">https://keys.example/v1/license/t1?a=1&amp;b=2</clearkey:Laurl>`,
	} {
		if n := strings.Count(mpd, want); n != 2 {
			t.Errorf("MPD has %d of %s; want one per adaptation set", n, want)
		}
	}
}

func TestCENCHasNoHLS(t *testing.T) {
	p := mustBuild(t, protectedTitle(CENC))
	if !p.HasDASH() || p.HasHLS() {
		t.Errorf("HasDASH %v HasHLS %v; want DASH only", p.HasDASH(), p.HasHLS())
	}
	for _, f := range p.Files() {
		if strings.HasSuffix(f, ".m3u8") {
			t.Errorf("a CENC title lists %s", f)
		}
	}
	if _, err := p.Open(MasterPlaylist); err == nil {
		t.Error("a CENC title has an HLS playlist")
	}
}

// BenchmarkRenderEncrypted renders a 1 MB video segment (2000 kbps x 4 s)
// clear and under each scheme: the cost of encryption per segment served.
func BenchmarkRenderEncrypted(b *testing.B) {
	for _, scheme := range []Encryption{Clear, AES128, CENC, CBCS} {
		name := string(scheme)
		if scheme == Clear {
			name = "clear"
		}
		b.Run(name, func(b *testing.B) {
			ti := Title{ID: "b", Duration: 40 * time.Second, SegmentDuration: 4 * time.Second, LadderKbps: []int{2000}, Variability: 0.01, Encryption: scheme}
			if scheme != Clear {
				ti.Protection = testProtection()
			}
			p := mustBuild(b, ti)
			size, _ := p.Size("v2000/seg_1.m4s")
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Open("v2000/seg_1.m4s"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestVideoRanges checks the subsample layout of a picture: always two
// entries covering the sample exactly, protected ranges whole blocks,
// clear runs within 16 bits, the slice header clear.
func TestVideoRanges(t *testing.T) {
	tests := []struct{ slice, size int }{
		{3, 7},              // tiny P slice, no filler
		{3, 7 + 6},          // smallest filler
		{400, 404},          // IDR slice, no filler
		{400, 404 + 200000}, // IDR slice and a large filler
		{107, 111 + 100},    // slice just below a protected block
		{108, 112 + 21},     // slice with exactly one protected block
		{5000, 5004 + 3<<20},
	}
	for _, tc := range tests {
		r := videoRanges(tc.slice, tc.size)
		if len(r) != videoSubsamples {
			t.Fatalf("%+v: %d subsamples", tc, len(r))
		}
		sum := 0
		for _, s := range r {
			sum += int(s.BytesOfClearData) + int(s.BytesOfProtectedData)
			if s.BytesOfProtectedData%16 != 0 {
				t.Errorf("%+v: protected %d is not whole blocks", tc, s.BytesOfProtectedData)
			}
		}
		if sum != tc.size {
			t.Errorf("%+v: subsamples cover %d bytes", tc, sum)
		}
		if r[0].BytesOfProtectedData > 0 && r[0].BytesOfClearData < cencMinClearBytes {
			t.Errorf("%+v: only %d slice bytes clear", tc, r[0].BytesOfClearData)
		}
		if tc.size > tc.slice+4 && r[1].BytesOfClearData < 5 {
			t.Errorf("%+v: filler length and type not clear", tc)
		}
	}
}
