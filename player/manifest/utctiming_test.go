package manifest

import (
	"strings"
	"testing"
	"time"
)

func TestParseDASHUTCTiming(t *testing.T) {
	const mpdText = `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="dynamic" availabilityStartTime="2026-01-01T00:00:00Z" minimumUpdatePeriod="PT2S" profiles="urn:mpeg:dash:profile:isoff-live:2011">
 <UTCTiming schemeIdUri="urn:mpeg:dash:utc:http-xsdate:2014" value="/time a.test/other"/>
 <UTCTiming schemeIdUri="urn:mpeg:dash:utc:http-iso:2014" value="https://t.test/iso"/>
 <UTCTiming schemeIdUri="urn:mpeg:dash:utc:direct:2014" value="2026-01-01T00:01:00Z"/>
 <UTCTiming schemeIdUri="urn:mpeg:dash:utc:none:2014"/>
 <UTCTiming schemeIdUri="urn:mpeg:dash:utc:ntp:2014" value="pool.ntp.org"/>
 <Period id="p0" start="PT0S"><AdaptationSet mimeType="video/mp4">
  <SegmentTemplate timescale="1000" duration="2000" media="v/$Number$.m4s" initialization="v/init.mp4" startNumber="1"/>
  <Representation id="v0" bandwidth="500000" codecs="avc1.64001f"/>
 </AdaptationSet></Period>
</MPD>`
	p, err := ParseDASH([]byte(mpdText), "http://a.test/live/stream.mpd")
	if err != nil {
		t.Fatal(err)
	}
	want := []UTCTiming{
		{TimingHTTPXSDate, "http://a.test/time"},
		{TimingHTTPISO, "https://t.test/iso"},
		{TimingDirect, "2026-01-01T00:01:00Z"},
		{TimingNone, ""},
		{TimingUnknown, "pool.ntp.org"},
	}
	if len(p.UTCTiming) != len(want) {
		t.Fatalf("UTCTiming = %+v; want %+v", p.UTCTiming, want)
	}
	for i := range want {
		if p.UTCTiming[i] != want[i] {
			t.Errorf("UTCTiming[%d] = %+v (%v); want %+v", i, p.UTCTiming[i], p.UTCTiming[i].Scheme, want[i])
		}
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2026-12-04T05:00:01Z", time.Date(2026, 12, 4, 5, 0, 1, 0, time.UTC), true},
		{" 2026-12-04T05:00:01.250Z\n", time.Date(2026, 12, 4, 5, 0, 1, 250e6, time.UTC), true},
		{"2026-12-04T06:00:01+01:00", time.Date(2026, 12, 4, 5, 0, 1, 0, time.UTC), true},
		{"yesterday", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, tc := range tests {
		got, err := ParseTime([]byte(tc.in))
		if (err == nil) != tc.ok || (tc.ok && !got.Equal(tc.want)) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func FuzzParseTime(f *testing.F) {
	f.Add([]byte("2026-12-04T05:00:01Z"))
	f.Add([]byte("2026-12-04T05:00:01.123456+02:00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := ParseTime(b); err == nil && len(strings.TrimSpace(string(b))) > 64 {
			t.Errorf("ParseTime accepted %d bytes; the cap is 64", len(b))
		}
	})
}
