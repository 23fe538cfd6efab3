package journey

import (
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
)

// fakeService is a plain HTTP service with its own API: login answers a
// token, the catalog lists ids, play needs both.
type fakeService struct {
	mu     sync.Mutex
	played map[string]int // title id -> plays
	tokens map[string]string
}

func (f *fakeService) handler() http.Handler {
	m := http.NewServeMux()
	m.HandleFunc("POST /api/login", func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Username, Password string }
		if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req); err != nil || req.Password != "s3cret" {
			http.Error(w, "bad login", http.StatusUnauthorized)
			return
		}
		tok := "tok-" + req.Username
		f.mu.Lock()
		f.tokens[tok] = req.Username
		f.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]any{"auth": map[string]any{"access_token": tok, "expires_in": 3600}})
	})
	auth := func(r *http.Request) bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		_, ok := f.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
		return ok
	}
	m.HandleFunc("GET /api/catalog", func(w http.ResponseWriter, r *http.Request) {
		if !auth(r) {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"items": []map[string]any{{"id": "m-42", "name": "A"}, {"id": "m-7", "name": "B"}}})
	})
	m.HandleFunc("POST /api/titles/{id}/play", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if !auth(r) || (id != "m-42" && id != "m-7") {
			http.Error(w, "no", http.StatusForbidden)
			return
		}
		f.mu.Lock()
		f.played[id]++
		f.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"manifest":"https://cdn.example/`+id+`.m3u8"}`)
	})
	return m
}

func startServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = 5*time.Second, 5*time.Second
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func TestAdapterJourneyDrivesAPlainService(t *testing.T) {
	f := &fakeService{played: map[string]int{}, tokens: map[string]string{}}
	srv := startServer(t, f.handler())
	j, err := Load("testdata/adapter.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const viewers = 8
	res, err := Run(context.Background(), j, Options{Target: srv.URL, Viewers: viewers, Sessions: 1, Duration: time.Hour,
		Ramp: -1, Clock: clock.NewFake(time.Unix(0, 0))})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sessions != viewers {
		t.Errorf("sessions %d, want %d", res.Sessions, viewers)
	}
	for _, step := range []string{"login", "browse", "play"} {
		st := res.Step(step)
		if st.Requests != viewers || st.Failures != 0 || st.ExtractFailures != 0 || st.Skipped != 0 {
			t.Errorf("%s: %d requests, %d failed, %d extract failures, %d skipped; errors %v", step, st.Requests, st.Failures,
				st.ExtractFailures, st.Skipped, res.Errors())
		}
	}
	f.mu.Lock()
	plays := f.played["m-42"] + f.played["m-7"]
	f.mu.Unlock()
	if plays != viewers || len(f.tokens) != viewers {
		t.Errorf("service saw %d plays of extracted ids and %d logins; want %d each", plays, len(f.tokens), viewers)
	}
	vs, err := res.Judge(j.SLOs)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if !v.Held || !v.HasData {
			t.Errorf("SLO %s: held %v, observed %s", v.Expr, v.Held, v.ObservedText)
		}
	}
}

func TestAdapterFailuresAreCounted(t *testing.T) {
	f := &fakeService{played: map[string]int{}, tokens: map[string]string{}}
	srv := startServer(t, f.handler())
	src := `
vars: {password: wrong}
steps:
  login:
    request: {method: POST, url: "{{base}}/api/login", body: '{"username":"{{viewer}}","password":"{{password}}"}'}
    extract: {token: auth.access_token}
    on_error: browse
    next: {browse: 1}
  browse:
    request: {url: "{{base}}/api/catalog", headers: {Authorization: "Bearer {{token}}"}}
slos: ["api.login.availability > 99%"]
`
	j, err := Parse([]byte(src), "inline.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), j, Options{Target: srv.URL, Viewers: 3, Sessions: 2, Duration: time.Hour, Ramp: -1,
		Clock: clock.NewFake(time.Unix(0, 0))})
	if err != nil {
		t.Fatal(err)
	}
	login, browse := res.Step("login"), res.Step("browse")
	if login.Requests != 6 || login.Failures != 6 || browse.Requests != 0 || browse.Skipped != 6 {
		t.Errorf("login %d/%d failed, browse %d requests %d skipped; errors %v", login.Failures, login.Requests, browse.Requests, browse.Skipped, res.Errors())
	}
	vs, _ := res.Judge(j.SLOs)
	if len(vs) != 1 || vs[0].Held {
		t.Errorf("verdicts %+v; want the login SLO breached", vs)
	}
	if e := res.Errors(); e["login: status 401"] != 6 || e["browse: {{token}} is not set yet"] != 6 {
		t.Errorf("errors %v", e)
	}
}

const walkerJourney = `
start: login
steps:
  login:
    request: {method: POST, url: "{{base}}/v1/login", body: '{"user":"{{member}}"}'}
    extract: {token: token}
    next: {play: 1}
  play:
    request: {method: POST, url: "{{base}}/v1/play", headers: {Authorization: "Bearer {{token}}"}, body: '{"title":"t1"}'}
    extract: {session: session}
    think: 30s
    next: {heartbeat: 1}
  heartbeat:
    request: {method: POST, url: "{{base}}/v1/heartbeat", body: '{"session":"{{session}}","n":{{n}}}'}
    think: 30s
    next: {heartbeat: 1}
