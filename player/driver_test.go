package player_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/steering"
	"github.com/abrkit/abrkit/player/transport"
	"github.com/abrkit/abrkit/simulator/backend/packager"
)

// seen records what a loopback server received.
type seen struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (s *seen) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reqs = append(s.reqs, r.Clone(context.Background()))
		s.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func (s *seen) media() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*http.Request
	for _, r := range s.reqs {
		if strings.HasSuffix(r.URL.Path, ".m4s") {
			out = append(out, r)
		}
	}
	return out
}

func TestPlayerSendsCMCD(t *testing.T) {
	pkg := title(t)
	for _, mode := range []transport.CMCDMode{transport.CMCDQuery, transport.CMCDHeaders, transport.CMCDOff} {
		t.Run(mode.String(), func(t *testing.T) {
			clk := clock.NewScaled(32)
			var rec seen
			ts := httptest.NewServer(rec.wrap(&shaped{pkg: pkg, clock: clk, bps: 8e6}))
			defer ts.Close()
			opts := []player.Option{player.WithClock(clk), player.WithSessionID("sess-1"), player.WithContentID("t1")}
			if mode != transport.CMCDQuery {
				opts = append(opts, player.WithCMCD(mode)) // query is the default
			}
			playToEnd(t, ts.URL+"/t1/"+packager.MasterPlaylist, opts...)
			media := rec.media()
			if len(media) == 0 {
				t.Fatal("no media requests")
			}
			for _, r := range media {
				q := r.URL.Query().Get("CMCD")
				h := r.Header.Get(transport.HeaderCMCDObject) + r.Header.Get(transport.HeaderCMCDSession)
				var c transport.CMCD
				var err error
				switch mode {
				case transport.CMCDQuery:
					c, err = transport.ParseCMCD(q)
					if h != "" {
						t.Errorf("%s: CMCD headers %q in query mode", r.URL.Path, h)
					}
				case transport.CMCDHeaders:
					c, err = transport.ParseCMCDHeaders(r.Header)
					if q != "" {
						t.Errorf("%s: CMCD query %q in headers mode", r.URL.Path, q)
					}
				case transport.CMCDOff:
					if q != "" || h != "" {
						t.Errorf("%s: CMCD %q %q with CMCD off", r.URL.Path, q, h)
					}
					continue
				}
				video := c.ObjectType == transport.ObjectVideo
				if err != nil || c.SessionID != "sess-1" || c.ContentID != "t1" || c.Duration < time.Second ||
					(video && (c.Bitrate <= 0 || c.TopBitrate < c.Bitrate)) || (!video && c.ObjectType != transport.ObjectAudio) {
					t.Errorf("%s: CMCD %+v, %v; want sid, cid, d, ot v (with br, tb) or a", r.URL.Path, c, err)
				}
			}
		})
	}
}

// playToEnd plays url with opts to its end, failing the test on an
// error; the player is closed when the test ends.
func playToEnd(t *testing.T, url string, opts ...player.Option) *player.Player {
	t.Helper()
	p, err := player.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.Load(ctx, url); err != nil {
		t.Fatalf("Load(%s) = %v", url, err)
	}
	if err := p.Wait(ctx); err != nil {
		t.Fatalf("Wait = %v; want the title played to its end", err)
	}
	return p
}

// events is a telemetry endpoint that records batches.
type events struct {
	mu      sync.Mutex
	batches []player.TelemetryBatch
	auth    []string
	got     chan string // event types, in order
}

func newEvents() *events { return &events{got: make(chan string, 100)} }

func (e *events) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var b player.TelemetryBatch
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&b); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	e.mu.Lock()
	e.batches = append(e.batches, b)
	e.auth = append(e.auth, r.Header.Get("Authorization"))
	e.mu.Unlock()
	for _, ev := range b.Events {
		e.got <- ev.Type
	}
	w.WriteHeader(http.StatusAccepted)
}

// next waits for the next event type posted.
func (e *events) next(t *testing.T) string {
	t.Helper()
	select {
	case k := <-e.got:
		return k
	case <-time.After(10 * time.Second):
		t.Fatal("no telemetry event within 10s")
		return ""
	}
}

// pkgHandler serves a package at full speed.
func pkgHandler(pkg *packager.Package) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, err := pkg.Open(strings.TrimPrefix(r.URL.Path, "/"+pkg.Title().ID+"/"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(data)
	})
}

