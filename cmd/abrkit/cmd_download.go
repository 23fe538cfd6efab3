package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/abrkit/abrkit/download"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/transport"
	"github.com/abrkit/abrkit/simulator/backend"
	"github.com/abrkit/abrkit/simulator/backend/control"
)

// defaultDownloadDir is where downloads go without --out.
const defaultDownloadDir = "downloads"

// pidFile names the process running downloads in a folder, so that
// `abrkit download pause` from another shell can ask it to pause.
const pidFile = "downloader.pid"

func newDownloadCmd() *cobra.Command {
	var f downloadFlags
	c := &cobra.Command{
		Use:   "download URL | --gateway URL --play TITLE",
		Short: "Download a title for offline playback (resumable)",
		Long: `Download an HLS or DASH title into a folder for offline playback.

Running the same command again resumes where it stopped, even after a crash
or kill -9: completed segments are kept and a partly written one continues
with a Range request. Ctrl-C pauses. Signed URLs that expire mid-download
are renewed with --refresh-cmd, or with --gateway: the reference backend's
POST /v1/play gives the signed URL and gives a fresh one when it expires.
The progress bar goes to stderr; the final
state goes to stdout (--format json for machines).

Exit codes: 0 completed, 1 paused or failed (the message says why), 2 bad usage.`,
		Example: `  abrkit download --gateway http://127.0.0.1:8080 --play t1 --out ~/abrkit-downloads --quality 720p
  abrkit download list --out ~/abrkit-downloads
  abrkit download verify --out ~/abrkit-downloads --format json
  abrkit download reindex --out ~/abrkit-downloads
  abrkit play --offline t1 --out ~/abrkit-downloads`,
		Args: cobra.MaximumNArgs(1),
	}
	format := formatFlag(c)
	f.register(c)
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(*format); err != nil {
			return err
		}
		req, err := f.request(cmd.Context(), args)
		if err != nil {
			return err
		}
		if f.licenseURL != "" && !isHTTPURL(f.licenseURL) {
			return usageErrorf("--license-url %q: want an http or https URL", f.licenseURL)
		}
		return runDownload(cmd, f.out, *format, download.Config{MaxSegments: f.parallel, MaxFiles: f.maxFiles, LicenseURL: f.licenseURL, License: f.license, KeyLoader: f.keyLoader}, req, true)
	}
	c.AddCommand(newDownloadListCmd(), newDownloadPauseCmd(), newDownloadResumeCmd(),
		newDownloadRemoveCmd(), newDownloadVerifyCmd(), newDownloadRenewCmd(), newDownloadReindexCmd())
	return c
}

func splitLangs(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// shellRefresh runs cmd with sh -c and takes the first line it prints.
func shellRefresh(cmd string) download.RefreshFunc {
	return func(ctx context.Context) (string, error) {
		out, err := exec.CommandContext(ctx, "sh", "-c", cmd).Output()
		if err != nil {
			return "", fmt.Errorf("--refresh-cmd: %w", err)
		}
		line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
		if line == "" {
			return "", errors.New("--refresh-cmd printed no URL")
		}
		return strings.TrimSpace(line), nil
	}
}

// gatewayRefresh asks the reference backend's playback API for the
// title's manifest URL, logging in first and again when the token expired.
// Of the ranked edges it answers with the first whose manifest loads, so
// that a download moves off an edge that died even before the playback
// API notices. The license requester and key loader send ClearKey
// requests and HLS key requests with the session's bearer token.
func gatewayRefresh(gateway, title, user, password string, dash bool) (download.RefreshFunc, player.LicenseRequester, player.KeyLoader) {
	var mu sync.Mutex
	cl := &backend.Client{Gateway: gateway}
	probe := transport.NewHTTP(transport.HTTPConfig{MaxAttempts: 1, ConnectTimeout: 2 * time.Second, FirstByteTimeout: 3 * time.Second, StallTimeout: 3 * time.Second})
	bearer := func() http.Header {
		mu.Lock()
		defer mu.Unlock()
		return http.Header{"Authorization": {"Bearer " + cl.Token}}
	}
	license := player.LicenseRequesterFunc(func(ctx context.Context, req player.LicenseRequest) (map[[16]byte][]byte, error) {
		return (&player.ClearKey{Header: bearer()}).RequestLicense(ctx, req)
	})
	keys := player.KeyLoaderFunc(func(ctx context.Context, uri string) ([]byte, error) {
		return (&player.HTTPKeyLoader{Header: bearer()}).LoadKey(ctx, uri)
	})
	return func(ctx context.Context) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		var p control.PlayResponse
		err := errors.New("not logged in")
		if cl.Token != "" {
			p, err = cl.Play(ctx, control.PlayRequest{Title: title})
		}
		if err != nil {
			if lerr := cl.Login(ctx, user, password); lerr != nil {
				return "", fmt.Errorf("gateway login: %w", lerr)
			}
			if p, err = cl.Play(ctx, control.PlayRequest{Title: title}); err != nil {
				return "", fmt.Errorf("gateway play %s: %w", title, err)
			}
		}
		return pickEdge(ctx, probe, p, dash)
	}, license, keys
}

