package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/abrkit/abrkit/abr"
	"github.com/abrkit/abrkit/clock"
	"github.com/abrkit/abrkit/download"
	"github.com/abrkit/abrkit/player"
	"github.com/abrkit/abrkit/player/transport"
)

// playReport is the JSON form of `abrkit play`.
type playReport struct {
	URL      string     `json:"url"`
	ABR      string     `json:"abr"`
	Stopped  string     `json:"stopped"` // ended, duration, interrupted or failed
	Error    string     `json:"error,omitempty"`
	Category string     `json:"error_category,omitempty"` // network, http, manifest, media, drm, ... when failed
	Position float64    `json:"position_seconds"`
	Live     bool       `json:"live"` // a live stream; its qoe has live_latency_seconds and live_latency_p95_seconds
	QoE      player.QoE `json:"qoe"`
	playTracks
	playText
}

func newPlayCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "play URL | --gateway URL --title ID | --offline ID",
		Short: "Play a stream headless in real time and report QoE",
		Long: `play loads an HLS or DASH manifest and plays it headless in real time:
segments are downloaded as a real player would (ABR, buffer policy, live
refresh, server failover) and consumed at playback rate without decoding.
A status line on stderr shows position, buffer, bitrate, server and
throughput. Ctrl-C or SIGTERM stops cleanly; the QoE summary is printed at
the end.

With --gateway, play logs in to the reference backend's gateway, asks the
playback API (POST /v1/play) for the title and plays it with the ranked
edge list, so a failing edge is left for the next one; QoE beacons go to
the playback API's events URL. Every request carries CMCD (--cmcd).

Live streams (HLS, LL-HLS, dynamic DASH) start near the live edge and
report their live latency: the wall clock minus the capture time of the
frame played (EXT-X-PROGRAM-DATE-TIME, DASH availabilityStartTime).
LL-HLS streams are played part by part with blocking playlist reloads,
PART-HOLD-BACK behind the edge; --target-latency sets another distance,
held with a 0.95-1.05x playback rate. A session that shows no frame
within --startup-timeout fails.

Encrypted streams play: HLS AES-128 (key from the EXT-X-KEY URI, or
--key-file) and DASH CENC cenc/cbcs with ClearKey (license from
--license-url or the MPD's dashif:Laurl, or keys from --key-file). A key
that does not decrypt the media fails the session with error_category
"drm".

Exit codes: 0 played (to the end, for --duration, or until Ctrl-C),
1 playback failed (or never started), 2 bad usage.`,
		Example: `  abrkit play --gateway http://127.0.0.1:8080 --title t1 --duration 30s --cmcd headers
  abrkit play --gateway http://127.0.0.1:8080 --title t2 --abr bola --max-bitrate 2M --format json
  abrkit play --gateway http://127.0.0.1:8080 --title t1 --audio-lang fr --max-height 720 --format json
  abrkit play --gateway http://127.0.0.1:8080 --title t1 --level 0 --min-bitrate 300k
  abrkit play https://example.com/master.m3u8 --text-lang en --format json   # cues shown, with times
  abrkit play https://example.com/aes/main.m3u8 --key-file testdata/keys.txt  # AES-128 HLS, key given
  abrkit play https://example.com/cenc/main.mpd --license-url https://example.com/license  # ClearKey CENC
  abrkit download --gateway http://127.0.0.1:8080 --play t1 --out out/downloads
  abrkit play --offline t1 --out out/downloads      # a completed 'abrkit download', no network`,
		Args: cobra.MaximumNArgs(1),
	}
	format := formatFlag(c)
	algo := c.Flags().String("abr", player.DefaultABR, fmt.Sprintf("ABR algorithm: %v", abr.Names()))
	duration := c.Flags().Duration("duration", 0, "stop after this much wall time (0: play to the end)")
	maxBitrate := c.Flags().String("max-bitrate", "", "cap the video bitrate, bits/s with optional k/M/G suffix (e.g. 2.5M)")
	quiet := c.Flags().Bool("quiet", false, "no status line on stderr")
	offline := c.Flags().String("offline", "", "play download ID from the --out folder of 'abrkit download', with no network")
	out := c.Flags().String("out", "downloads", "with --offline: the downloads folder")
	cmcd := c.Flags().String("cmcd", "query", "send CMCD with every request: query, headers or off")
	gateway := c.Flags().String("gateway", "", "reference backend gateway URL: play --title through its playback API")
	titleID := c.Flags().String("title", "", "with --gateway: the title ID to play")
	user := c.Flags().String("user", "viewer", "with --gateway: login user")
	password := c.Flags().String("password", "viewer", "with --gateway: login password")
	dash := c.Flags().Bool("dash", false, "with --gateway: play the DASH manifest instead of HLS")
	probe := c.Flags().Int("probe", 0, "with --gateway: probe this many best-ranked edges before the first media request (0: none)")
	target := c.Flags().Duration("target-latency", 0, "live: latency to hold, reached with a 0.95-1.05x playback rate (0: the stream's hold-back)")
	noLL := c.Flags().Bool("no-low-latency", false, "play LL-HLS streams as regular HLS (whole segments, no blocking reloads)")
	startup := c.Flags().Duration("startup-timeout", player.DefaultStartupTimeout, "fail when no frame plays this long after loading (0: wait for ever)")
	tracks := addTrackFlags(c)
	textOpts := addTextFlags(c)
	netf := addNetFlags(c)
	drmf := addDRMFlags(c)
	speed := c.Flags().Float64("speed", 1, "run the player clock this many times faster than real time (tests, demos)")
	_ = c.Flags().MarkHidden("speed")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(*format); err != nil {
			return err
		}
		src, opts, closeSrc, err := playSource(args, *offline, *out, *gateway, *titleID)
		if err != nil {
			return err
		}
		defer closeSrc()
		a, err := abr.New(*algo)
		if err != nil {
			return usageErrorf("--abr: %v", err)
		}
		mode, err := transport.ParseCMCDMode(*cmcd)
		if err != nil {
			return usageErrorf("--cmcd: %v", err)
		}
		opts = append(opts, player.WithCMCD(mode))
		netOpts, err := netf.options(mode, *offline != "")
		if err != nil {
			return err
		}
		drmOpts, err := drmf.options() // appended last: they override the gateway's license requester
		if err != nil {
			return err
		}
		var capBps int
		if *maxBitrate != "" {
			if capBps, err = player.ParseBitrate(*maxBitrate); err != nil {
				return usageErrorf("--max-bitrate: %v", err)
			}
		}
		if *duration < 0 || *speed <= 0 || *probe < 0 || *startup < 0 || *target < 0 {
			return usageErrorf("--duration, --probe, --startup-timeout and --target-latency must not be negative and --speed must be positive")
		}
		opts = append(opts, player.WithTargetLatency(*target))
		if *noLL {
			opts = append(opts, player.WithoutLowLatency())
		}
		if *startup == 0 {
			*startup = -1 // the option's "wait for ever"
		}
		opts = append(opts, player.WithStartupTimeout(*startup))
		opts = append(opts, player.WithProbing(*probe))
		trackOpts, err := tracks.options()
		if err != nil {
			return err
		}
		opts = append(opts, trackOpts...)
		cues, cueOpts := textOpts.recorder()
		opts = append(opts, cueOpts...)
		ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		var h3Hosts []string
		if *gateway != "" {
			gs, err := openGateway(ctx, *gateway, *titleID, *user, *password, *dash)
			if err != nil {
				return err
			}
			src = gs.Manifest
			opts = append(opts, gs.Options...)
			h3Hosts = gs.H3Hosts
		}
		opts = append(opts, netOpts(h3Hosts)...)
		opts = append(opts, drmOpts...)
		status := cmd.ErrOrStderr()
		if *quiet {
			status = nil
		}
		rep, err := play(ctx, src, a, capBps, *duration, *speed, status, opts...)
		rep.playText.Cues = cues.list()
		w := cmd.OutOrStdout()
		if *format == "json" {
			if werr := writeJSON(w, rep); werr != nil {
				return werr
			}
		} else {
			fmt.Fprintf(w, "%s (%s): %s\n", rep.URL, rep.ABR, rep.Stopped)
			if werr := rep.QoE.WriteText(w); werr != nil {
				return werr
			}
			if werr := rep.playTracks.writeText(w); werr != nil {
				return werr
			}
			if werr := rep.playText.writeText(w); werr != nil {
				return werr
			}
		}
		return err
	}
	return c
}

