package manifest

import (
	"testing"
)

// ContentProtection is kept per adaptation set with its license URL:
// DASH-IF IOP 5's dashif:Laurl, or for ClearKey the older clearkey:Laurl,
// resolved against the MPD.
func TestDASHContentProtection(t *testing.T) {
	const head = `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" xmlns:cenc="urn:mpeg:cenc:2013" xmlns:dashif="https://dashif.org/CPS" xmlns:clearkey="http://dashif.org/guidelines/clearKey" type="static" mediaPresentationDuration="PT4S" minBufferTime="PT2S" profiles="urn:mpeg:dash:profile:isoff-live:2011">
 <Period id="0"><AdaptationSet mimeType="video/mp4">
  <ContentProtection schemeIdUri="urn:mpeg:dash:mp4protection:2011" value="cbcs" cenc:default_KID="01234567-89ab-cdef-0123-456789abcdef"/>
`
	const tail = `
  <Representation id="v" bandwidth="100000" codecs="avc1.64001f"><SegmentTemplate duration="1" media="s$Number$.m4s" initialization="i.mp4"/></Representation>
 </AdaptationSet></Period></MPD>`
	tests := []struct {
		name, cp, want string
	}{
		{"dashif", `<ContentProtection schemeIdUri="urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e" value="ClearKey1.0"><dashif:Laurl>lic/ck</dashif:Laurl></ContentProtection>`, "https://cdn.example/t/lic/ck"},
		{"clearkey", `<ContentProtection schemeIdUri="urn:uuid:E2719D58-A985-B3C9-781A-B030AF78D30E"><clearkey:Laurl Lic_type="EME-1.0">https://lic.example/ck</clearkey:Laurl></ContentProtection>`, "https://lic.example/ck"},
		{"dashif lower case", `<ContentProtection schemeIdUri="urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e" value="ClearKey1.0"><dashif:laurl>https://gw.example/v1/license/t</dashif:laurl></ContentProtection>`, "https://gw.example/v1/license/t"},
		{"none", `<ContentProtection schemeIdUri="urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e"/>`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseDASH([]byte(head+tt.cp+tail), "https://cdn.example/t/main.mpd")
			if err != nil {
				t.Fatal(err)
			}
			prs := p.Periods[0].Sets[0].Protection
			if len(prs) != 2 || prs[0].Value != "cbcs" || prs[0].DefaultKID != "01234567-89ab-cdef-0123-456789abcdef" {
				t.Fatalf("protection %+v", prs)
			}
			if prs[1].LicenseURL != tt.want {
				t.Errorf("license URL %q; want %q", prs[1].LicenseURL, tt.want)
			}
		})
	}
}