// pickEdge returns the manifest URL of the best-ranked edge that answers,
// or the top one when none does (the download then says why it fails).
func pickEdge(ctx context.Context, probe transport.Fetcher, p control.PlayResponse, dash bool) (string, error) {
	manifestOf := func(hls, mpd string) string {
		if dash {
			return mpd
		}
		return hls
	}
	edges := append([]control.PlayEdge(nil), p.Edges...)
	sort.SliceStable(edges, func(i, j int) bool { return edges[i].Rank < edges[j].Rank })
	for _, e := range edges {
		u := manifestOf(e.HLS, e.DASH)
		if u == "" {
			continue
		}
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := probe.Fetch(pctx, &transport.Request{URL: u, Kind: transport.KindProbe}, nil)
		cancel()
		if err == nil {
			return u, nil
		}
	}
	if u := manifestOf(p.HLS, p.DASH); u != "" {
		return u, nil
	}
	return "", fmt.Errorf("gateway play %s: no manifest URL in the answer", p.Title)
}

// newDownloadFetcher makes the fetcher downloads use; tests wrap it.
var newDownloadFetcher = func() transport.Fetcher { return download.NewFetcher(nil) }

// downloadJSON is the machine-readable form of a download.
type downloadJSON struct {
	ID              string  `json:"id"`
	URL             string  `json:"url"`
	Title           string  `json:"title,omitempty"`
	State           string  `json:"state"`
	StopReason      string  `json:"stop_reason,omitempty"`
	Error           string  `json:"error,omitempty"`
	Dir             string  `json:"dir"`
	Offline         string  `json:"offline,omitempty"`
	Segments        int     `json:"segments"`
	SegmentsDone    int     `json:"segments_done"`
	Bytes           int64   `json:"bytes"`
	BytesEstimate   int64   `json:"bytes_estimate"`
	DurationSeconds float64 `json:"duration_seconds"`
	Retries         int     `json:"retries"`
	Refreshes       int     `json:"refreshes"`
	Created         string  `json:"created"`
	Completed       string  `json:"completed,omitempty"`
	Expires         string  `json:"expires,omitempty"`
	Expired         bool    `json:"expired"`
}

