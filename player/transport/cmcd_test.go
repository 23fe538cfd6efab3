package transport

import (
	"errors"
	"net/http"
	"reflect"
	"testing"
	"time"
)

// specCMCD is the example of CTA-5004 (all keys).
var specCMCD = CMCD{
	Bitrate: 3_200_000, BufferLength: 21300 * time.Millisecond, Starved: true,
	ContentID: "faec5fc2-ac30-11eabb37-0242ac130002", Duration: 4004 * time.Millisecond,
	Deadline: 18500 * time.Millisecond, Throughput: 48_100_000, NextObject: "../300kbps/track.m4v",
	NextRange: "12323-48763", ObjectType: ObjectVideo, PlaybackRate: 1.08, MaxThroughput: 12_000_000,
	Format: FormatDASH, SessionID: "6e2fb550-c457-11e9-bb97-0800200c9a66", StreamType: StreamVOD,
	Startup: true, TopBitrate: 6_000_000,
}

const (
	specPayload = `bl=21300,br=3200,bs,cid="faec5fc2-ac30-11eabb37-0242ac130002",d=4004,dl=18500,mtp=48100,` +
		`nor="..%2F300kbps%2Ftrack.m4v",nrr="12323-48763",ot=v,pr=1.08,rtp=12000,sf=d,` +
		`sid="6e2fb550-c457-11e9-bb97-0800200c9a66",st=v,su,tb=6000`
	specQuery = `CMCD=bl%3D21300%2Cbr%3D3200%2Cbs%2Ccid%3D%22faec5fc2-ac30-11eabb37-0242ac130002%22%2Cd%3D4004%2C` +
		`dl%3D18500%2Cmtp%3D48100%2Cnor%3D%22..%252F300kbps%252Ftrack.m4v%22%2Cnrr%3D%2212323-48763%22%2Cot%3Dv%2C` +
		`pr%3D1.08%2Crtp%3D12000%2Csf%3Dd%2Csid%3D%226e2fb550-c457-11e9-bb97-0800200c9a66%22%2Cst%3Dv%2Csu%2Ctb%3D6000`
)

var specHeaders = map[string]string{
	HeaderCMCDObject:  `br=3200,d=4004,ot=v,tb=6000`,
	HeaderCMCDRequest: `bl=21300,dl=18500,mtp=48100,nor="..%2F300kbps%2Ftrack.m4v",nrr="12323-48763",su`,
	HeaderCMCDSession: `cid="faec5fc2-ac30-11eabb37-0242ac130002",pr=1.08,sf=d,sid="6e2fb550-c457-11e9-bb97-0800200c9a66",st=v`,
	HeaderCMCDStatus:  `bs,rtp=12000`,
}

func TestCMCDSpecExample(t *testing.T) {
	c := specCMCD
	if got := c.Payload(); got != specPayload {
		t.Errorf("Payload() =\n%s\nwant\n%s", got, specPayload)
	}
	if got := c.QueryValue(); got != specQuery {
		t.Errorf("QueryValue() =\n%s\nwant\n%s", got, specQuery)
	}
	h := http.Header{}
	c.SetHeaders(h)
	for name, want := range specHeaders {
		if got := h.Get(name); got != want {
			t.Errorf("header %s = %s; want %s", name, got, want)
		}
	}
	for _, name := range []string{"query", "headers"} {
		var back CMCD
		var err error
		if name == "query" {
			back, err = ParseCMCDQuery(specQuery)
		} else {
			back, err = ParseCMCDHeaders(h)
		}
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		if !reflect.DeepEqual(back, specCMCD) {
			t.Errorf("parse %s = %+v; want %+v", name, back, specCMCD)
		}
	}
}

