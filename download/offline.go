package download

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/player/manifest"
	"github.com/abrkit/abrkit/player/transport"
)

// OfflineManifest is the HLS master playlist written into a completed
// download's folder; its media playlists sit next to it and every URI in
// them is a relative path under media/.
const OfflineManifest = "offline.m3u8"

// writeOffline writes HLS playlists for the plan with local relative
// paths, each through a temp file, fsync and rename.
func writeOffline(fsys FS, pl *plan) error {
	var master strings.Builder
	master.WriteString("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n")
	var variants []int
	audioGroup, subGroup := "", ""
	for ti, tr := range pl.Tracks {
		name := fmt.Sprintf("offline-%d.m3u8", ti)
		if err := writeFileAtomic(fsys, name, mediaPlaylist(pl, &tr), 0o644); err != nil {
			return err
		}
		switch tr.Type {
		case manifest.Video:
			variants = append(variants, ti)
		case manifest.Audio:
			audioGroup = "audio"
			fmt.Fprintf(&master, "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=%q,%sDEFAULT=%s,AUTOSELECT=YES,URI=%q\n",
				firstNonEmpty(tr.Name, tr.Lang, tr.ID, "audio"), langAttr(tr.Lang), yesNo(ti == firstOf(pl, manifest.Audio)), name)
		case manifest.Text:
			subGroup = "subs"
			fmt.Fprintf(&master, "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=%q,%sDEFAULT=NO,AUTOSELECT=YES,URI=%q\n",
				firstNonEmpty(tr.Name, tr.Lang, tr.ID, "subtitles"), langAttr(tr.Lang), name)
		}
	}
	ccGroup := ""
	for _, c := range pl.Captions {
		ccGroup = "cc"
		fmt.Fprintf(&master, "#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID=\"cc\",NAME=%q,%sDEFAULT=%s,AUTOSELECT=YES,INSTREAM-ID=\"CC%d\"\n",
			firstNonEmpty(c.Name, c.Lang, fmt.Sprintf("CC%d", c.Channel)), langAttr(c.Lang), yesNo(c.Default), c.Channel)
	}
	if len(variants) == 0 {
		// Audio-only title: its first audio track is the variant.
		if a := firstOf(pl, manifest.Audio); a >= 0 {
			variants = append(variants, a)
			audioGroup = ""
		}
	}
	for _, ti := range variants {
		tr := pl.Tracks[ti]
		bw := tr.Bandwidth
		for _, o := range pl.Tracks {
			if o.Type == manifest.Audio && tr.Type == manifest.Video {
				bw += o.Bandwidth / max(1, countOf(pl, manifest.Audio))
			}
		}
		fmt.Fprintf(&master, "#EXT-X-STREAM-INF:BANDWIDTH=%d", max(bw, 1))
		if tr.Width > 0 && tr.Height > 0 {
			fmt.Fprintf(&master, ",RESOLUTION=%dx%d", tr.Width, tr.Height)
		}
		if tr.FrameRate > 0 {
			fmt.Fprintf(&master, ",FRAME-RATE=%.3f", tr.FrameRate)
		}
		if codecs := allCodecs(pl, ti); codecs != "" {
			fmt.Fprintf(&master, ",CODECS=%q", codecs)
		}
		if audioGroup != "" {
			master.WriteString(`,AUDIO="audio"`)
		}
		if subGroup != "" {
			master.WriteString(`,SUBTITLES="subs"`)
		}
		if ccGroup != "" && tr.Type == manifest.Video {
			master.WriteString(`,CLOSED-CAPTIONS="cc"`)
		}
		fmt.Fprintf(&master, "\noffline-%d.m3u8\n", ti)
	}
	if err := writeFileAtomic(fsys, OfflineManifest, master.String(), 0o644); err != nil {
		return err
	}
	return fsys.SyncDir(".")
}

func mediaPlaylist(pl *plan, tr *planTrack) string {
	var b strings.Builder
	target := int((tr.Target + time.Second - 1) / time.Second)
	for _, i := range tr.Items {
		if d := int((pl.Items[i].Dur + time.Second - 1) / time.Second); d > target {
			target = d
		}
	}
	fmt.Fprintf(&b, "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:%d\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n", max(target, 1))
	disc := map[int]bool{}
	for _, d := range tr.Disc {
		disc[d] = true
	}
	keyed := false
	for n, i := range tr.Items {
		it := pl.Items[i]
		if it.Kind == kindInit {
			fmt.Fprintf(&b, "#EXT-X-MAP:URI=%q\n", relURI(it.Key))
			continue
		}
		if disc[n] {
			b.WriteString("#EXT-X-DISCONTINUITY\n")
		}
		switch {
		case it.KeyURI != "" && it.Method != "":
			fmt.Fprintf(&b, "#EXT-X-KEY:METHOD=%s,URI=%q\n", it.Method, it.KeyURI)
			keyed = true
		case it.KeyURI != "":
			// the key URI as downloaded: the player asks the KeyStore
			// for it (Offline.Keys), never the network
			fmt.Fprintf(&b, "#EXT-X-KEY:METHOD=AES-128,URI=%q,IV=0x%s\n", it.KeyURI, it.IV)
			keyed = true
		case keyed:
			b.WriteString("#EXT-X-KEY:METHOD=NONE\n")
			keyed = false
		}
		fmt.Fprintf(&b, "#EXTINF:%.6f,\n%s\n", it.Dur.Seconds(), relURI(it.Key))
	}
	b.WriteString("#EXT-X-ENDLIST\n")
	return b.String()
}