func toJSON(lib string, d download.Download, now time.Time) downloadJSON {
	j := downloadJSON{
		ID: d.ID, URL: d.URL, Title: d.Title, State: d.State.String(), StopReason: string(d.StopReason), Error: d.Err,
		Dir: filepath.Join(lib, d.Dir), Segments: d.Progress.Segments, SegmentsDone: d.Progress.SegmentsDone,
		Bytes: d.Progress.Bytes, BytesEstimate: d.Progress.BytesEstimate, DurationSeconds: d.Progress.Duration.Seconds(),
		Retries: d.Progress.Retries, Refreshes: d.Progress.Refreshes, Created: rfc3339(d.Created),
		Completed: rfc3339(d.Completed), Expires: rfc3339(d.Expires), Expired: d.Expired(now),
	}
	if d.Offline != "" {
		j.Offline = filepath.Join(lib, d.Dir, d.Offline)
	}
	return j
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// openManager opens the download folder; passive managers start nothing.
func openManager(dir string, passive bool, cfg download.Config) (*download.Manager, error) {
	cfg.Dir, cfg.Passive = dir, passive
	m, err := download.New(cfg)
	if errors.Is(err, download.ErrLocked) {
		return nil, fmt.Errorf("%w (a running `abrkit download` holds it; `abrkit download pause ID --out %s` asks it to pause)", err, dir)
	}
	var mi *download.MissingIndexError
	if errors.As(err, &mi) && mi.Folders > 0 {
		return nil, fmt.Errorf("%w: run `abrkit download reindex --out %s`", err, dir)
	}
	if err != nil {
		return nil, err
	}
	m.Start()
	return m, nil
}

// openReader opens the download folder read-only: it creates nothing and
// works while a download runs there.
func openReader(dir string) (*download.Manager, error) {
	return openManager(dir, true, download.Config{ReadOnly: true})
}

// runDownload adds (or resumes) a download and runs it in the foreground
// until it is at rest. Ctrl-C and SIGTERM pause it.
func runDownload(cmd *cobra.Command, dir, format string, cfg download.Config, req download.Request, add bool) error {
	stderr := cmd.ErrOrStderr()
	bar := &progressBar{w: stderr, enabled: format == "text"}
	var target sync.Map // only the download this command runs is drawn
	cfg.Fetcher = newDownloadFetcher()
	cfg.OnEvent = func(e download.Event) {
		if _, ok := target.Load(e.Download.ID); ok {
			bar.draw(e.Download)
		}
	}
	cfg.RefreshFor = func(d download.Download) download.RefreshFunc { return req.Refresh }
	m, err := openManager(dir, false, cfg)
	if err != nil {
		return err
	}
	defer m.Close()
	if err := os.WriteFile(filepath.Join(m.Dir(), pidFile), []byte(strconv.Itoa(os.Getpid())), 0o644); err == nil {
		defer os.Remove(filepath.Join(m.Dir(), pidFile))
	}
	id := req.ID
	if add {
		target.Store(download.IDFor(req.URL), true)
		if id != "" {
			target.Store(id, true)
		}
		id, err = m.Add(req)
		if errors.Is(err, download.ErrExists) {
			err = m.Resume(id)
		}
		if err != nil {
			if errors.Is(err, download.ErrUnsupported) || errors.Is(err, download.ErrInvalidID) {
				return badInput(err)
			}
			return err
		}
	} else {
		target.Store(id, true)
		if err := m.Resume(id); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		_ = m.Pause(id)
	}()
	d, err := m.Await(context.Background(), id)
	if err != nil {
		return err
	}
	bar.finish()
	return reportDownload(cmd.OutOrStdout(), m.Dir(), format, d)
}

func reportDownload(w io.Writer, lib, format string, d download.Download) error {
	if format == "json" {
		if err := writeJSON(w, toJSON(lib, d, time.Now())); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(w, "%s %s: %d/%d files, %s", d.ID, d.State, d.Progress.SegmentsDone, d.Progress.Segments, humanBytes(d.Progress.Bytes))
		if d.State == download.StateCompleted {
			fmt.Fprintf(w, ", play with: abrkit play --offline %s --out %s", d.ID, lib)
		}
		fmt.Fprintln(w)
	}
	switch d.State {
	case download.StateCompleted:
		return nil
	case download.StatePaused:
		if d.StopReason == download.StopUser {
			return fmt.Errorf("download %s paused; run the same command again to resume", d.ID)
		}
		return fmt.Errorf("download %s paused (%s): %s", d.ID, d.StopReason, d.Err)
	}
	return fmt.Errorf("download %s %s (%s): %s", d.ID, d.State, d.StopReason, d.Err)
}

// progressBar draws one line on stderr, at most every 100 ms.
type progressBar struct {
	w       io.Writer
	enabled bool
	mu      sync.Mutex
	last    time.Time
	drawn   bool
}

func (p *progressBar) draw(d download.Download) {
	if !p.enabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if d.State != download.StateCompleted && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	const width = 30
	f := d.Progress.Fraction()
	n := int(f * width)
	eta := "--"
	if d.Progress.ETA > 0 {
		eta = d.Progress.ETA.Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "\r[%s%s] %3.0f%% %d/%d files %s/%s %s/s ETA %s  ", strings.Repeat("#", n), strings.Repeat("-", width-n),
		f*100, d.Progress.SegmentsDone, d.Progress.Segments, humanBytes(d.Progress.Bytes), humanBytes(d.Progress.BytesEstimate),
		humanBytes(int64(d.Progress.BytesPerSec)), eta)
	p.drawn = true
}

func (p *progressBar) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}

func humanBytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}