func TestPlayerTelemetryBeacons(t *testing.T) {
	pkg, err := packager.Build(packager.Title{ID: "t1", Duration: 60 * time.Second, SegmentDuration: 2 * time.Second,
		LadderKbps: []int{300, 800}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	media := httptest.NewServer(pkgHandler(pkg))
	defer media.Close()
	ev := newEvents()
	sink := httptest.NewServer(ev)
	defer sink.Close()
	fake := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	p, err := player.New(player.WithClock(fake), player.WithSessionID("s-9"), player.WithTelemetry(player.Telemetry{
		URL: sink.URL + "/v1/events", Header: http.Header{"Authorization": {"Bearer tok"}}, Interval: 10 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.Load(ctx, media.URL+"/t1/"+packager.MasterPlaylist); err != nil {
		t.Fatal(err)
	}
	if k := ev.next(t); k != "start" {
		t.Fatalf("first event = %q; want start", k)
	}
	for i := 0; i < 2; i++ {
		if err := fake.BlockUntil(ctx, 1); err != nil {
			t.Fatal(err)
		}
		fake.Advance(10 * time.Second)
		if k := ev.next(t); k != "beacon" {
			t.Fatalf("event after %ds = %q; want beacon", 10*(i+1), k)
		}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case k := <-ev.got:
		if k != "end" {
			t.Fatalf("event at Close = %q; want end", k)
		}
	default:
		t.Fatal("Close returned before the end beacon was posted")
	}
	ev.mu.Lock()
	defer ev.mu.Unlock()
	for i, b := range ev.batches {
		if b.Session != "s-9" || ev.auth[i] != "Bearer tok" {
			t.Errorf("batch %d: session %q auth %q; want s-9, Bearer tok", i, b.Session, ev.auth[i])
		}
	}
	last := ev.batches[len(ev.batches)-1].Events[0]
	if last.T != 20 || last.DurationS <= 0 || last.BitrateKbps <= 0 || !strings.Contains(last.CMCD, `sid="s-9"`) {
		t.Errorf("end beacon = %+v; want t = 20, time played, a bitrate and the CMCD sid", last)
	}
	if q := p.QoE(); q.TelemetrySent != 4 || q.TelemetryDropped != 0 {
		t.Errorf("telemetry sent/dropped = %d/%d; want 4/0", q.TelemetrySent, q.TelemetryDropped)
	}
}

func TestPlayerTelemetryEndpointDown(t *testing.T) {
	pkg := title(t)
	clk := clock.NewScaled(32)
	media := httptest.NewServer(&shaped{pkg: pkg, clock: clk, bps: 8e6})
	defer media.Close()
	hang := make(chan struct{})
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-hang }))
	defer sink.Close()
	defer close(hang)
	p := playToEnd(t, media.URL+"/t1/"+packager.MasterPlaylist,
		player.WithClock(clk), player.WithTelemetry(player.Telemetry{URL: sink.URL, Timeout: 200 * time.Millisecond}))
	start := time.Now()
	p.Close()
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %v with a hanging endpoint; want about the 200ms post timeout", d)
	}
	if st := p.Status(); st.TelemetryDropped < 2 {
		t.Errorf("Status().TelemetryDropped = %d; want >= 2", st.TelemetryDropped)
	}
	q := p.QoE()
	if !q.Ended || q.FatalError != "" || q.TelemetrySent != 0 || q.TelemetryDropped < 2 {
		t.Errorf("ended %v (%q) telemetry %d/%d; want ended without error, 0 sent, >= 2 dropped (start, end)",
			q.Ended, q.FatalError, q.TelemetrySent, q.TelemetryDropped)
	}
}

// countingFetcher counts fetches in flight.
type countingFetcher struct {
	next     transport.Fetcher
	inflight atomic.Int32
}

func (c *countingFetcher) Fetch(ctx context.Context, req *transport.Request, progress transport.ProgressFunc) (*transport.Result, error) {
	c.inflight.Add(1)
	defer c.inflight.Add(-1)
	return c.next.Fetch(ctx, req, progress)
}

func TestPlayerCloseWaitsForListener(t *testing.T) {
	pkg := title(t)
	clk := clock.NewScaled(16)
	ts := httptest.NewServer(&shaped{pkg: pkg, clock: clk, bps: 8e6})
	defer ts.Close()
	entered, release := make(chan struct{}), make(chan struct{})
	var returned atomic.Bool
	var once sync.Once
	f := &countingFetcher{next: transport.NewHTTP(transport.HTTPConfig{MaxAttempts: 1})}
	p, err := player.New(player.WithClock(clk), player.WithFetcher(f), player.WithListener(player.ListenerFunc(func(e player.Event) {
		if e.Kind == player.EventSegmentLoaded {
			once.Do(func() {
				close(entered)
				<-release
				returned.Store(true)
			})
		}
	})))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Load(ctx, ts.URL+"/t1/"+packager.MasterPlaylist); err != nil {
		t.Fatal(err)
	}
	<-entered
	closed := make(chan struct{})
	go func() {
		p.Close()
		close(closed)
	}()
	select {
	case <-closed:
		t.Fatal("Close returned while a listener was still running")
	case <-time.After(100 * time.Millisecond): // Close must still be waiting
	}
	close(release)
	<-closed
	if !returned.Load() {
		t.Error("Close returned before the listener did")
	}
	if n := f.inflight.Load(); n != 0 {
		t.Errorf("%d fetches still running after Close", n)
	}
	if err := p.Wait(ctx); !errors.Is(err, player.ErrClosed) {
		t.Errorf("Wait = %v; want ErrClosed", err)
	}
}

func TestPlayerDefaults(t *testing.T) {
	p, err := player.New()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if got := p.Status().ABR; got != "auto" {
		t.Errorf("default ABR = %q; want auto", got)
	}
}

// endless writes body's first bytes, then line forever (until the client
// goes away or 1 GiB), counting what it wrote.
func endless(head, line string, wrote *atomic.Int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, head)
		chunk := []byte(strings.Repeat(line, (64<<10)/len(line)))
		for wrote.Load() < 1<<30 {
			n, err := w.Write(chunk)
			wrote.Add(int64(n))
			if err != nil {
				return
			}
		}
	}
}