// playSource checks which source the arguments name: a manifest URL, an
// offline download (opened here; call closeSrc when done) or a gateway
// title (opened later, under the signal context).
func playSource(args []string, offline, out, gateway, title string) (src string, opts []player.Option, closeSrc func(), err error) {
	closeSrc = func() {}
	sources := len(args)
	if offline != "" {
		sources++
	}
	if gateway != "" {
		sources++
	}
	switch {
	case sources > 1:
		return "", nil, closeSrc, usageErrorf("give one source, not both: a URL, --gateway URL --title ID or --offline ID")
	case (gateway == "") != (title == ""):
		return "", nil, closeSrc, usageErrorf("--gateway and --title go together")
	case offline != "":
		off, err := download.OpenOffline(out, offline, time.Now())
		if err != nil {
			if errors.Is(err, download.ErrNotFound) || errors.Is(err, download.ErrIncomplete) || errors.Is(err, download.ErrExpired) {
				return "", nil, closeSrc, badInput(err)
			}
			return "", nil, closeSrc, err
		}
		opts := []player.Option{player.WithFetcher(off.Fetcher)}
		if off.Keys != nil { // stored keys, never the network
			opts = append(opts, player.WithKeyLoader(off.Keys), player.WithLicenseRequester(off.Keys))
		}
		return off.ManifestURL, opts, func() { off.Close() }, nil
	case len(args) == 1:
		if !isHTTPURL(args[0]) {
			return "", nil, closeSrc, usageErrorf("URL %q: want an http or https manifest URL", args[0])
		}
		return args[0], nil, closeSrc, nil
	case gateway != "":
		if !isHTTPURL(gateway) {
			return "", nil, closeSrc, usageErrorf("--gateway %q: want an http or https URL", gateway)
		}
		return "", nil, closeSrc, nil
	}
	return "", nil, closeSrc, usageErrorf("give a manifest URL, --gateway URL --title ID or --offline ID (see 'abrkit play --help')")
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// playTestOptions are added to every play's options; tests listen with them.
var playTestOptions []player.Option

// play runs one session until it ends, fails, the duration passes or ctx
// is cancelled. Status lines go to status every second unless it is nil.
func play(ctx context.Context, src string, a abr.Algorithm, maxBitrate int, d time.Duration, speed float64,
	status io.Writer, extra ...player.Option) (playReport, error) {
	rep := playReport{URL: src, ABR: a.Name()}
	var clk clock.Clock = clock.Real{}
	if speed != 1 {
		clk = clock.NewScaled(speed)
	}
	opts := append([]player.Option{player.WithABR(a), player.WithMaxBitrate(maxBitrate), player.WithClock(clk)}, extra...)
	opts = append(opts, playTestOptions...)
	p, err := player.New(opts...)
	if err != nil {
		return rep, err
	}
	defer p.Close()
	if d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	err = p.Load(ctx, src)
	if err == nil {
		err = waitWithStatus(ctx, p, status)
	}
	switch {
	case err == nil:
		rep.Stopped = "ended"
	case errors.Is(err, context.DeadlineExceeded):
		rep.Stopped, err = "duration", nil
	case errors.Is(err, context.Canceled):
		rep.Stopped, err = "interrupted", nil
	default:
		rep.Stopped, rep.Error = "failed", err.Error()
		if pe := (*player.PlaybackError)(nil); errors.As(err, &pe) {
			rep.Category = pe.Category.String()
		}
	}
	_ = p.Close()
	rep.QoE = p.QoE()
	rep.Live = rep.QoE.Live
	rep.playTracks.fill(p)
	rep.playText.fill(p)
	rep.Position = rep.QoE.PositionSeconds
	return rep, err
}

func waitWithStatus(ctx context.Context, p *player.Player, status io.Writer) error {
	if status == nil {
		return p.Wait(ctx)
	}
	done := make(chan error, 1)
	go func() { done <- p.Wait(ctx) }()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			fmt.Fprintf(status, "\r%s\033[K\n", p.Status())
			return err
		case <-tick.C:
			fmt.Fprintf(status, "\r%s\033[K", p.Status())
		}
	}
}