func TestCMCDEncodeRounding(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name string
		c    CMCD
		want string
	}{
		{"empty", CMCD{}, ""},
		{"bl down", CMCD{BufferLength: 21349 * ms}, "bl=21300"},
		{"bl half up", CMCD{BufferLength: 21350 * ms}, "bl=21400"},
		{"bl tiny is one unit", CMCD{BufferLength: 30 * ms}, "bl=100"},
		{"mtp tiny is one unit", CMCD{Throughput: 1000}, "mtp=100"},
		{"dl", CMCD{Deadline: 18451 * ms}, "dl=18500"},
		{"mtp down", CMCD{Throughput: 48_149_000}, "mtp=48100"},
		{"mtp up", CMCD{Throughput: 48_150_000}, "mtp=48200"},
		{"rtp", CMCD{MaxThroughput: 11_960_000}, "rtp=12000"},
		{"br rounds to kbps", CMCD{Bitrate: 3_199_600}, "br=3200"},
		{"tb", CMCD{TopBitrate: 5_999_499}, "tb=5999"},
		{"d rounds to ms", CMCD{Duration: 4004*ms + 600*time.Microsecond}, "d=4005"},
		{"pr 1 not sent", CMCD{PlaybackRate: 1}, ""},
		{"pr 3 decimals", CMCD{PlaybackRate: 1.23456}, "pr=1.235"},
		{"v 1 not sent", CMCD{Version: 1}, ""},
		{"v 2", CMCD{Version: 2}, "v=2"},
		{"false booleans omitted", CMCD{ObjectType: ObjectInit}, "ot=i"},
		{"string escapes", CMCD{ContentID: `a"b\c`}, `cid="a\"b\\c"`},
		{"cid cut to 64", CMCD{SessionID: "0123456789012345678901234567890123456789012345678901234567890123456789"},
			`sid="0123456789012345678901234567890123456789012345678901234567890123"`},
		{"nor encoded", CMCD{NextObject: "seg 1.m4s?x=1&y=2"}, `nor="seg%201.m4s%3Fx%3D1%26y%3D2"`},
		{"order", CMCD{Version: 2, Startup: true, Starved: true, BufferLength: time.Second, Bitrate: 1000}, "bl=1000,br=1,bs,su,v=2"},
	}
	for _, tc := range tests {
		if got := tc.c.Payload(); got != tc.want {
			t.Errorf("%s: Payload() = %q; want %q", tc.name, got, tc.want)
		}
	}
	if q := (&CMCD{}).QueryValue(); q != "" {
		t.Errorf("empty QueryValue() = %q; want \"\"", q)
	}
	h := http.Header{HeaderCMCDStatus: {"bs"}}
	(&CMCD{Bitrate: 1000}).SetHeaders(h)
	if h.Get(HeaderCMCDStatus) != "" || h.Get(HeaderCMCDObject) != "br=1" {
		t.Errorf("SetHeaders left %v; want only CMCD-Object: br=1", h)
	}
}

var cmcdParseCases = []struct {
	name string
	in   string
	want CMCD
	key  string // "" ok; else the error names this key
}{
	{"spec", specPayload, specCMCD, ""},
	{"spaces after commas", `br=3200, bs, ot=v`, CMCD{Bitrate: 3_200_000, Starved: true, ObjectType: ObjectVideo}, ""},
	{"unknown keys ignored", `com.example-x="y",br=1,zz=5`, CMCD{Bitrate: 1000}, ""},
	{"sf boolean form", `su=?1,bs=?0`, CMCD{Startup: true}, ""},
	{"comma in string", `cid="a,b",sid="c"`, CMCD{ContentID: "a,b", SessionID: "c"}, ""},
	{"escaped quote", `cid="a\"b"`, CMCD{ContentID: `a"b`}, ""},
	{"empty", ``, CMCD{}, ""},
	{"string unquoted", `cid=abc`, CMCD{}, "cid"},
	{"token quoted", `ot="v"`, CMCD{}, "ot"},
	{"integer bad", `br=3.5`, CMCD{}, "br"},
	{"integer negative", `bl=-100`, CMCD{}, "bl"},
	{"integer missing", `br`, CMCD{}, "br"},
	{"boolean with value", `bs=1`, CMCD{}, "bs"},
	{"pr bad", `pr=fast`, CMCD{}, "pr"},
	{"unterminated", `cid="abc`, CMCD{}, "cid"},
	{"bad escape", `cid="a\b"`, CMCD{}, "cid"},
	{"junk after string", `cid="a"b`, CMCD{}, "cid"},
	{"trailing comma", `br=1,`, CMCD{}, ""},
	{"bad key", `BR=1`, CMCD{}, "BR"},
	{"nor not encoded", `nor="%zz"`, CMCD{}, "nor"},
}

