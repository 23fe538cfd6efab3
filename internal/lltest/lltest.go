// Package lltest is a clock-driven LL-HLS channel for tests: segments and
// parts appear as its clock passes their end, playlists are built on each
// request (blocking reloads with _HLS_msn/_HLS_part, delta updates with
// _HLS_skip=YES, preload hints, rendition reports) and media bodies are
// filler bytes of the declared bitrate.
package lltest

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/abrkit/abrkit/clock"
)

// Channel is one LL-HLS channel. Set the fields before serving.
type Channel struct {
	Clock     clock.Clock   // nil: clock.Real
	Start     time.Time     // segment 0 starts here
	Seg, Part time.Duration // segment and part durations (Seg a multiple of Part)
	Window    int           // complete segments listed
	Bitrates  []int         // one variant per bitrate, bits/s
	SkipUntil time.Duration // CAN-SKIP-UNTIL; 0 offers no delta updates
	// Subtitles adds an English WebVTT track (live, whole segments): the
	// segment of number n has the cue "cue n" from a quarter to three
	// quarters of it, in per-segment X-TIMESTAMP-MAPs on a 10 s PTS base.
	Subtitles bool

	mu     sync.Mutex
	counts map[string]int
}

// Count returns how many requests a kind of path got: "playlist",
// "blocked" (playlists that waited), "skip" (delta playlists), "part",
// "segment", "init".
func (c *Channel) Count(kind string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[kind]
}

func (c *Channel) count(kind string) {
	c.mu.Lock()
	if c.counts == nil {
		c.counts = map[string]int{}
	}
	c.counts[kind]++
	c.mu.Unlock()
}

func (c *Channel) clk() clock.Clock { return clock.Or(c.Clock) }

func (c *Channel) parts() int { return int(c.Seg / c.Part) }

// edge returns the newest complete segment (-1: none) and how many parts
// of the next one are complete at now.
func (c *Channel) edge(now time.Time) (last int, parts int) {
	el := now.Sub(c.Start)
	if el < 0 {
		return -1, 0
	}
	last = int(el/c.Seg) - 1
	parts = int((el - time.Duration(last+1)*c.Seg) / c.Part)
	return last, parts
}

// Playlist is the media playlist of variant v at now; skip asks for a
// delta update.
func (c *Channel) Playlist(v int, now time.Time, skip bool) string {
	last, pending := c.edge(now)
	var b strings.Builder
	secs := func(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) }
	fmt.Fprintf(&b, "#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-TARGETDURATION:%d\n#EXT-X-PART-INF:PART-TARGET=%s\n",
		int((c.Seg+time.Second-1)/time.Second), secs(c.Part))
	fmt.Fprintf(&b, "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=%s,HOLD-BACK=%s", secs(3*c.Part), secs(3*c.Seg))
	if c.SkipUntil > 0 {
		fmt.Fprintf(&b, ",CAN-SKIP-UNTIL=%s", secs(c.SkipUntil))
	}
	first := max(0, last-c.Window+1)
	fmt.Fprintf(&b, "\n#EXT-X-MEDIA-SEQUENCE:%d\n#EXT-X-MAP:URI=\"init.mp4\"\n", first)
	from := first
	if skip && c.SkipUntil > 0 {
		if n := int((c.SkipUntil - 1) / c.Seg); last-first+1 > n {
			from = last - n + 1
			fmt.Fprintf(&b, "#EXT-X-SKIP:SKIPPED-SEGMENTS=%d\n", from-first)
		}
	}
	part := func(n, k int) {
		ind := ""
		if k == 0 {
			ind = ",INDEPENDENT=YES"
		}
		fmt.Fprintf(&b, "#EXT-X-PART:DURATION=%s,URI=\"%d.%d.m4s\"%s\n", secs(c.Part), n, k, ind)
	}
	for n := from; n <= last; n++ {
		fmt.Fprintf(&b, "#EXT-X-PROGRAM-DATE-TIME:%s\n", c.Start.Add(time.Duration(n)*c.Seg).UTC().Format("2006-01-02T15:04:05.000Z"))
		if n >= last-2 {
			for k := 0; k < c.parts(); k++ {
				part(n, k)
			}
		}
		fmt.Fprintf(&b, "#EXTINF:%s,\n%d.m4s\n", secs(c.Seg), n)
	}
	if last >= -1 {
		fmt.Fprintf(&b, "#EXT-X-PROGRAM-DATE-TIME:%s\n", c.Start.Add(time.Duration(last+1)*c.Seg).UTC().Format("2006-01-02T15:04:05.000Z"))
		for k := 0; k < pending; k++ {
			part(last+1, k)
		}
		fmt.Fprintf(&b, "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"%d.%d.m4s\"\n", last+1, pending)
	}
	// the newest part: of the segment being made, else the last of the
	// newest complete one
	msn, lastPart := last+1, pending-1
	if pending == 0 {
		msn, lastPart = last, c.parts()-1
	}
	for o := range c.Bitrates {
		if o != v && msn >= 0 {
			fmt.Fprintf(&b, "#EXT-X-RENDITION-REPORT:URI=\"../v%d/index.m3u8\",LAST-MSN=%d,LAST-PART=%d\n", o, msn, lastPart)
		}
	}
	return b.String()
}