// relURI escapes a local path for use as a relative URI.
func relURI(p string) string {
	return (&url.URL{Path: p}).EscapedPath()
}

func langAttr(l string) string {
	if l == "" {
		return ""
	}
	return fmt.Sprintf("LANGUAGE=%q,", l)
}

func yesNo(b bool) string {
	if b {
		return "YES"
	}
	return "NO"
}

func firstOf(pl *plan, t manifest.MediaType) int {
	for i, tr := range pl.Tracks {
		if tr.Type == t {
			return i
		}
	}
	return -1
}

func countOf(pl *plan, t manifest.MediaType) int {
	n := 0
	for _, tr := range pl.Tracks {
		if tr.Type == t {
			n++
		}
	}
	return n
}

func allCodecs(pl *plan, variant int) string {
	var cs []string
	seen := map[string]bool{}
	add := func(c string) {
		for _, p := range strings.Split(c, ",") {
			if p = strings.TrimSpace(p); p != "" && !seen[p] {
				seen[p] = true
				cs = append(cs, p)
			}
		}
	}
	add(pl.Tracks[variant].Codecs)
	if pl.Tracks[variant].Type == manifest.Video {
		for _, tr := range pl.Tracks {
			if tr.Type == manifest.Audio {
				add(tr.Codecs)
			}
		}
	}
	return strings.Join(cs, ",")
}

func writeFileAtomic(fsys FS, name, content string, perm fs.FileMode) error {
	tmp := name + partSuffix
	f, err := fsys.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(f, content); err != nil {
		f.Close()
		if isDiskFull(err) {
			return &SpaceError{Path: name, Avail: -1, Err: fmt.Errorf("%w: %w", ErrDiskFull, err)}
		}
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := fsys.Rename(tmp, name); err != nil {
		return err
	}
	// The rename is durable only once its folder is synced.
	return fsys.SyncDir(path.Dir(name))
}

// LocalFetcher is a transport.Fetcher that serves a download's files with
// no network: file:// URLs and plain paths, confined to one folder with
// os.Root so that a playlist cannot make it read elsewhere.
type LocalFetcher struct {
	// Clock times Result.Duration and progress; nil means clock.Real.
	Clock clock.Clock
	root  *os.Root
	dir   string // absolute
}

// NewLocalFetcher serves the files under dir.
func NewLocalFetcher(dir string) (*LocalFetcher, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	r, err := os.OpenRoot(abs)
	if err != nil {
		return nil, err
	}
	return &LocalFetcher{root: r, dir: abs}, nil
}

// Close releases the folder.
func (l *LocalFetcher) Close() error { return l.root.Close() }

// URL is the file:// URL of name (slash-separated, relative to the folder).
func (l *LocalFetcher) URL(name string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(filepath.Join(l.dir, filepath.FromSlash(name)))}).String()
}

// Fetch implements transport.Fetcher. Status is 200, or 206 for a range;
// a missing file is a *StatusError with 404.
func (l *LocalFetcher) Fetch(ctx context.Context, req *transport.Request, progress transport.ProgressFunc) (*transport.Result, error) {
	clk := clock.Or(l.Clock)
	start := clk.Now()
	name, err := l.rel(req.URL)
	if err != nil {
		return nil, err
	}
	f, err := l.root.Open(name)
	if err != nil {
		return &transport.Result{Status: 404}, &StatusError{URL: req.URL, Status: 404}
	}
	defer f.Close()
	var r io.Reader = f
	status := 200
	if req.Offset > 0 || req.Length > 0 {
		if _, err := f.Seek(req.Offset, io.SeekStart); err != nil {
			return nil, err
		}
		status = 206
		if req.Length > 0 {
			r = io.LimitReader(f, req.Length)
		}
	}
	w := req.Body
	if w == nil {
		w = io.Discard
	}
	if progress != nil {
		w = &progressWriter{w: w, f: progress, start: start, clk: clk}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n, err := io.Copy(w, r)
	res := &transport.Result{Status: status, Bytes: n, Duration: clk.Now().Sub(start), Attempts: 1}
	if err == nil && req.Length > 0 && n != req.Length {
		err = fmt.Errorf("%s: %w: range past the end", name, io.ErrUnexpectedEOF)
	}
	return res, err
}

// rel turns a file:// URL, an absolute path under the folder or a relative
// path into a name inside the folder.
func (l *LocalFetcher) rel(raw string) (string, error) {
	p := raw
	if strings.HasPrefix(raw, "file:") {
		u, err := url.Parse(raw)
		if err != nil {
			return "", err
		}
		p = u.Path
	} else if strings.Contains(raw, "://") {
		return "", fmt.Errorf("%s: %w: offline playback fetches local files only", redact(raw), ErrUnsafePath)
	}
	p = filepath.FromSlash(p)
	if filepath.IsAbs(p) {
		r, err := filepath.Rel(l.dir, p)
		if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			return "", fmt.Errorf("%s: %w: outside %s", raw, ErrUnsafePath, l.dir)
		}
		p = r
	}
	return p, nil
}

var _ transport.Fetcher = (*LocalFetcher)(nil)

// progressWriter reports the bytes written so far to a ProgressFunc.
type progressWriter struct {
	w     io.Writer
	f     transport.ProgressFunc
	n     int64
	start time.Time
	clk   clock.Clock
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.n += int64(n)
	p.f(p.n, p.clk.Now().Sub(p.start))
	return n, err
}
