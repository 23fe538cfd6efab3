package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/abrkit/abrkit/download"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/simulator/backend/packager"
)

func TestTable(t *testing.T) {
	tb := newTable()
	a := tb.add("a")
	b := tb.add(1)
	if a <= 0 || b <= a {
		t.Fatalf("handles %d, %d; want positive and increasing", a, b)
	}
	if s, err := lookup[string](tb, a); err != nil || s != "a" {
		t.Errorf("lookup[string](%d) = %q, %v; want a", a, s, err)
	}
	if _, err := lookup[string](tb, b); !errors.Is(err, errInvalidHandle) {
		t.Errorf("lookup of the wrong kind = %v; want errInvalidHandle", err)
	}
	if _, ok := tb.remove(a); !ok {
		t.Errorf("remove(%d) found nothing", a)
	}
	if _, err := lookup[string](tb, a); !errors.Is(err, errInvalidHandle) {
		t.Errorf("lookup after remove = %v; want errInvalidHandle", err)
	}
	if c := tb.add("c"); c == a {
		t.Errorf("handle %d reused", c)
	}
	if n := tb.len(); n != 2 {
		t.Errorf("len = %d; want 2", n)
	}
}

func TestTableConcurrent(t *testing.T) {
	tb := newTable()
	var wg sync.WaitGroup
	seen := make(chan Handle, 800)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				h := tb.add(i)
				seen <- h
				if i%2 == 0 {
					tb.remove(h)
				}
			}
		}()
	}
	wg.Wait()
	close(seen)
	uniq := map[Handle]bool{}
	for h := range seen {
		if uniq[h] {
			t.Fatalf("handle %d issued twice", h)
		}
		uniq[h] = true
	}
	if n := tb.len(); n != 400 {
		t.Errorf("len = %d; want 400", n)
	}
}

func TestCodeOf(t *testing.T) {
	tests := []struct {
		err  error
		want Code
	}{
		{nil, CodeOK},
		{errInvalidHandle, CodeInvalidHandle},
		{fmt.Errorf("x: %w", errInvalidArg), CodeInvalidArgument},
		{player.ErrClosed, CodeClosed},
		{download.ErrClosed, CodeClosed},
		{errNotLoaded, CodeNotLoaded},
		{errLoaded, CodeBadState},
		{fmt.Errorf("load: %w", context.DeadlineExceeded), CodeTimeout},
		{&player.PlaybackError{Category: player.ErrHTTP, Status: 404, Err: player.ErrStatus}, CodeNetwork},
		{&player.PlaybackError{Category: player.ErrNetwork}, CodeNetwork},
		{&player.PlaybackError{Category: player.ErrManifest}, CodeManifest},
		{&player.PlaybackError{Category: player.ErrDRM, Err: player.ErrKey}, CodeDRM},
		{&player.PlaybackError{Category: player.ErrMedia}, CodePlayback},
		{player.ErrTooManyErrors, CodePlayback},
		{download.ErrNotFound, CodeNotFound},
		{download.ErrExists, CodeExists},
		{&download.SpaceError{Err: download.ErrDiskFull}, CodeNoSpace},
		{download.ErrExpired, CodeExpired},
		{download.ErrIncomplete, CodeIncomplete},
		{errors.New("mystery"), CodeInternal},
	}
	for _, tc := range tests {
		if got := codeOf(tc.err); got != tc.want {
			t.Errorf("codeOf(%v) = %v; want %v", tc.err, got, tc.want)
		}
	}
}

