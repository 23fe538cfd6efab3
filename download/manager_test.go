package download

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/player/transport"
)

func TestDownloadCompletesAndPlaysOffline(t *testing.T) {
	pkg := testTitle(t, 12*time.Second)
	o := newOrigin(t, pkg)
	var events atomic.Int64
	cfg := testConfig(t)
	cfg.OnEvent = func(Event) { events.Add(1) }
	m := startManager(t, cfg)
	id, err := m.Add(Request{URL: o.url("master.m3u8"), Title: "t1"})
	if err != nil {
		t.Fatal(err)
	}
	d := await(t, m, id)
	if d.State != StateCompleted {
		t.Fatalf("state = %s (%s: %s); want completed", d.State, d.StopReason, d.Err)
	}
	// highest video (600 kbps) + audio: 2 inits + 2×6 segments
	if d.Progress.Segments != 14 || d.Progress.SegmentsDone != 14 {
		t.Errorf("progress = %d/%d; want 14/14", d.Progress.SegmentsDone, d.Progress.Segments)
	}
	if n := checkIdentical(t, m, id, pkg); n != 14 {
		t.Errorf("identical files = %d; want 14", n)
	}
	if events.Load() < 5 {
		t.Errorf("events = %d; want state and progress events", events.Load())
	}
	rep, err := m.Verify(context.Background(), id, false)
	if err != nil || !rep.OK || rep.Verified != 14 {
		t.Fatalf("Verify = %+v, %v; want ok with 14 verified", rep, err)
	}

	off, err := m.Offline(id)
	if err != nil {
		t.Fatal(err)
	}
	defer off.Close()
	var buf limitedBuffer
	buf.max = 1 << 20
	if _, err := off.Fetcher.Fetch(context.Background(), &transport.Request{URL: off.ManifestURL, Body: &buf}, nil); err != nil {
		t.Fatal(err)
	}
	p, err := manifest.Parse(buf.Bytes(), off.ManifestURL)
	if err != nil {
		t.Fatalf("offline master: %v\n%s", err, buf.String())
	}
	var segs int
	for _, set := range p.Periods[0].Sets {
		for _, r := range set.Renditions {
			if strings.Contains(r.PlaylistURI, "://") && !strings.HasPrefix(r.PlaylistURI, "file://") {
				t.Errorf("offline playlist URI %q is not local", r.PlaylistURI)
			}
			var mb limitedBuffer
			mb.max = 1 << 20
			if _, err := off.Fetcher.Fetch(context.Background(), &transport.Request{URL: r.PlaylistURI, Body: &mb}, nil); err != nil {
				t.Fatal(err)
			}
			mp, err := manifest.ParseHLSMedia(mb.Bytes(), r.PlaylistURI)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range mp.Segments {
				res, err := off.Fetcher.Fetch(context.Background(), &transport.Request{URL: s.URI}, nil)
				if err != nil || res.Bytes == 0 {
					t.Fatalf("offline fetch %s = %v, %v", s.URI, res, err)
				}
				segs++
			}
		}
	}
	if segs != 12 {
		t.Errorf("offline segments = %d; want 12", segs)
	}
	// The origin is gone: offline playback needs no network.
	o.srv.Close()
	if _, err := off.Fetcher.Fetch(context.Background(), &transport.Request{URL: off.ManifestURL}, nil); err != nil {
		t.Errorf("offline fetch after origin closed: %v", err)
	}
	if _, err := off.Fetcher.Fetch(context.Background(), &transport.Request{URL: "file:///etc/passwd"}, nil); !errors.Is(err, ErrUnsafePath) {
		t.Errorf("LocalFetcher(/etc/passwd) = %v; want ErrUnsafePath", err)
	}
	if _, err := off.Fetcher.Fetch(context.Background(), &transport.Request{URL: "../../x"}, nil); err == nil {
		t.Errorf("LocalFetcher(../../x) succeeded; want an error")
	}
}

func TestAddTwiceResumesSameID(t *testing.T) {
	pkg := testTitle(t, 4*time.Second)
	o := newOrigin(t, pkg)
	m := startManager(t, testConfig(t))
	id, err := m.Add(Request{URL: o.url("master.m3u8")})
	if err != nil {
		t.Fatal(err)
	}
	await(t, m, id)
	id2, err := m.Add(Request{URL: o.url("master.m3u8")})
	if !errors.Is(err, ErrExists) || id2 != id {
		t.Errorf("Add again = %q, %v; want %q, ErrExists", id2, err, id)
	}
}