`

// TestWalkerPlay: a walker's session hands the play answer over to the
// driver and sends a heartbeat every 30 s (fake clock) while it plays;
// a failed play request hands nothing over.
func TestWalkerPlay(t *testing.T) {
	tests := []struct {
		name       string
		playStatus int
		beats      int // heartbeat intervals the play lasts
		wantPlay   bool
	}{
		{"plays with heartbeats", http.StatusOK, 3, true},
		{"plays shorter than a heartbeat", http.StatusOK, 0, true},
		{"play refused", http.StatusServiceUnavailable, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var beats []string
			m := http.NewServeMux()
			m.HandleFunc("POST /v1/login", func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.WriteString(w, `{"token":"tk"}`)
			})
			m.HandleFunc("POST /v1/play", func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Authorization") != "Bearer tk" {
					http.Error(w, "no", http.StatusUnauthorized)
					return
				}
				w.WriteHeader(tt.playStatus)
				_, _ = io.WriteString(w, `{"session":"s-9","hls":"http://edge/x.m3u8"}`)
			})
			m.HandleFunc("POST /v1/heartbeat", func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(io.LimitReader(r.Body, 1024))
				mu.Lock()
				beats = append(beats, string(b))
				mu.Unlock()
			})
			srv := httptest.NewServer(m)
			defer srv.Close()
			j, err := Parse([]byte(walkerJourney), "w.yaml")
			if err != nil {
				t.Fatal(err)
			}
			clk := clock.NewFake(time.Unix(1e9, 0))
			recorded := map[string]int{}
			w, err := NewWalker(j, Options{Target: srv.URL, Clock: clk, Record: func(step string, _ time.Time, lat time.Duration, failed bool) {
				mu.Lock()
				defer mu.Unlock()
				if lat > 0 && !failed {
					recorded[step]++
				}
			}})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			played := false
			done := make(chan struct{})
			go func() {
				defer close(done)
				w.Session(ctx, "viewer-1", "member-1", rand.New(rand.NewPCG(1, 2)), func(ctx context.Context, sent time.Time, answer []byte, vars map[string]string) {
					played = true
					var a struct{ HLS string }
					if err := json.Unmarshal(answer, &a); err != nil || a.HLS != "http://edge/x.m3u8" || vars["session"] != "s-9" || sent.After(time.Now()) {
						t.Errorf("play got answer %q (%v), session %q, sent %v", answer, err, vars["session"], sent)
					}
					for range tt.beats {
						// the heartbeat loop waits on the clock: let one interval pass
						if err := clk.BlockUntil(ctx, 1); err != nil {
							t.Error(err)
							return
						}
						clk.Advance(30 * time.Second)
					}
					if err := clk.BlockUntil(ctx, 1); err != nil { // the last heartbeat was sent
						t.Error(err)
					}
				})
			}()
			if !tt.wantPlay {
				// the failed step's think time before the session exits
				if err := clk.BlockUntil(ctx, 1); err != nil {
					t.Fatal(err)
				}
				clk.Advance(30 * time.Second)
			}
			<-done
			if played != tt.wantPlay {
				t.Fatalf("played %v; want %v", played, tt.wantPlay)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(beats) != tt.beats || recorded["heartbeat"] != tt.beats {
				t.Errorf("%d heartbeats sent, %d recorded; want %d", len(beats), recorded["heartbeat"], tt.beats)
			}
			for i, b := range beats {
				if want := `"n":` + string(rune('1'+i)); !strings.Contains(b, `"session":"s-9"`) || !strings.Contains(b, want) {
					t.Errorf("heartbeat %d = %s; want session s-9 and %s", i, b, want)
				}
			}
			if recorded["login"] != 1 || (recorded["play"] == 1) != tt.wantPlay {
				t.Errorf("recorded %v; want login once, play once when it succeeded", recorded)
			}
			if s := w.Result().Step("play"); s.Requests != 1 {
				t.Errorf("play requests %d; want 1", s.Requests)
			}
		})
	}
}