// header is abrkit.h.
func header(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("abrkit.h")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// defines reads `#define PREFIX_NAME value` lines of the header.
func defines(t *testing.T, prefix string) map[string]int {
	t.Helper()
	out := map[string]int{}
	re := regexp.MustCompile(`(?m)^#define (` + prefix + `\w*)\s+(-?\d+)`)
	for _, m := range re.FindAllStringSubmatch(header(t), -1) {
		v, _ := strconv.Atoi(m[2])
		out[m[1]] = v
	}
	return out
}

// The header's constants must equal the Go values they mirror.
func TestHeaderConstants(t *testing.T) {
	codes := defines(t, "ABRKIT_(?:OK|E_)")
	for c, name := range codeNames {
		if v, ok := codes[name]; !ok || v != int(c) {
			t.Errorf("abrkit.h %s = %d (defined %v); want %d", name, v, ok, c)
		}
	}
	if len(codes) != len(codeNames) {
		t.Errorf("abrkit.h has %d result codes; Go has %d", len(codes), len(codeNames))
	}
	states := defines(t, "ABRKIT_STATE_")
	for s := player.StateIdle; s <= player.StateFailed; s++ {
		name := "ABRKIT_STATE_" + strings.ToUpper(s.String())
		if v, ok := states[name]; !ok || v != int(s) {
			t.Errorf("abrkit.h %s = %d (defined %v); want %d", name, v, ok, s)
		}
	}
	kinds := defines(t, "ABRKIT_EVENT_")
	for k := player.EventLoading; k <= player.EventTrackSwitch; k++ {
		name := "ABRKIT_EVENT_" + strings.ToUpper(k.String())
		if v, ok := kinds[name]; !ok || v != int(k) {
			t.Errorf("abrkit.h %s = %d (defined %v); want %d", name, v, ok, k)
		}
	}
	dkinds := defines(t, "ABRKIT_DOWNLOAD_EVENT_")
	for k := download.EventState; k <= download.EventRefresh; k++ {
		name := "ABRKIT_DOWNLOAD_EVENT_" + strings.ToUpper(k.String())
		if v, ok := dkinds[name]; !ok || v != int(k) {
			t.Errorf("abrkit.h %s = %d (defined %v); want %d", name, v, ok, k)
		}
	}
	if len(kinds) != int(player.EventTrackSwitch) {
		t.Errorf("abrkit.h has %d event kinds; Go has %d", len(kinds), player.EventTrackSwitch)
	}
}

// Every function the header declares is implemented, by //export in Go or
// in the C preamble of bridge.go, and nothing else is exported.
func TestHeaderPrototypes(t *testing.T) {
	proto := regexp.MustCompile(`(?m)^[a-z_0-9 ]+\*?\s*(abrkit_\w+)\(`)
	var declared []string
	for _, m := range proto.FindAllStringSubmatch(header(t), -1) {
		declared = append(declared, m[1])
	}
	var defined []string
	for _, f := range []string{"exports.go", "bridge.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`(?m)^//export (\w+)$`).FindAllStringSubmatch(string(b), -1) {
			defined = append(defined, m[1])
		}
		for _, m := range regexp.MustCompile(`(?m)^[a-z_0-9 ]+\*?\s*(abrkit_[a-z_]+)\([^;]*\{`).FindAllStringSubmatch(string(b), -1) {
			if f == "bridge.go" && !strings.HasPrefix(m[1], "abrkit_bridge_") {
				defined = append(defined, m[1])
			}
		}
	}
	sort.Strings(declared)
	sort.Strings(defined)
	if strings.Join(declared, " ") != strings.Join(defined, " ") {
		t.Errorf("abrkit.h declares\n%v\nthe library defines\n%v", declared, defined)
	}
	if len(declared) < 25 {
		t.Errorf("only %d prototypes parsed from abrkit.h", len(declared))
	}
}

func TestConfigOptions(t *testing.T) {
	tests := []struct {
		cfg     Config
		n       int
		wantErr error
	}{
		{Config{}, 0, nil},
		{Config{ABR: "bola", MaxBitrate: 1e6, StartBitrate: 5e5, MaxRetries: 2, NoAutoPlay: true, StartPosition: time.Second}, 6, nil},
		{Config{ABR: "nope"}, 0, errInvalidArg},
		{Config{LicenseURL: "http://127.0.0.1:1/license", Keys: "00112233445566778899aabbccddeeff\n0123456789abcdef0123456789abcdef:00112233445566778899aabbccddeeff"}, 3, nil},
		{Config{Keys: "not a key"}, 0, errInvalidArg},
		{Config{MaxBitrate: -1}, 0, errInvalidArg},
	}
	for _, tc := range tests {
		opts, err := tc.cfg.options()
		if !errors.Is(err, tc.wantErr) || len(opts) != tc.n {
			t.Errorf("%+v.options() = %d options, %v; want %d, %v", tc.cfg, len(opts), err, tc.n, tc.wantErr)
		}
	}
}