// Master is the multivariant playlist.
func (c *Channel) Master() string {
	var b strings.Builder
	b.WriteString("#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-INDEPENDENT-SEGMENTS\n")
	subs := ""
	if c.Subtitles {
		b.WriteString("#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English\",LANGUAGE=\"en\",AUTOSELECT=YES,URI=\"subs/index.m3u8\"\n")
		subs = ",SUBTITLES=\"subs\""
	}
	for i, br := range c.Bitrates {
		fmt.Fprintf(&b, "#EXT-X-STREAM-INF:BANDWIDTH=%d,CODECS=\"avc1.64001f,mp4a.40.2\"%s\nv%d/index.m3u8\n", br, subs, i)
	}
	return b.String()
}

// wait holds a request until at (bounded by three segment durations, as
// servers hold blocking requests); false when it gave up or r went away.
func (c *Channel) wait(r *http.Request, at time.Time) bool {
	d := at.Sub(c.clk().Now())
	if d <= 0 {
		return true
	}
	if d > 3*c.Seg {
		return false
	}
	t := c.clk().NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
		return true
	case <-r.Context().Done():
		return false
	}
}

// Ready returns when a request for u can be answered: at once for the
// master playlist, init segments, playlists without _HLS_msn and bad
// requests (zero time), else when the segment or part it waits for is
// complete.
func (c *Channel) Ready(u *url.URL) time.Time {
	_, name, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	if name == "index.m3u8" {
		q := u.Query()
		n, err := strconv.Atoi(q.Get("_HLS_msn"))
		if err != nil || n < 0 {
			return time.Time{}
		}
		k := -1
		if ps := q.Get("_HLS_part"); ps != "" {
			if k, err = strconv.Atoi(ps); err != nil || k >= c.parts() {
				return time.Time{}
			}
		}
		return c.available(n, k)
	}
	ns, ks, isPart := strings.Cut(strings.TrimSuffix(name, ".m4s"), ".")
	n, err := strconv.Atoi(ns)
	k := -1
	if isPart && err == nil {
		k, err = strconv.Atoi(ks)
	}
	if !strings.HasSuffix(name, ".m4s") || err != nil || n < 0 || k >= c.parts() {
		return time.Time{}
	}
	return c.available(n, k)
}

// available is when part k of segment n (k < 0: the whole segment) is complete.
func (c *Channel) available(n, k int) time.Time {
	if k < 0 {
		return c.Start.Add(time.Duration(n+1) * c.Seg)
	}
	return c.Start.Add(time.Duration(n)*c.Seg + time.Duration(k+1)*c.Part)
}

