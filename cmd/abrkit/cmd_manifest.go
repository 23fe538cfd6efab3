package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/abrkit/abrkit/player/manifest"
)

// maxManifestBytes bounds what inspect reads from one file or response.
const maxManifestBytes = 64 << 20

func newManifestCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "manifest",
		Short: "Inspect HLS and DASH manifests",
	}
	c.AddCommand(newManifestInspectCmd())
	return c
}

func newManifestInspectCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "inspect PATH|URL",
		Short: "Print the presentation model of an HLS or DASH manifest",
		Long: `inspect parses an HLS playlist or a DASH MPD (a file or an http(s) URL)
into abrkit's presentation model and prints its periods, adaptation sets,
renditions, segment counts, total duration and content-steering setup.

For an HLS master playlist the media playlists are loaded too (files
relative to the master, URLs with --timeout each) to count their segments;
one that cannot be loaded is reported as a warning. Dynamic DASH
templates without a SegmentTimeline are expanded at --now (default: the
current time).

Exit codes: 0 success, 1 the manifest could not be read, 2 bad usage or a
malformed manifest (the message names the file, line or XML path, and field).`,
		Example: `  abrkit manifest inspect player/manifest/testdata/hls/master.m3u8
  abrkit manifest inspect player/manifest/testdata/dash/static_number.mpd --format json`,
		Args: cobra.ExactArgs(1),
	}
	format := formatFlag(c)
	timeout := c.Flags().Duration("timeout", 10*time.Second, "timeout for each HTTP request")
	noMedia := c.Flags().Bool("no-media", false, "do not load HLS media playlists")
	parallel := c.Flags().Int("parallel", 4, "media playlists loaded at once")
	nowFlag := c.Flags().String("now", "", "wall time for dynamic DASH windows, RFC 3339 (default: now)")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(*format); err != nil {
			return err
		}
		if *timeout <= 0 {
			return usageErrorf("--timeout must be positive, not %v", *timeout)
		}
		if *parallel < 1 || *parallel > 64 {
			return usageErrorf("--parallel must be between 1 and 64, not %d", *parallel)
		}
		now := time.Now()
		if *nowFlag != "" {
			t, err := time.Parse(time.RFC3339Nano, *nowFlag)
			if err != nil {
				return usageErrorf("--now %q: want RFC 3339 time such as 2026-01-02T15:04:05Z", *nowFlag)
			}
			now = t
		}
		fetch := newFetcher(cmd.Context(), *timeout)
		src := args[0]
		data, err := fetch(src)
		if err != nil {
			return err // I/O: exit 1
		}
		p, err := manifest.Parse(data, src, manifest.WithNow(now))
		if err != nil {
			return badInput(err)
		}
		if !*noMedia {
			manifest.LoadMediaPlaylists(p, fetch, *parallel)
		}
		s := manifest.Summarize(p)
		if *format == "json" {
			return writeJSON(cmd.OutOrStdout(), s)
		}
		return writeSummaryText(cmd.OutOrStdout(), s)
	}
	return c
}

// newFetcher reads http(s) URLs with a per-request timeout and anything
// else as a file, at most maxManifestBytes.
func newFetcher(ctx context.Context, timeout time.Duration) manifest.Fetcher {
	if ctx == nil {
		ctx = context.Background()
	}
	client := &http.Client{Timeout: timeout}
	return func(uri string) ([]byte, error) {
		if strings.HasPrefix(uri, "http://") || strings.HasPrefix(uri, "https://") {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
			if err != nil {
				return nil, err
			}
			resp, err := client.Do(req)
			if err != nil {
				return nil, err
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return nil, fmt.Errorf("GET %s: %s", uri, resp.Status)
			}
			return readLimited(resp.Body, uri)
		}
		name := strings.TrimPrefix(uri, "file://")
		if i := strings.IndexAny(name, "?#"); i >= 0 {
			if _, err := os.Stat(name); err != nil {
				name = name[:i] // a query means nothing to a file
			}
		}
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return readLimited(f, uri)
	}
}

var errTooLarge = errors.New("larger than 64 MiB")

func readLimited(r io.Reader, uri string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxManifestBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", uri, err)
	}
	if len(data) > maxManifestBytes {
		return nil, fmt.Errorf("read %s: %w", uri, errTooLarge)
	}
	return data, nil
}

func writeSummaryText(w io.Writer, s manifest.Summary) error {
	kind := "VOD"
	if s.Live {
		kind = "live"
	}
	fmt.Fprintf(w, "%s: %s %s, duration %s, %d renditions, %d segments\n",
		s.URI, strings.ToUpper(s.Format), kind, secs(s.DurationS), s.RenditionCount, s.SegmentCount)
	if s.Live && (s.TimeShiftBufferS > 0 || s.MinUpdatePeriodS > 0) {
		fmt.Fprintf(w, "live: availability start %s, time-shift buffer %s, update period %s, suggested delay %s\n",
			orDash(s.AvailabilityStart), secs(s.TimeShiftBufferS), secs(s.MinUpdatePeriodS), secs(s.SuggestedDelayS))
	}
	if st := s.Steering; st != nil {
		fmt.Fprintf(w, "steering: %s, default pathway %s", st.ServerURI, orDash(st.DefaultPathwayID))
		if len(st.Pathways) > 0 {
			fmt.Fprintf(w, ", pathways %s", strings.Join(st.Pathways, " "))
		}
		fmt.Fprintln(w)
	}
	for _, l := range s.Locations {
		fmt.Fprintf(w, "location: %s\n", l)
	}
	for _, per := range s.Periods {
		fmt.Fprintf(w, "\nperiod %s: start %s, duration %s\n", orDash(per.ID), secs(per.StartS), secs(per.DurationS))
		for _, set := range per.Sets {
			fmt.Fprintf(w, "  set %s (%s", set.ID, set.Type)
			for _, x := range []struct{ k, v string }{{"group", set.GroupID}, {"lang", set.Lang}, {"name", set.Name}} {
				if x.v != "" {
					fmt.Fprintf(w, ", %s %s", x.k, x.v)
				}
			}
			fmt.Fprintln(w, ")")
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "    ID\tBANDWIDTH\tRESOLUTION\tCODECS\tSEGMENTS\tDURATION\tPATHWAY\tSOURCE")
			for _, r := range set.Renditions {
				res := "-"
				if r.Width > 0 || r.Height > 0 {
					res = fmt.Sprintf("%dx%d", r.Width, r.Height)
				}
				segs := fmt.Sprint(r.Segments)
				if !r.Loaded {
					segs = "not loaded"
				}
				pathway := r.PathwayID
				if pathway == "" && len(r.ServiceLocations) > 0 {
					pathway = strings.Join(r.ServiceLocations, ",")
				}
				source := r.PlaylistURI
				if source == "" && len(r.BaseURLs) > 0 {
					source = r.BaseURLs[0]
				}
				fmt.Fprintf(tw, "    %s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Bandwidth, res, orDash(r.Codecs), segs,
					secs(r.SegmentsS), orDash(pathway), orDash(source))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
		}
	}
	if len(s.Warnings) > 0 {
		fmt.Fprintf(w, "\n%d warnings:\n", len(s.Warnings))
		for _, m := range s.Warnings {
			fmt.Fprintf(w, "  %s\n", m)
		}
	}
	return nil
}

func secs(s float64) string {
	return (time.Duration(s * float64(time.Second))).Round(time.Millisecond).String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