func TestSessionBeforeLoad(t *testing.T) {
	s, err := newSession(Config{ABR: "bb"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	for name, err := range map[string]error{
		"play":  s.do((*player.Player).Play),
		"seek":  s.seek(time.Second),
		"abr":   s.setABR("bola"),
		"wait":  s.wait(context.Background()),
		"poll":  s.poll(),
		"max":   s.setMaxBitrate(1),
		"seek-": s.seek(-time.Second),
	} {
		want := errNotLoaded
		if name == "seek-" {
			want = errInvalidArg
		}
		if !errors.Is(err, want) {
			t.Errorf("%s before load = %v; want %v", name, err, want)
		}
	}
	st, err := s.status()
	if err != nil || st.State != player.StateIdle || st.ABR != "bb" {
		t.Errorf("status before load = %+v, %v; want idle with abr bb", st, err)
	}
	if q, err := s.qoeJSON(); err != nil || !strings.Contains(string(q), `"started":false`) {
		t.Errorf("qoe before load = %s, %v", q, err)
	}
	if err := s.load(context.Background(), ""); !errors.Is(err, errInvalidArg) {
		t.Errorf("load(\"\") = %v; want errInvalidArg", err)
	}
	if err := s.close(); err != nil {
		t.Fatal(err)
	}
	if err := s.load(context.Background(), "http://127.0.0.1:1/x.m3u8"); !errors.Is(err, player.ErrClosed) {
		t.Errorf("load after close = %v; want player.ErrClosed", err)
	}
}

// serve serves a short packaged title on loopback.
func serve(t *testing.T) string {
	t.Helper()
	pkg, err := packager.Build(packager.Title{ID: "t", Duration: 20 * time.Second, SegmentDuration: time.Second,
		LadderKbps: []int{300, 1200}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := pkg.Open(strings.TrimPrefix(r.URL.Path, "/t/"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/t/" + packager.MasterPlaylist
}

// A session with a Go sink: events arrive in order on the dispatcher, the
// player loads once, and close stops delivery.
func TestSessionEvents(t *testing.T) {
	url := serve(t)
	s, err := newSession(Config{NoAutoPlay: true})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var kinds []player.EventKind
	firstFrame := make(chan struct{})
	s.ev.setSink(SinkFunc[player.Event](func(e *player.Event, dropped int64) {
		mu.Lock()
		defer mu.Unlock()
		kinds = append(kinds, e.Kind)
		if e.Kind == player.EventFirstFrame {
			close(firstFrame)
		}
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.load(ctx, url); err != nil {
		t.Fatal(err)
	}
	if err := s.load(ctx, url); !errors.Is(err, errLoaded) {
		t.Errorf("second load = %v; want errLoaded", err)
	}
	if err := s.do((*player.Player).Play); err != nil {
		t.Fatal(err)
	}
	select {
	case <-firstFrame:
	case <-ctx.Done():
		t.Fatal("no first_frame event")
	}
	if err := s.poll(); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("poll while playing = %v; want DeadlineExceeded", err)
	}
	if err := s.close(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	n := len(kinds)
	got := append([]player.EventKind(nil), kinds...)
	mu.Unlock()
	if n < 3 || got[0] != player.EventLoading || got[1] != player.EventManifestLoaded {
		t.Errorf("events %v; want loading, manifest_loaded first", got)
	}
	// After close nothing more is delivered.
	s.ev.OnEvent(player.Event{Kind: player.EventEnded})
	mu.Lock()
	defer mu.Unlock()
	if len(kinds) != n {
		t.Errorf("event delivered after close: %v", kinds[n:])
	}
	if err := s.wait(context.Background()); !errors.Is(err, player.ErrClosed) {
		t.Errorf("wait after close = %v; want player.ErrClosed", err)
	}
}

// A blocked sink never blocks the producer: overflow is dropped and counted.
func TestDispatcherDrops(t *testing.T) {
	d := newDispatcher[player.Event]()
	release, entered := make(chan struct{}), make(chan struct{})
	got := make(chan int64, EventQueue+2) // room for every queued event: a full channel would block the dispatcher and close
	d.setSink(SinkFunc[player.Event](func(e *player.Event, dropped int64) {
		if e.Kind == player.EventLoading {
			close(entered)
			<-release
		}
		got <- dropped
	}))
	d.OnEvent(player.Event{Kind: player.EventLoading})
	<-entered // the dispatcher is inside the first callback: overfill
	for i := 0; i < EventQueue+10; i++ {
		d.OnEvent(player.Event{Kind: player.EventSegmentLoaded})
	}
	if n := d.dropped.Load(); n != 10 {
		t.Errorf("dropped %d; want 10", n)
	}
	close(release)
	if first := <-got; first != 0 {
		t.Errorf("first event saw %d dropped; want 0", first)
	}
	if second := <-got; second != 10 {
		t.Errorf("second event saw %d dropped; want 10", second)
	}
	d.close()
	d.close() // idempotent
}

// A close from inside the sink (as a C callback destroying its player) must
// not deadlock when the thread hook says it is the dispatcher's thread.
func TestDispatcherCloseFromCallback(t *testing.T) {
	oldLock, oldSame := lockThread, sameThread
	defer func() { lockThread, sameThread = oldLock, oldSame }()
	var inCallback sync.Mutex
	inside := false
	sameThread = func(any) bool { inCallback.Lock(); defer inCallback.Unlock(); return inside }
	d := newDispatcher[player.Event]()
	done := make(chan struct{})
	d.setSink(SinkFunc[player.Event](func(e *player.Event, dropped int64) {
		inCallback.Lock()
		inside = true
		inCallback.Unlock()
		d.close()
		close(done)
	}))
	d.OnEvent(player.Event{Kind: player.EventLoading})
	<-done
	<-d.done
}

func TestSessionDefaultABR(t *testing.T) {
	for _, tc := range []struct{ cfg, want string }{{"", "auto"}, {"bola", "bola"}} {
		s, err := newSession(Config{ABR: tc.cfg})
		if err != nil {
			t.Fatal(err)
		}
		st, err := s.status()
		s.close()
		if err != nil || st.ABR != tc.want {
			t.Errorf("status ABR with config %q = %q, %v; want %q", tc.cfg, st.ABR, err, tc.want)
		}
	}
}