func TestUnsafeManifestRefused(t *testing.T) {
	tests := []struct {
		name, media string
	}{
		{"dotdot", "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n../../../../etc/passwd\n#EXT-X-ENDLIST\n"},
		{"absolute path", "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n/etc/passwd\n#EXT-X-ENDLIST\n"},
		{"other host", "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nhttp://198.51.100.7/x.m4s\n#EXT-X-ENDLIST\n"},
		{"encoded dotdot", "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n..%2f..%2f..%2f..%2fx.ts\n#EXT-X-ENDLIST\n"},
		{"init outside", "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=\"../../../../init.mp4\"\n#EXTINF:2,\nok.m4s\n#EXT-X-ENDLIST\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOrigin(t, testTitle(t, 4*time.Second))
			o.extra["bad.m3u8"] = []byte(tt.media)
			cfg := testConfig(t)
			m := startManager(t, cfg)
			id, err := m.Add(Request{URL: o.url("bad.m3u8")})
			if err != nil {
				t.Fatal(err)
			}
			d := await(t, m, id)
			if d.State != StateFailed || d.StopReason != StopManifest || !strings.Contains(d.Err, "URI") {
				t.Fatalf("download = %s/%s %q; want failed/manifest naming the unsafe URI", d.State, d.StopReason, d.Err)
			}
			// Nothing was written but the index.
			var files []string
			_ = filepath.Walk(cfg.Dir, func(p string, fi os.FileInfo, err error) error {
				if err == nil && !fi.IsDir() && fi.Name() != IndexFile {
					files = append(files, p)
				}
				return nil
			})
			if len(files) != 0 {
				t.Errorf("files written: %v", files)
			}
		})
	}
}

func TestServerErrorsAndTruncationRetried(t *testing.T) {
	pkg := testTitle(t, 12*time.Second)
	o := newOrigin(t, pkg)
	var n500, ntrunc, ncorrupt atomic.Int64
	seen := map[string]int{}
	var mu = make(chan struct{}, 1)
	o.setHook(func(w http.ResponseWriter, r *http.Request, file string, data []byte) bool {
		if !strings.HasSuffix(file, ".m4s") {
			return false
		}
		mu <- struct{}{}
		seen[file]++
		k := seen[file]
		<-mu
		if k > 1 {
			return false
		}
		switch {
		case strings.HasSuffix(file, "seg_1.m4s"):
			n500.Add(1)
			http.Error(w, "boom", http.StatusInternalServerError)
		case strings.HasSuffix(file, "seg_2.m4s"):
			// A truncated body: Content-Length promises more than is sent.
			ntrunc.Add(1)
			w.Header().Set("Content-Length", itoa(len(data)))
			w.WriteHeader(200)
			w.Write(data[:len(data)/2])
			panic(http.ErrAbortHandler)
		case strings.HasSuffix(file, "seg_3.m4s"):
			// A body cut short by a server that thinks it is complete.
			ncorrupt.Add(1)
			w.Header().Set("Content-Length", itoa(len(data)-100))
			w.WriteHeader(200)
			w.Write(data[:len(data)-100])
		default:
			return false
		}
		return true
	})
	m := startManager(t, testConfig(t))
	id, _ := m.Add(Request{URL: o.url("master.m3u8")})
	d := await(t, m, id)
	if d.State != StateCompleted {
		t.Fatalf("state = %s %s %q; want completed", d.State, d.StopReason, d.Err)
	}
	checkIdentical(t, m, id, pkg)
	if n500.Load() == 0 || ntrunc.Load() == 0 || ncorrupt.Load() == 0 {
		t.Fatalf("faults injected: 500=%d trunc=%d short=%d", n500.Load(), ntrunc.Load(), ncorrupt.Load())
	}
	if d.Progress.Retries < 3 {
		t.Errorf("retries = %d; want >= 3", d.Progress.Retries)
	}
}

func TestPermanentFailureIsNeverSilent(t *testing.T) {
	pkg := testTitle(t, 8*time.Second)
	o := newOrigin(t, pkg)
	o.setHook(func(w http.ResponseWriter, r *http.Request, file string, data []byte) bool {
		if file == "v600/seg_3.m4s" {
			http.Error(w, "gone", http.StatusBadGateway)
			return true
		}
		return false
	})
	m := startManager(t, testConfig(t))
	id, _ := m.Add(Request{URL: o.url("master.m3u8")})
	d := await(t, m, id)
	if d.State != StateFailed || d.StopReason != StopNetwork || !strings.Contains(d.Err, "seg_3") {
		t.Fatalf("download = %s/%s %q; want failed/network naming seg_3", d.State, d.StopReason, d.Err)
	}
	if _, err := m.Offline(id); !errors.Is(err, ErrIncomplete) {
		t.Errorf("Offline = %v; want ErrIncomplete", err)
	}
	rep, err := m.Verify(context.Background(), id, false)
	if err != nil || rep.OK || len(rep.Missing) == 0 {
		t.Fatalf("Verify = %+v, %v; want not ok with the missing segment", rep, err)
	}
	if !strings.Contains(strings.Join(rep.Missing, " "), "v600/seg_3.m4s") {
		t.Errorf("missing = %v; want v600/seg_3.m4s", rep.Missing)
	}
	// The server recovers: Resume completes it.
	o.setHook(nil)
	if err := m.Resume(id); err != nil {
		t.Fatal(err)
	}
	if d := await(t, m, id); d.State != StateCompleted {
		t.Fatalf("after resume: %s %q", d.State, d.Err)
	}
	checkIdentical(t, m, id, pkg)
}

