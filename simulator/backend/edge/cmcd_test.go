package edge

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/abrkit/abrkit/simulator/backend/signing"
)

var cmcdCases = []struct {
	in   string
	want CMCD
	err  bool
}{
	{`br=3200,bl=21300,bs,cid="t1",mtp=25400,ot=v,sid="6e2fb550-c457-11e9-bb97-0800200c9a66",su`,
		CMCD{SessionID: "6e2fb550-c457-11e9-bb97-0800200c9a66", ContentID: "t1", BitrateKbps: 3200, BufferLength: 21300 * time.Millisecond, Throughput: 25400, ObjectType: "v", Starved: true, Startup: true}, false},
	{`sid="a,b\"c",br=10`, CMCD{SessionID: `a,b"c`, BitrateKbps: 10}, false},
	{`com.example-key="x",br=5`, CMCD{BitrateKbps: 5}, false},
	{``, CMCD{}, false},
	{`br=-1`, CMCD{}, true},
	{`bl=99999999999999999`, CMCD{}, true},
	{`br=abc`, CMCD{}, true},
	{`sid=unquoted`, CMCD{}, true},
	{`=5`, CMCD{}, true},
}

func TestParseCMCD(t *testing.T) {
	for _, tt := range cmcdCases {
		got, err := ParseCMCD(tt.in)
		if (err != nil) != tt.err || (err != nil && !errors.Is(err, ErrCMCD)) {
			t.Errorf("ParseCMCD(%q) error = %v; want error %v", tt.in, err, tt.err)
			continue
		}
		if err == nil && got != tt.want {
			t.Errorf("ParseCMCD(%q) = %+v; want %+v", tt.in, got, tt.want)
		}
	}
}

func FuzzParseCMCD(f *testing.F) {
	for _, c := range cmcdCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCMCD(s)
		if err == nil && (c.BitrateKbps < 0 || c.BufferLength < 0) {
			t.Fatalf("ParseCMCD(%q) = %+v with negative values", s, c)
		}
	})
}

func TestEdgeCMCD(t *testing.T) {
	e, _ := newTestEdge(t, Config{})
	s := signing.New("k")
	u := e.URL() + s.Path("t1", "a.m4s", t0.Add(time.Hour))
	reqs := []*http.Request{
		httptest.NewRequest("GET", u+"?CMCD=sid%3D%22s1%22%2Cbl%3D4000%2Cbr%3D1200", nil),
		httptest.NewRequest("GET", u+"?CMCD=sid%3D%22s2%22%2Cbs", nil),
		httptest.NewRequest("GET", u, nil),
		httptest.NewRequest("GET", u+"?CMCD=br%3Dx", nil),
	}
	reqs[2].Header.Set("CMCD-Session", `sid="s1"`)
	reqs[2].Header.Set("CMCD-Status", `bs`)
	for i, r := range reqs {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, r)
		if rec.Code != 200 {
			t.Errorf("request %d = %d; want 200 (CMCD never fails a request)", i, rec.Code)
		}
	}
	rep := e.Snapshot()
	if rep.Sessions != 2 || rep.Starved != 2 {
		t.Errorf("report sessions %d starved %d; want 2 and 2", rep.Sessions, rep.Starved)
	}
	if rep = e.Snapshot(); rep.Sessions != 0 || rep.Starved != 0 {
		t.Errorf("second report sessions %d starved %d; want counts reset", rep.Sessions, rep.Starved)
	}
}