func TestPlayerCapsResponses(t *testing.T) {
	pkg := title(t)
	cases := []struct {
		name, path string
		handler    func(*atomic.Int64) http.Handler
	}{
		{"endless playlist", "/live.m3u8", func(n *atomic.Int64) http.Handler {
			return endless("#EXTM3U\n#EXT-X-TARGETDURATION:2\n", "#EXTINF:2.0,\nseg.m4s\n", n)
		}},
		{"huge segment", "/t1/" + packager.MasterPlaylist, func(n *atomic.Int64) http.Handler {
			mux := http.NewServeMux()
			mux.Handle("/", pkgHandler(pkg))
			mux.Handle("/t1/v300/", endless("", "x", n)) // every segment of the lowest level
			return mux
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if raceEnabled && tc.name == "huge segment" {
				t.Skip("reads 64 MiB: too slow under the race detector")
			}
			var wrote atomic.Int64
			ts := httptest.NewServer(tc.handler(&wrote))
			defer ts.Close()
			p, err := player.New(player.WithClock(clock.NewScaled(50)), player.WithMaxBitrate(400_000),
				player.WithStartupTimeout(-1)) // the retries take longer than 20s of the scaled clock
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			err = p.Load(ctx, ts.URL+tc.path)
			if err == nil {
				err = p.Wait(ctx)
			}
			if !errors.Is(err, player.ErrTooLarge) {
				t.Fatalf("playback error = %v; want ErrTooLarge", err)
			}
			// each attempt stops at the cap: retries included, the server
			// wrote a bounded amount (plus what sat in socket buffers)
			if n := wrote.Load(); n > 6*player.MaxManifestBytes {
				t.Errorf("server wrote %d MiB; want the player to stop reading at the cap", n>>20)
			}
		})
	}
}

// With probing, a player whose best-ranked edge fails its probe starts on
// the next edge: no media request and no failover on the failing one.
func TestPlayerProbesEdges(t *testing.T) {
	pkg := title(t)
	for _, probes := range []int{0, 2} {
		t.Run(fmt.Sprint("probes=", probes), func(t *testing.T) {
			// 4x, not faster: the 2 s probe time-out must outlast a loopback
			// fetch on a loaded machine (500 ms of wall time here)
			clk := clock.NewScaled(4)
			a := &shaped{pkg: pkg, clock: clk, bps: 8e6, fail: func(path string) bool { return path != packager.MasterPlaylist }}
			b := &shaped{pkg: pkg, clock: clk, bps: 8e6}
			var seenA seen
			tsA, tsB := httptest.NewServer(seenA.wrap(a)), httptest.NewServer(b)
			defer tsA.Close()
			defer tsB.Close()
			p := playToEnd(t, tsA.URL+"/t1/"+packager.MasterPlaylist, player.WithClock(clk), player.WithProbing(probes),
				player.WithEdges([]steering.Edge{{ID: "a", URL: tsA.URL + "/t1/"}, {ID: "b", URL: tsB.URL + "/t1/"}}))
			q := p.QoE()
			wantChanges := 1 // failover from a
			if probes > 0 {
				wantChanges = 0 // the probe chose b before the first request
			}
			if q.ServerChanges != wantChanges || q.LastServer != "b" {
				t.Errorf("server changes %d, last server %q; want %d, b", q.ServerChanges, q.LastServer, wantChanges)
			}
			if probes > 0 && len(seenA.reqs) != 2 {
				t.Errorf("edge a got %d requests; want 2 (the manifest and one probe)", len(seenA.reqs))
			}
		})
	}
}
