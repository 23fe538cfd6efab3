package faults

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

type fakeTarget struct {
	kills, restarts int
	imp             Impairment
}

func (f *fakeTarget) Kill() error         { f.kills++; return nil }
func (f *fakeTarget) Restart() error      { f.restarts++; return nil }
func (f *fakeTarget) Impair(i Impairment) { f.imp = i }

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestApply(t *testing.T) {
	c := NewController()
	ft := &fakeTarget{}
	c.Register("eu-1", ft)
	steps := []struct {
		f    Fault
		want Impairment
		err  error
	}{
		{Fault{Target: "eu-1", Kind: Slow, Latency: time.Second, BandwidthBps: 1000}, Impairment{Latency: time.Second, BandwidthBps: 1000}, nil},
		{Fault{Target: "eu-1", Kind: Fail, ErrorRate: 0.5, Status: 500}, Impairment{Latency: time.Second, BandwidthBps: 1000, ErrorRate: 0.5, Status: 500}, nil},
		{Fault{Target: "eu-1", Kind: Clear}, Impairment{}, nil},
		{Fault{Target: "nope", Kind: Kill}, Impairment{}, ErrUnknownTarget},
		{Fault{Target: "eu-1", Kind: "melt"}, Impairment{}, ErrBadFault},
		{Fault{Target: "eu-1", Kind: Fail, ErrorRate: 2}, Impairment{}, ErrBadFault},
		{Fault{Target: "eu-1", Kind: Slow}, Impairment{}, ErrBadFault},
	}
	for i, s := range steps {
		err := c.Apply(s.f)
		if !errors.Is(err, s.err) || (s.err == nil) != (err == nil) {
			t.Fatalf("step %d: Apply(%+v) = %v; want %v", i, s.f, err, s.err)
		}
		if ft.imp != s.want {
			t.Errorf("step %d: impairment = %+v; want %+v", i, ft.imp, s.want)
		}
	}
}

func TestSchedule(t *testing.T) {
	c := NewController()
	ft := &fakeTarget{}
	c.Register("edge", ft)
	_ = c.Schedule(t0.Add(2*time.Second), Fault{Target: "edge", Kind: Restart})
	_ = c.Schedule(t0.Add(time.Second), Fault{Target: "edge", Kind: Kill})
	if got, _ := c.Tick(t0); len(got) != 0 || ft.kills != 0 {
		t.Fatalf("Tick(t0) applied %v; want nothing", got)
	}
	if got, _ := c.Tick(t0.Add(time.Second)); len(got) != 1 || ft.kills != 1 || ft.restarts != 0 {
		t.Fatalf("Tick(t0+1s) applied %v (kills %d restarts %d); want the kill only", got, ft.kills, ft.restarts)
	}
	if st := c.States()[0]; !st.Down {
		t.Errorf("state after kill = %+v; want down", st)
	}
	if got, _ := c.Tick(t0.Add(time.Hour)); len(got) != 1 || ft.restarts != 1 {
		t.Fatalf("Tick(t0+1h) applied %v; want the restart", got)
	}
	if len(c.Pending()) != 0 {
		t.Errorf("Pending() = %v; want empty", c.Pending())
	}
}

func TestImpairedRoll(t *testing.T) {
	s := NewImpaired(1)
	s.Set(Impairment{ErrorRate: 1})
	if _, st := s.Roll(); st != 503 {
		t.Errorf("Roll() status = %d; want 503 at error rate 1", st)
	}
	s.Set(Impairment{ErrorRate: 0.5, Status: 500})
	fails := 0
	for i := 0; i < 1000; i++ {
		if _, st := s.Roll(); st == 500 {
			fails++
		}
	}
	if fails < 400 || fails > 600 {
		t.Errorf("Roll() failed %d of 1000 at rate 0.5; want about 500", fails)
	}
}

// adminCases feeds TestAdmin and the fuzz seeds.
var adminCases = []struct {
	name, body string
	code       int
}{
	{"kill", `{"target":"eu-1","kind":"kill"}`, 200},
	{"slow", `{"target":"eu-1","kind":"slow","latency":"200ms","bandwidth_bps":1000000}`, 200},
	{"scheduled", `{"target":"eu-1","kind":"restart","in":"30s"}`, 202},
	{"at", `{"target":"eu-1","kind":"clear","at":"2026-01-01T00:01:00Z"}`, 202},
	{"unknown target", `{"target":"mars","kind":"kill"}`, 404},
	{"bad kind", `{"target":"eu-1","kind":"explode"}`, 400},
	{"unknown field", `{"target":"eu-1","kind":"kill","force":true}`, 400},
	{"malformed", `{"target":`, 400},
	{"trailing", `{"target":"eu-1","kind":"kill"} {}`, 400},
	{"bad latency", `{"target":"eu-1","kind":"slow","latency":"soon"}`, 400},
	{"negative in", `{"target":"eu-1","kind":"kill","in":"-1s"}`, 400},
	{"both times", `{"target":"eu-1","kind":"kill","in":"1s","at":"2026-01-01T00:01:00Z"}`, 400},
	{"huge", `{"target":"` + strings.Repeat("x", MaxRequestBytes) + `"}`, 413},
}

func TestAdmin(t *testing.T) {
	c := NewController()
	c.Register("eu-1", &fakeTarget{})
	h := c.Handler(func() time.Time { return t0 })
	for _, tt := range adminCases {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/admin/v1/faults", strings.NewReader(tt.body)))
			if rec.Code != tt.code {
				t.Errorf("POST %s = %d %s; want %d", tt.body, rec.Code, rec.Body, tt.code)
			}
		})
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/admin/v1/faults", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"pending":[{`) {
		t.Errorf("GET = %d %s; want 200 with pending faults", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodDelete, "/admin/v1/faults", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("DELETE = %d; want 405", rec.Code)
	}
}

func FuzzDecodeRequest(f *testing.F) {
	for _, c := range adminCases {
		if len(c.body) < 1000 {
			f.Add([]byte(c.body))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fl, _, err := DecodeRequest(data, t0)
		if err == nil {
			if verr := fl.Validate(); verr != nil {
				t.Fatalf("DecodeRequest accepted an invalid fault: %v", verr)
			}
		}
	})
}
