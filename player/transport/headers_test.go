package transport

import (
	"errors"
	"testing"
	"time"
)

var retryAfterCases = []struct {
	name string
	in   string
	want time.Duration
	ok   bool
}{
	{"seconds", "120", 120 * time.Second, true},
	{"zero", "0", 0, true},
	{"spaces", "  7 ", 7 * time.Second, true},
	{"imf date", "Mon, 23 Nov 2026 12:00:09 GMT", 9 * time.Second, true},
	{"rfc850 date", "Monday, 23-Nov-26 12:01:00 GMT", time.Minute, true},
	{"asctime date", "Mon Nov 23 12:00:30 2026", 30 * time.Second, true},
	{"past date", "Mon, 23 Nov 2026 11:00:00 GMT", 0, true},
	{"huge seconds", "99999999999999999999999", 365 * 24 * time.Hour, true},
	{"negative", "-5", 0, false},
	{"fraction", "1.5", 0, false},
	{"empty", "", 0, false},
	{"garbage", "soon", 0, false},
}

func TestParseRetryAfter(t *testing.T) {
	now := newFakeClock().Now()
	for _, tc := range retryAfterCases {
		got, ok := ParseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

var contentRangeCases = []struct {
	name string
	in   string
	want ContentRange
	ok   bool
}{
	{"full", "bytes 0-499/1234", ContentRange{0, 499, 1234}, true},
	{"unknown size", "bytes 500-999/*", ContentRange{500, 999, -1}, true},
	{"last byte", "bytes 1233-1233/1234", ContentRange{1233, 1233, 1234}, true},
	{"unsatisfied", "bytes */1234", ContentRange{-1, -1, 1234}, true},
	{"both unknown", "bytes */*", ContentRange{}, false},
	{"beyond size", "bytes 0-1234/1234", ContentRange{}, false},
	{"reversed", "bytes 9-3/100", ContentRange{}, false},
	{"other unit", "items 0-1/2", ContentRange{}, false},
	{"no slash", "bytes 0-1", ContentRange{}, false},
	{"no dash", "bytes 01/2", ContentRange{}, false},
	{"negative", "bytes -1-2/3", ContentRange{}, false},
	{"overflow", "bytes 0-99999999999999999999/*", ContentRange{}, false},
	{"empty", "", ContentRange{}, false},
}

func TestParseContentRange(t *testing.T) {
	for _, tc := range contentRangeCases {
		got, err := ParseContentRange(tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("ParseContentRange(%q) = %+v, %v; want %+v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrBadHeader) {
			t.Errorf("ParseContentRange(%q) error %v does not wrap ErrBadHeader", tc.in, err)
		}
		if tc.ok {
			if back := got.String(); back != tc.in {
				t.Errorf("ContentRange.String() = %q; want %q", back, tc.in)
			}
		}
	}
}

func TestRangeMatches(t *testing.T) {
	tests := []struct {
		cr             ContentRange
		offset, length int64
		want           bool
	}{
		{ContentRange{10, 29, 100}, 10, 20, true},
		{ContentRange{10, 29, 100}, 11, 19, false},
		{ContentRange{10, 99, 100}, 10, 500, true}, // shorter at the end
		{ContentRange{10, 50, 100}, 10, 500, false},
		{ContentRange{10, 99, 100}, 10, 0, true},
		{ContentRange{10, 98, 100}, 10, 0, false},
		{ContentRange{10, 98, -1}, 10, 0, true},
	}
	for _, tc := range tests {
		if got := rangeMatches(tc.cr, tc.offset, tc.length); got != tc.want {
			t.Errorf("rangeMatches(%v, %d, %d) = %v; want %v", tc.cr, tc.offset, tc.length, got, tc.want)
		}
	}
}

func TestHeaderSeeds(t *testing.T) {
	var names, ins []string
	for _, tc := range retryAfterCases {
		names, ins = append(names, tc.name), append(ins, tc.in)
	}
	checkSeeds(t, "FuzzParseRetryAfter", names, ins)
	names, ins = nil, nil
	for _, tc := range contentRangeCases {
		names, ins = append(names, tc.name), append(ins, tc.in)
	}
	checkSeeds(t, "FuzzParseContentRange", names, ins)
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, tc := range retryAfterCases {
		f.Add(tc.in)
	}
	now := newFakeClock().Now()
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := ParseRetryAfter(v, now)
		if d < 0 || (!ok && d != 0) {
			t.Fatalf("ParseRetryAfter(%q) = %v, %v", v, d, ok)
		}
	})
}

func FuzzParseContentRange(f *testing.F) {
	for _, tc := range contentRangeCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, v string) {
		c, err := ParseContentRange(v)
		if err != nil {
			return
		}
		if c.First >= 0 && (c.Last < c.First || (c.Size >= 0 && c.Last >= c.Size)) || c.Length() < 0 {
			t.Fatalf("ParseContentRange(%q) = %+v: inconsistent", v, c)
		}
		back, err := ParseContentRange(c.String())
		if err != nil || back != c {
			t.Fatalf("round trip of %q: %+v -> %q -> %+v, %v", v, c, c.String(), back, err)
		}
	})
}
