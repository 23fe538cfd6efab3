package packager

import (
	"testing"

	"github.com/abrkit/abrkit/player/manifest"
)

// TestProtectedManifestsParse checks that the SDK's manifest parser reads
// every encrypted title's manifests and sees the key of each HLS
// segment: method, key URI, IV and key format.
func TestProtectedManifestsParse(t *testing.T) {
	const base = "https://edge.example/t1/"
	tests := []struct {
		scheme       Encryption
		method, keyf string
	}{
		{AES128, "AES-128", ""},
		{CENC, "", ""},
		{CBCS, "SAMPLE-AES", "identity"},
	}
	for _, tc := range tests {
		ti := protectedTitle(tc.scheme)
		p := mustBuild(t, ti)
		if p.HasDASH() {
			if _, err := manifest.ParseDASH(mustOpen(t, p, DASHManifest), base+DASHManifest); err != nil {
				t.Errorf("%s: ParseDASH: %v", tc.scheme, err)
			}
		}
		if !p.HasHLS() {
			continue
		}
		if _, err := manifest.ParseHLS(mustOpen(t, p, MasterPlaylist), base+MasterPlaylist); err != nil {
			t.Errorf("%s: ParseHLS: %v", tc.scheme, err)
		}
		for _, r := range p.Renditions() {
			mp, err := manifest.ParseHLSMedia(mustOpen(t, p, r.ID+"/"+MediaPlaylist), base+r.ID+"/"+MediaPlaylist)
			if err != nil {
				t.Fatalf("%s %s: ParseHLSMedia: %v", tc.scheme, r.ID, err)
			}
			if len(mp.Segments) != len(r.SegmentSizes) {
				t.Fatalf("%s %s: %d segments; want %d", tc.scheme, r.ID, len(mp.Segments), len(r.SegmentSizes))
			}
			for _, s := range mp.Segments {
				k := s.Key
				if k == nil || k.Method != tc.method || k.URI != ti.Protection.KeyURI || k.IV == "" || (k.KeyFormat != tc.keyf && k.KeyFormat != "") {
					t.Fatalf("%s %s segment %d: key %+v", tc.scheme, r.ID, s.Number, k)
				}
			}
		}
	}
}