func newDownloadListCmd() *cobra.Command {
	var out string
	c := &cobra.Command{
		Use:   "list",
		Short: "List downloads with their state and progress",
		Args:  cobra.NoArgs,
	}
	format := formatFlag(c)
	c.Flags().StringVar(&out, "out", defaultDownloadDir, "downloads folder")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := checkFormat(*format); err != nil {
			return err
		}
		m, err := openReader(out)
		if err != nil {
			return err
		}
		defer m.Close()
		ds, err := m.List()
		if err != nil {
			return err
		}
		now := time.Now()
		w := cmd.OutOrStdout()
		if *format == "json" {
			list := make([]downloadJSON, 0, len(ds))
			for _, d := range ds {
				list = append(list, toJSON(m.Dir(), d, now))
			}
			return writeJSON(w, list)
		}
		tw := bufio.NewWriter(w)
		defer tw.Flush()
		fmt.Fprintf(tw, "%-14s %-12s %6s %10s  %-20s %s\n", "ID", "STATE", "DONE", "SIZE", "EXPIRES", "TITLE/URL")
		for _, d := range ds {
			exp := "never"
			if !d.Expires.IsZero() {
				exp = d.Expires.UTC().Format("2006-01-02 15:04")
				if d.Expired(now) {
					exp = "expired"
				}
			}
			st := d.State.String()
			if d.StopReason != "" && d.State != download.StateCompleted {
				st += "(" + string(d.StopReason) + ")"
			}
			name := d.Title
			if name == "" {
				name = d.URL
			}
			fmt.Fprintf(tw, "%-14s %-12s %5.0f%% %10s  %-20s %s\n", d.ID, st, d.Progress.Fraction()*100, humanBytes(d.Progress.Bytes), exp, name)
		}
		return nil
	}
	return c
}

func newDownloadPauseCmd() *cobra.Command {
	var out string
	c := &cobra.Command{
		Use:   "pause ID",
		Short: "Pause a download (asks a running `abrkit download` to stop it)",
		Args:  cobra.ExactArgs(1),
	}
	c.Flags().StringVar(&out, "out", defaultDownloadDir, "downloads folder")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		m, err := openManager(out, true, download.Config{})
		if errors.Is(err, download.ErrLocked) {
			// The folder is busy: ask the process running it to pause.
			data, rerr := os.ReadFile(filepath.Join(out, pidFile))
			pid, perr := strconv.Atoi(strings.TrimSpace(string(data)))
			if rerr != nil || perr != nil || pid <= 0 {
				return err
			}
			if err := syscall.Kill(pid, syscall.SIGINT); err != nil {
				return fmt.Errorf("pause: signal process %d: %w", pid, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "asked process %d to pause\n", pid)
			return nil
		}
		if err != nil {
			return err
		}
		defer m.Close()
		if err := m.Pause(args[0]); err != nil {
			return downloadErr(err)
		}
		fmt.Fprintf(cmd.OutOrStdout(), "%s paused\n", args[0])
		return nil
	}
	return c
}

func newDownloadResumeCmd() *cobra.Command {
	var out string
	var parallel int
	c := &cobra.Command{
		Use:   "resume ID",
		Short: "Resume a paused or failed download in the foreground",
		Args:  cobra.ExactArgs(1),
	}
	format := formatFlag(c)
	c.Flags().StringVar(&out, "out", defaultDownloadDir, "downloads folder")
	c.Flags().IntVar(&parallel, "parallel", download.DefaultMaxSegments, "segments fetched at once")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(*format); err != nil {
			return err
		}
		err := runDownload(cmd, out, *format, download.Config{MaxSegments: parallel}, download.Request{ID: args[0]}, false)
		return downloadErr(err)
	}
	return c
}

func newDownloadRemoveCmd() *cobra.Command {
	var out string
	c := &cobra.Command{
		Use:   "remove ID...",
		Short: "Delete downloads and their files",
		Args:  cobra.MinimumNArgs(1),
	}
	c.Flags().StringVar(&out, "out", defaultDownloadDir, "downloads folder")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		m, err := openManager(out, true, download.Config{})
		if err != nil {
			return err
		}
		defer m.Close()
		for _, id := range args {
			if err := m.Remove(id); err != nil {
				return downloadErr(err)
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), time.Minute)
			_, err := m.Await(ctx, id)
			cancel()
			if !errors.Is(err, download.ErrNotFound) {
				return fmt.Errorf("remove %s: %v", id, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s removed\n", id)
		}
		return nil
	}
	return c
}

// verifyJSON is the answer of `download verify --format json`.
type verifyJSON struct {
	OK        bool                     `json:"ok"`
	Downloads []*download.VerifyReport `json:"downloads"`
}

