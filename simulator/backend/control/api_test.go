package control

import (
	"errors"
	"strings"
	"testing"

	"github.com/abrkit/abrkit/simulator/backend/signing"
)

// decodeCases feed the decode tests and the fuzz seeds.
var loginCases = []struct {
	body string
	ok   bool
}{
	{`{"user":"ann","password":"pw"}`, true},
	{`{"user":"ann","password":"pw","region":"eu","extra":1}`, true},
	{`{"user":"","password":"pw"}`, false},
	{`{"user":"ann"}`, false},
	{`{"user":"a\u0000b","password":"pw"}`, false},
	{`{"user":"ann","password":"pw","region":"../x"}`, false},
	{`{"user":"` + strings.Repeat("a", 300) + `","password":"pw"}`, false},
	{`{"user":1}`, false},
	{`{`, false},
	{`null`, false},
	{`{"user":"a","password":"b"} x`, false},
}

var playCases = []struct {
	body string
	ok   bool
}{
	{`{"title":"t1"}`, true},
	{`{"title":"t1","device":"tv","region":"us"}`, true},
	{`{"title":"../t1"}`, false},
	{`{"title":""}`, false},
	{`{"title":"t1","region":"a b"}`, false},
	{`{"title":["t1"]}`, false},
	{`[]`, false},
}

var eventsCases = []struct {
	body string
	ok   bool
}{
	{`{"session":"s","events":[{"type":"start","t":0}]}`, true},
	{`{"events":[{"type":"stall","t":3,"duration_s":1.2,"cmcd":"bl=3000,br=1200"}]}`, true},
	{`{"events":[]}`, false},
	{`{"events":[{"t":1}]}`, false},
	{`{"events":[{"type":"` + strings.Repeat("x", 100) + `"}]}`, false},
	{`{"events":"start"}`, false},
	{`{"events":[{"type":"a"},{"type":"b"},{"type":"c"},{"type":"d"}]}`, false}, // over the batch of 3
}

func TestDecoders(t *testing.T) {
	for _, c := range loginCases {
		_, err := DecodeLogin([]byte(c.body))
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, ErrBadRequest)) {
			t.Errorf("DecodeLogin(%.60s) = %v; want ok %v", c.body, err, c.ok)
		}
	}
	for _, c := range playCases {
		_, err := DecodePlay([]byte(c.body))
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, ErrBadRequest)) {
			t.Errorf("DecodePlay(%.60s) = %v; want ok %v", c.body, err, c.ok)
		}
	}
	for _, c := range eventsCases {
		_, err := DecodeEvents([]byte(c.body), 3)
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, ErrBadRequest)) {
			t.Errorf("DecodeEvents(%.60s) = %v; want ok %v", c.body, err, c.ok)
		}
	}
}

func TestDecodeReport(t *testing.T) {
	tests := []struct {
		body string
		ok   bool
	}{
		{`{"id":"eu-1","region":"eu","url":"http://127.0.0.1:1","healthy":true}`, true},
		{`{"id":"../x","url":"http://127.0.0.1:1"}`, false},
		{`{"id":"eu-1","url":"file:///etc/passwd"}`, false},
		{`{"id":"eu-1","url":"http://"}`, false},
		{`{"id":"eu-1"`, false},
	}
	for _, tt := range tests {
		if _, err := decodeReport([]byte(tt.body)); (err == nil) != tt.ok {
			t.Errorf("decodeReport(%s) = %v; want ok %v", tt.body, err, tt.ok)
		}
	}
}

func FuzzDecodeLogin(f *testing.F) {
	for _, c := range loginCases {
		f.Add([]byte(c.body))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := DecodeLogin(data)
		if err == nil && (r.User == "" || r.Password == "") {
			t.Fatalf("DecodeLogin accepted empty credentials: %+v", r)
		}
	})
}

func FuzzDecodePlay(f *testing.F) {
	for _, c := range playCases {
		f.Add([]byte(c.body))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := DecodePlay(data)
		if err == nil && !signing.CleanID(r.Title) {
			t.Fatalf("DecodePlay accepted title %q", r.Title)
		}
	})
}

func FuzzDecodeEvents(f *testing.F) {
	for _, c := range eventsCases {
		f.Add([]byte(c.body))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := DecodeEvents(data, 3)
		if err == nil && (len(r.Events) == 0 || len(r.Events) > 3) {
			t.Fatalf("DecodeEvents accepted %d events", len(r.Events))
		}
	})
}

func FuzzDecodeReport(f *testing.F) {
	f.Add([]byte(`{"id":"eu-1","region":"eu","url":"http://127.0.0.1:1","healthy":true,"titles":["t1"]}`))
	f.Add([]byte(`{"id":"eu-1","url":"ftp://x"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := decodeReport(data)
		if err == nil && r.ID == "" {
			t.Fatal("decodeReport accepted an empty id")
		}
	})
}