// ServeHTTP serves /master.m3u8, /v<i>/index.m3u8, /v<i>/init.mp4,
// /v<i>/<n>.m4s and /v<i>/<n>.<k>.m4s (and subs/index.m3u8, subs/<n>.vtt).
func (c *Channel) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimPrefix(r.URL.Path, "/")
	if p == "master.m3u8" {
		c.count("master")
		w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
		_, _ = w.Write([]byte(c.Master()))
		return
	}
	if c.Subtitles && strings.HasPrefix(p, "subs/") {
		c.serveSubtitles(w, r, strings.TrimPrefix(p, "subs/"))
		return
	}
	vs, name, ok := strings.Cut(p, "/")
	v, err := strconv.Atoi(strings.TrimPrefix(vs, "v"))
	if !ok || err != nil || v < 0 || v >= len(c.Bitrates) {
		http.NotFound(w, r)
		return
	}
	switch {
	case name == "index.m3u8":
		c.servePlaylist(w, r, v)
	case name == "init.mp4":
		c.count("init")
		_, _ = w.Write(make([]byte, 800))
	case strings.HasSuffix(name, ".m4s"):
		c.serveMedia(w, r, v, strings.TrimSuffix(name, ".m4s"))
	default:
		http.NotFound(w, r)
	}
}

func (c *Channel) servePlaylist(w http.ResponseWriter, r *http.Request, v int) {
	c.count("playlist")
	q := r.URL.Query()
	if msn := q.Get("_HLS_msn"); msn != "" {
		n, err := strconv.Atoi(msn)
		k := -1
		if ps := q.Get("_HLS_part"); ps != "" && err == nil {
			k, err = strconv.Atoi(ps)
		}
		if err != nil || n < 0 || k >= c.parts() {
			http.Error(w, "bad _HLS_msn/_HLS_part", http.StatusBadRequest)
			return
		}
		if at := c.Ready(r.URL); at.After(c.clk().Now()) {
			c.count("blocked")
			if !c.wait(r, at) {
				http.Error(w, "not available in time", http.StatusServiceUnavailable)
				return
			}
		}
	}
	skip := q.Get("_HLS_skip") == "YES"
	if skip {
		c.count("skip")
	}
	w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
	_, _ = w.Write([]byte(c.Playlist(v, c.clk().Now(), skip)))
}

func (c *Channel) serveMedia(w http.ResponseWriter, r *http.Request, v int, name string) {
	ns, ks, isPart := strings.Cut(name, ".")
	n, err := strconv.Atoi(ns)
	k, kerr := -1, error(nil)
	if isPart {
		k, kerr = strconv.Atoi(ks)
	}
	if err != nil || kerr != nil || n < 0 || k >= c.parts() {
		http.NotFound(w, r)
		return
	}
	d := c.Seg
	kind := "segment"
	if isPart {
		d, kind = c.Part, "part"
	}
	c.count(kind)
	// a preload hint names the next part: hold it until it is complete
	if !c.wait(r, c.Ready(r.URL)) {
		http.NotFound(w, r)
		return
	}
	_, _ = w.Write(make([]byte, int(float64(c.Bitrates[v])*d.Seconds()/8)))
}

// serveSubtitles serves subs/index.m3u8 (the last Window complete
// segments) and subs/<n>.vtt.
func (c *Channel) serveSubtitles(w http.ResponseWriter, r *http.Request, name string) {
	last, _ := c.edge(c.clk().Now())
	secs := func(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) }
	if name == "index.m3u8" {
		c.count("subtitles")
		var b strings.Builder
		first := max(0, last-c.Window+1)
		fmt.Fprintf(&b, "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:%d\n#EXT-X-MEDIA-SEQUENCE:%d\n",
			int((c.Seg+time.Second-1)/time.Second), first)
		for n := first; n <= last; n++ {
			fmt.Fprintf(&b, "#EXTINF:%s,\n%d.vtt\n", secs(c.Seg), n)
		}
		w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
		_, _ = w.Write([]byte(b.String()))
		return
	}
	n, err := strconv.Atoi(strings.TrimSuffix(name, ".vtt"))
	if err != nil || !strings.HasSuffix(name, ".vtt") || n < 0 || n > last {
		http.NotFound(w, r)
		return
	}
	c.count("vtt")
	start := time.Duration(n) * c.Seg
	vtt := func(d time.Duration) string {
		return fmt.Sprintf("%02d:%02d:%02d.%03d", int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60, d.Milliseconds()%1000)
	}
	fmt.Fprintf(w, "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:%d,LOCAL:%s\n\n%s --> %s\ncue %d\n",
		900000+int64(start/(time.Second/90000)), vtt(start), vtt(start+c.Seg/4), vtt(start+3*c.Seg/4), n)
}