func newDownloadVerifyCmd() *cobra.Command {
	var out string
	var repair bool
	c := &cobra.Command{
		Use:   "verify [ID...]",
		Short: "Read every segment back and check sizes, CRCs and fMP4 boxes",
		Long: `Read every file of the named downloads (default: all) back and check its
size, its CRC-32C against the index and its fMP4 boxes against the manifest.
--repair unmarks bad files so that resume fetches them again.

Exit codes: 0 all ok, 1 something is missing or damaged.`,
	}
	format := formatFlag(c)
	c.Flags().StringVar(&out, "out", defaultDownloadDir, "downloads folder")
	c.Flags().BoolVar(&repair, "repair", false, "unmark bad files so that resume fetches them again")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(*format); err != nil {
			return err
		}
		var m *download.Manager
		var err error
		if repair {
			m, err = openManager(out, true, download.Config{})
		} else {
			m, err = openReader(out)
		}
		if err != nil {
			return err
		}
		defer m.Close()
		ids := args
		if len(ids) == 0 {
			ds, err := m.List()
			if err != nil {
				return err
			}
			for _, d := range ds {
				ids = append(ids, d.ID)
			}
			if len(ids) == 0 {
				return fmt.Errorf("nothing to verify: no downloads in %s", m.Dir())
			}
		}
		res := verifyJSON{OK: len(ids) > 0, Downloads: []*download.VerifyReport{}}
		for _, id := range ids {
			rep, err := m.Verify(cmd.Context(), id, repair)
			if err != nil {
				return downloadErr(err)
			}
			res.OK = res.OK && rep.OK
			res.Downloads = append(res.Downloads, rep)
		}
		w := cmd.OutOrStdout()
		if *format == "json" {
			if err := writeJSON(w, res); err != nil {
				return err
			}
		} else {
			for _, r := range res.Downloads {
				verdict := "ok"
				if !r.OK {
					verdict = "NOT OK"
				}
				fmt.Fprintf(w, "%s %s: %d/%d files verified, %s, %d missing, %d damaged\n", r.ID, verdict, r.Verified, r.Segments, humanBytes(r.Bytes), len(r.Missing), len(r.Corrupt))
				for _, p := range r.Missing {
					fmt.Fprintf(w, "  missing %s\n", p)
				}
				for _, p := range r.Corrupt {
					fmt.Fprintf(w, "  damaged %s: %s\n", p.Path, p.Reason)
				}
			}
		}
		if !res.OK {
			return fmt.Errorf("verification failed: %s", verifySummary(res.Downloads))
		}
		return nil
	}
	return c
}

// verifySummary names the downloads that failed and why.
func verifySummary(reps []*download.VerifyReport) string {
	var parts []string
	for _, r := range reps {
		if r.OK {
			continue
		}
		why := fmt.Sprintf("%d missing, %d damaged", len(r.Missing), len(r.Corrupt))
		if r.Segments == 0 {
			why = "no files recorded (state " + r.State + ")"
		}
		parts = append(parts, r.ID+": "+why)
	}
	return strings.Join(parts, "; ")
}

func newDownloadReindexCmd() *cobra.Command {
	var out string
	c := &cobra.Command{
		Use:   "reindex",
		Short: "Rebuild the download index from the files on disk",
		Long: `Rebuild the index of a downloads folder from its download folders, after the
index was deleted or lost. Completed downloads come back completed; others come
back paused with the files they had, and resume fetches the rest.`,
		Example: `  abrkit download reindex --out ~/abrkit-downloads`,
		Args:    cobra.NoArgs,
	}
	c.Flags().StringVar(&out, "out", defaultDownloadDir, "downloads folder")
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		if _, err := os.Stat(out); err != nil {
			return badInput(fmt.Errorf("--out: %w", err))
		}
		ids, err := download.Reindex(out)
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "%d downloads taken back into the index", len(ids))
		if len(ids) > 0 {
			fmt.Fprintf(cmd.OutOrStdout(), ": %s", strings.Join(ids, ", "))
		}
		fmt.Fprintln(cmd.OutOrStdout())
		return nil
	}
	return c
}

func newDownloadRenewCmd() *cobra.Command {
	var out, expires string
	c := &cobra.Command{
		Use:   "renew ID",
		Short: "Extend a download's offline expiry without downloading again",
		Args:  cobra.ExactArgs(1),
	}
	c.Flags().StringVar(&out, "out", defaultDownloadDir, "downloads folder")
	c.Flags().StringVar(&expires, "expires", "720h", "new expiry from now (a duration); 0 removes the expiry")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		d, err := time.ParseDuration(expires)
		if err != nil || d < 0 {
			return usageErrorf("--expires %q: want a duration such as 720h", expires)
		}
		m, err := openManager(out, true, download.Config{})
		if err != nil {
			return err
		}
		defer m.Close()
		var until time.Time
		if d > 0 {
			until = time.Now().Add(d)
		}
		if err := m.Renew(args[0], until); err != nil {
			return downloadErr(err)
		}
		fmt.Fprintf(cmd.OutOrStdout(), "%s expires %s\n", args[0], map[bool]string{true: "never", false: rfc3339(until)}[until.IsZero()])
		return nil
	}
	return c
}

// downloadErr makes an unknown ID a usage error (exit 2).
func downloadErr(err error) error {
	if errors.Is(err, download.ErrNotFound) {
		return badInput(err)
	}
	return err
}