func itoa(n int) string { return fmtInt(n) }

func fmtInt(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func TestDownloadDASH(t *testing.T) {
	pkg := testTitle(t, 8*time.Second)
	o := newOrigin(t, pkg)
	m := startManager(t, testConfig(t))
	id, err := m.Add(Request{URL: o.url("manifest.mpd"), Selection: Selection{Lowest: true}})
	if err != nil {
		t.Fatal(err)
	}
	d := await(t, m, id)
	if d.State != StateCompleted {
		t.Fatalf("state = %s (%s: %s); want completed", d.State, d.StopReason, d.Err)
	}
	if n := checkIdentical(t, m, id, pkg); n != 10 {
		t.Errorf("identical files = %d; want 10 (2 inits + 2×4 segments)", n)
	}
}

// A symlink planted in the download's folder cannot redirect writes
// outside it: os.Root refuses to follow it out.
func TestSymlinkCannotEscape(t *testing.T) {
	o := newOrigin(t, testTitle(t, 4*time.Second))
	cfg := testConfig(t)
	outside := t.TempDir()
	id := "sym"
	if err := os.MkdirAll(filepath.Join(cfg.Dir, id), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(cfg.Dir, id, mediaDir)); err != nil {
		t.Fatal(err)
	}
	m := startManager(t, cfg)
	if _, err := m.Add(Request{URL: o.url("master.m3u8"), ID: id}); err != nil {
		t.Fatal(err)
	}
	d := await(t, m, id)
	if d.State == StateCompleted {
		t.Fatalf("download completed through a symlink out of its folder")
	}
	entries, _ := os.ReadDir(outside)
	if len(entries) != 0 {
		t.Errorf("files written outside the download folder: %v", entries)
	}
}

// A removal cut short by a crash is finished by the next Start.
func TestRemovalFinishedAfterCrash(t *testing.T) {
	o := newOrigin(t, testTitle(t, 4*time.Second))
	cfg := testConfig(t)
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m.Start()
	id, _ := m.Add(Request{URL: o.url("master.m3u8")})
	await(t, m, id)
	m.Close()
	// As if the process died right after recording the removal.
	x, err := openIndex(filepath.Join(cfg.Dir, IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := x.all()
	recs[0].State = StateRemoving.String()
	if err := x.put(recs[0]); err != nil {
		t.Fatal(err)
	}
	x.close()
	m2 := startManager(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := m2.Await(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Await = %v; want ErrNotFound once the removal finished", err)
	}
	if _, err := os.Stat(filepath.Join(cfg.Dir, id)); !os.IsNotExist(err) {
		t.Errorf("folder still there: %v", err)
	}
}

func TestProgressRateAndETA(t *testing.T) {
	d := &dl{}
	t0 := time.Unix(1000, 0)
	d.progress.BytesEstimate = 10_000_000
	d.rate(t0, true)
	d.progress.Bytes = 1_000_000
	d.rate(t0.Add(time.Second), false)
	if d.progress.BytesPerSec != 1e6 || d.progress.ETA != 9*time.Second {
		t.Fatalf("rate = %.0f B/s, ETA %v; want 1000000 and 9s", d.progress.BytesPerSec, d.progress.ETA)
	}
	d.progress.Bytes = 10_000_000
	d.rate(t0.Add(2*time.Second), false)
	if d.progress.ETA != 0 {
		t.Errorf("ETA when done = %v; want 0", d.progress.ETA)
	}
}

// HLS with EXT-X-BYTERANGE into one file: each range is fetched with a
// Range request, checked against its length and stored as its own file.
func TestByteRangeSegments(t *testing.T) {
	pkg := testTitle(t, 6*time.Second)
	o := newOrigin(t, pkg)
	var all []byte
	var media strings.Builder
	media.WriteString("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n")
	initData, _ := pkg.Open("v200/init.mp4")
	fmt.Fprintf(&media, "#EXT-X-MAP:URI=\"single.mp4\",BYTERANGE=\"%d@0\"\n", len(initData))
	all = append(all, initData...)
	for i := 1; i <= 3; i++ {
		seg, _ := pkg.Open(fmt.Sprintf("v200/seg_%d.m4s", i))
		fmt.Fprintf(&media, "#EXTINF:2.0,\n#EXT-X-BYTERANGE:%d@%d\nsingle.mp4\n", len(seg), len(all))
		all = append(all, seg...)
	}
	media.WriteString("#EXT-X-ENDLIST\n")
	o.extra["single.mp4"] = all
	o.extra["single.m3u8"] = []byte(media.String())
	m := startManager(t, testConfig(t))
	id, _ := m.Add(Request{URL: o.url("single.m3u8")})
	d := await(t, m, id)
	if d.State != StateCompleted {
		t.Fatalf("state = %s (%s: %s); want completed", d.State, d.StopReason, d.Err)
	}
	if o.ranged.Load() != 4 {
		t.Errorf("range requests = %d; want 4", o.ranged.Load())
	}
	pl, _ := m.idx.plan(id)
	for _, it := range pl.Items {
		got, err := os.ReadFile(filepath.Join(m.Dir(), id, filepath.FromSlash(it.Key)))
		if err != nil || int64(len(got)) != it.Length || !bytes.Equal(got, all[it.Offset:it.Offset+it.Length]) {
			t.Errorf("%s: %d bytes, %v; want bytes %d+%d of single.mp4", it.Key, len(got), err, it.Offset, it.Length)
		}
	}
	if len(pl.Items) != 4 {
		t.Errorf("items = %d; want 4", len(pl.Items))
	}
}

// MaxDownloads bounds running downloads: the second waits in the queue
// until the first is done; MaxSegments bounds fetches within one.
func TestQueueConcurrencyLimits(t *testing.T) {
	pkgA := testTitle(t, 8*time.Second)
	oa := newOrigin(t, pkgA)
	ob := newOrigin(t, testTitle(t, 4*time.Second))
	gate := make(chan struct{})
	var inFlight, peak atomic.Int64
	oa.setHook(func(w http.ResponseWriter, r *http.Request, file string, data []byte) bool {
		if strings.HasSuffix(file, ".m4s") {
			n := inFlight.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			<-gate
			inFlight.Add(-1)
		}
		return false
	})
	cfg := testConfig(t)
	cfg.MaxDownloads = 1
	cfg.MaxSegments = 2
	started := make(chan struct{}, 16)
	cfg.OnEvent = func(e Event) {
		if e.Kind == EventState && e.Download.State == StateDownloading {
			started <- struct{}{}
		}
	}
	m := startManager(t, cfg)
	a, _ := m.Add(Request{URL: oa.url("master.m3u8"), ID: "a"})
	b, _ := m.Add(Request{URL: ob.url("master.m3u8"), ID: "b"})
	<-started
	if d, _ := m.Get(b); d.State != StateQueued {
		t.Errorf("second download = %s while the first runs; want queued", d.State)
	}
	close(gate)
	if d := await(t, m, a); d.State != StateCompleted {
		t.Fatalf("a: %s %q", d.State, d.Err)
	}
	if d := await(t, m, b); d.State != StateCompleted {
		t.Fatalf("b: %s %q", d.State, d.Err)
	}
	if peak.Load() > 2 {
		t.Errorf("peak segment fetches = %d; want at most MaxSegments 2", peak.Load())
	}
}

// The estimate converges on the real total: with every media segment at
// half its declared size, 298 of 302 files read about 99%, and a
// completed download's estimate is its byte count.
func TestProgressFromBytesKnownSoFar(t *testing.T) {
	pl := &plan{Tracks: []planTrack{{Bandwidth: 8_000_000}}}
	for i := range 302 {
		pl.Items = append(pl.Items, item{Key: fmt.Sprintf("s%d", i), Dur: 2 * time.Second})
	}
	d := &dl{sizes: map[string]int64{}}
	d.setPlan(pl)
	if d.progress.BytesEstimate != 302*2_000_000 {
		t.Fatalf("estimate before any file = %d; want %d", d.progress.BytesEstimate, 302*2_000_000)
	}
	for i := range 298 {
		d.setDone(fmt.Sprintf("s%d", i), 1_000_000)
	}
	d.updateEstimate()
	if f := d.progress.Fraction(); f < 0.98 || f > 0.99 {
		t.Errorf("Fraction at 298/302 = %.3f; want about 0.987", f)
	}
	d.unsetDone("s5") // found damaged
	d.setDone("s5", 1_000_000)
	for i := 298; i < 302; i++ {
		d.setDone(fmt.Sprintf("s%d", i), 1_000_000)
	}
	d.updateEstimate()
	if d.progress.Bytes != 302_000_000 || d.progress.BytesEstimate != d.progress.Bytes || d.progress.Fraction() != 1 {
		t.Errorf("done: %d/%d bytes, %.3f; want 302000000/302000000, 1", d.progress.Bytes, d.progress.BytesEstimate, d.progress.Fraction())
	}
}