func TestParseCMCD(t *testing.T) {
	for _, tc := range cmcdParseCases {
		got, err := ParseCMCD(tc.in)
		wantErr := tc.key != "" || tc.name == "trailing comma"
		if wantErr {
			if err == nil || !errors.Is(err, ErrBadHeader) {
				t.Errorf("%s: ParseCMCD(%q) = %v; want error wrapping ErrBadHeader", tc.name, tc.in, err)
			} else if tc.key != "" && !contains(err.Error(), tc.key) {
				t.Errorf("%s: error %q does not name key %s", tc.name, err, tc.key)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: ParseCMCD(%q) = %+v, %v; want %+v", tc.name, tc.in, got, err, tc.want)
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestCMCDSeeds(t *testing.T) {
	var names, ins []string
	for _, tc := range cmcdParseCases {
		names, ins = append(names, tc.name), append(ins, tc.in)
	}
	checkSeeds(t, "FuzzParseCMCD", names, ins)
}

// FuzzParseCMCD: whatever parses encodes to a payload that parses back
// to the same encoding (encoding normalises once, then is stable).
func FuzzParseCMCD(f *testing.F) {
	for _, tc := range cmcdParseCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCMCD(s)
		if err != nil {
			if !errors.Is(err, ErrBadHeader) {
				t.Fatalf("error %v does not wrap ErrBadHeader", err)
			}
			return
		}
		p1 := c.Payload()
		c2, err := ParseCMCD(p1)
		if err != nil {
			t.Fatalf("ParseCMCD(Payload()) of %q: %q: %v", s, p1, err)
		}
		if p2 := c2.Payload(); p2 != p1 {
			t.Fatalf("not stable: %q -> %q -> %q", s, p1, p2)
		}
		h := http.Header{}
		c.SetHeaders(h)
		c3, err := ParseCMCDHeaders(h)
		if err != nil || c3.Payload() != p1 {
			t.Fatalf("headers round trip of %q: %q, %v; want %q", s, c3.Payload(), err, p1)
		}
		c4, err := ParseCMCDQuery(c.QueryValue())
		if err != nil || c4.Payload() != p1 {
			t.Fatalf("query round trip of %q: %q, %v; want %q", s, c4.Payload(), err, p1)
		}
	})
}

func BenchmarkCMCDQuery(b *testing.B) {
	c := specCMCD
	b.ReportAllocs()
	for b.Loop() {
		_ = c.QueryValue()
	}
}

func BenchmarkCMCDAppendPayload(b *testing.B) {
	c := specCMCD
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = c.AppendPayload(buf[:0])
	}
}

func BenchmarkCMCDHeaders(b *testing.B) {
	c := specCMCD
	h := http.Header{}
	b.ReportAllocs()
	for b.Loop() {
		c.SetHeaders(h)
	}
}

func BenchmarkParseCMCD(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_, _ = ParseCMCD(specPayload)
	}
}

// cmcdModeCases feed the ParseCMCDMode test and its fuzz seeds.
var cmcdModeCases = []struct {
	in   string
	want CMCDMode
	ok   bool
}{{"query", CMCDQuery, true}, {"headers", CMCDHeaders, true}, {"off", CMCDOff, true}, {"", 0, false}, {"Query", 0, false}}

func TestParseCMCDMode(t *testing.T) {
	for _, tc := range cmcdModeCases {
		got, err := ParseCMCDMode(tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("ParseCMCDMode(%q) = %v, %v; want %v (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
		if tc.ok && got.String() != tc.in {
			t.Errorf("%v.String() = %q; want %q", got, got.String(), tc.in)
		}
	}
	var zero CMCDMode
	if zero != CMCDQuery {
		t.Errorf("zero CMCDMode = %v; want query (CMCD on by default)", zero)
	}
}

func TestParseCMCDModeSeeds(t *testing.T) {
	var names, ins []string
	for _, tc := range cmcdModeCases {
		names, ins = append(names, "mode "+tc.in), append(ins, tc.in)
	}
	checkSeeds(t, "FuzzParseCMCDMode", names, ins)
}

// FuzzParseCMCDMode: a parsed mode prints as its input, and UnmarshalText agrees.
func FuzzParseCMCDMode(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseCMCDMode(s)
		var u CMCDMode
		uerr := u.UnmarshalText([]byte(s))
		if (err == nil) != (uerr == nil) || u != m {
			t.Fatalf("ParseCMCDMode(%q) = %v, %v; UnmarshalText = %v, %v", s, m, err, u, uerr)
		}
		if err == nil && m.String() != s {
			t.Fatalf("ParseCMCDMode(%q).String() = %q", s, m.String())
		}
	})
}
